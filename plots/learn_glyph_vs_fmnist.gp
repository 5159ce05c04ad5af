# learn_glyph_vs_fmnist — the same four losses (and the pixels) on two data
# sets of classes never seen in training: the glyph set's test classes
# (learn_glyph_time, last epoch) and Fashion-MNIST's open protocol
# (learn_protocol: train on classes 0-4, retrieve among 5-9).  Recall@1 left,
# MAP@R right; bars the median of three seeds, error bars the seeds' min-max.
load "plots/common.gp"
eval meta_label("learn_glyph_time")
FG = R."/learn_glyph_time.csv"
FF = R."/learn_protocol.csv"
NAMES = "proxy_anchor proxy_nca ms triplet pixels"
LABELS = "Proxy-Anchor Proxy-NCA Multi-Similarity triplet pixels"
# A group's median / min / max of metric v: name n (and, for Fashion-MNIST, the open protocol).
st(f, by, n, k, v, fl) = system("awk -F, -v by='".by."' -v name='".n."' -v val=".v." -f plots/seed_stats.awk ".f." | awk -F, -v k='".k."' -v fl=".fl." 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} index($0, k \",\")==1{print $c[fl]}'")
W = 1300; H = 560
set style fill solid 0.75 border -1
set boxwidth 0.36
set xtics () nomirror
do for [i=1:5] { set xtics add (word(LABELS, i) i) }
set xrange [0.4:5.6]
set key below
set bmargin 9
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "Unseen classes: glyph test classes (700, 1024→512→128, chosen settings) vs Fashion-MNIST open protocol (classes 5–9, 784→512→128), 4 epochs, median of 3 seeds (bars: min–max)"
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  do for [v in "recall_at_1 map_at_r"] {
    set print $B
    print "i,g,glo,ghi,f,flo,fhi"
    do for [i=1:5] {
      n = word(NAMES, i)
      print sprintf("%d,%s,%s,%s,%s,%s,%s", i, st(FG, "name", n, n, v, "median"), st(FG, "name", n, n, v, "min"), st(FG, "name", n, n, v, "max"), \
                    st(FF, "name protocol", n, n.",open", v, "median"), st(FF, "name protocol", n, n.",open", v, "min"), st(FF, "name protocol", n, n.",open", v, "max"))
    }
    unset print
    set ylabel (v eq "recall_at_1" ? "Recall\\@1" : "MAP\\@R")
    set yrange [0:*]
    plot $B using ($1 - 0.19):2 with boxes lc rgb "#1b9e77" title "glyphs: test classes", \
         $B using ($1 + 0.19):5 with boxes lc rgb "#7570b3" title "Fashion-MNIST: open protocol", \
         $B using ($1 - 0.19):2:3:4 with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
         $B using ($1 + 0.19):5:6:7 with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
         $B using ($1 - 0.19):($4 + 0.02):(sprintf("%.3f", $2)) with labels font ",8" notitle, \
         $B using ($1 + 0.19):($7 + 0.02):(sprintf("%.3f", $5)) with labels font ",8" notitle
    unset label 99
  }
  unset multiplot
  unset output
}
