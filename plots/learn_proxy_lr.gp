# learn_proxy_lr — the ablation of the official code's proxy learning rate:
# Proxy-Anchor and Proxy-NCA with their proxies at 1 x and 100 x the
# network's learning rate, on the glyph validation classes
# (learn_glyph_proxy_lr) and Fashion-MNIST closed (learn_proxy_lr); MAP@R
# and Recall@1, the median of three seeds, bars the seeds' min-max.
load "plots/common.gp"
eval meta_label("learn_glyph_proxy_lr")
FG = R."/learn_glyph_proxy_lr.csv"
FF = R."/learn_proxy_lr.csv"
st(f, n, k, v, fl) = system("awk -F, -v by='name proxy_lr_mult' -v name='".n."' -v val=".v." -f plots/seed_stats.awk ".f." | awk -F, -v k='".k."' -v fl=".fl." 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} index($0, k \",\")==1{print $c[fl]}'")
W = 1300; H = 560
set style fill solid 0.75 border -1
set boxwidth 0.36
set xtics ("Proxy-Anchor\nglyphs" 1, "Proxy-NCA\nglyphs" 2, "Proxy-Anchor\nFashion-MNIST" 3, "Proxy-NCA\nFashion-MNIST" 4) nomirror
set xrange [0.4:4.6]
set key below
set bmargin 9
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "The proxies' learning rate: 1 × vs 100 × the network's (official code: Proxy-Anchor 100 ×, Proxy-NCA 1 ×); glyphs 4 epochs, Fashion-MNIST 2, median of 3 seeds (bars: min–max)"
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  do for [v in "recall_at_1 map_at_r"] {
    set print $B
    print "i,a,alo,ahi,b,blo,bhi"
    do for [i=1:4] {
      f = i <= 2 ? FG : FF
      n = (i % 2) ? "proxy_anchor" : "proxy_nca"
      print sprintf("%d,%s,%s,%s,%s,%s,%s", i, st(f, n, n.",1", v, "median"), st(f, n, n.",1", v, "min"), st(f, n, n.",1", v, "max"), \
                    st(f, n, n.",100", v, "median"), st(f, n, n.",100", v, "min"), st(f, n, n.",100", v, "max"))
    }
    unset print
    set ylabel (v eq "recall_at_1" ? "Recall\\@1" : "MAP\\@R")
    set yrange [0:*]
    plot $B using ($1 - 0.19):2 with boxes lc rgb "#4575b4" title "proxies at 1 × lr", \
         $B using ($1 + 0.19):5 with boxes lc rgb "#f46d43" title "proxies at 100 × lr", \
         $B using ($1 - 0.19):2:3:4 with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
         $B using ($1 + 0.19):5:6:7 with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
         $B using ($1 - 0.19):($4 + 0.02):(sprintf("%.3f", $2)) with labels font ",8" notitle, \
         $B using ($1 + 0.19):($7 + 0.02):(sprintf("%.3f", $5)) with labels font ",8" notitle
    unset label 99
  }
  unset multiplot
  unset output
}
