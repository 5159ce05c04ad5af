# learn_protocol — Recall@1 after 4 epochs, closed against open protocol, for
# the four losses and the pixel baselines: the median over three seeds, bars
# the seeds' min-max.  Closed: learn_time's last epoch (the same training);
# open: learn_protocol (train on classes 0-4, retrieve among 35 000 images of
# the unseen classes 5-9); pixels: learn_protocol's baseline rows (one run:
# deterministic).  Open diamonds: the PyTorch + PML reference.
load "plots/common.gp"
eval meta_label("learn_protocol")
FT = R."/learn_time.csv"
FP = R."/learn_protocol.csv"
NAMES = "proxy_anchor proxy_nca ms triplet pixels pixels_standardised"
# (in a label: '*' a new line, '~' a space)
LABELS = "Proxy-Anchor Proxy-NCA*(include\\\\_positive~1) Multi-Similarity triplet*(all) pixels*x~/~255 pixels*standardised"
REF_C = "0.843 0.853 0.850 0.849 0.815 NaN"
REF_O = "0.913 0.929 0.910 0.909 0.947 NaN"
# A row a bar pair: i, closed median/min/max, open median/min/max, references.
set print $BARS
print "i,closed,closed_min,closed_max,open,open_min,open_max,ref_closed,ref_open"
do for [i=1:6] {
  n = word(NAMES, i)
  cl = i <= 4 ? FT : FP
  cv = i <= 4 ? n : n.",closed"
  cb = i <= 4 ? "name" : "name protocol"
  print sprintf("%d,%g,%g,%g,%g,%g,%g,%s,%s", i, seed_stat(cl, cb, n, cv, "median"), seed_stat(cl, cb, n, cv, "min"), \
                seed_stat(cl, cb, n, cv, "max"), seed_stat(FP, "name protocol", n, n.",open", "median"), \
                seed_stat(FP, "name protocol", n, n.",open", "min"), seed_stat(FP, "name protocol", n, n.",open", "max"), \
                word(REF_C, i), word(REF_O, i))
}
unset print
lab(i) = system("echo '".word(LABELS, i)."' | tr '*~' '\\n '")
set xtics () nomirror
do for [i=1:6] { set xtics add (lab(i) i) }
set xrange [0.4:6.6]
set yrange [0.75:0.97]
set ylabel "Recall\\@1 after 4 epochs"
set title "Closed vs open protocol after 4 epochs: Fashion-MNIST, 784→512→128, M = 180, D = 128\n(median of 3 seeds, bars: min–max; pixels: one deterministic run)"
W = 1100
set key top left
set style fill solid 0.75 border -1
set boxwidth 0.36
set bmargin 7
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot $BARS using (column("i") - 0.19):"closed" with boxes lc rgb "#4575b4" title "closed: train on 10 classes, retrieve the test set", \
       $BARS using (column("i") + 0.19):"open" with boxes lc rgb "#f46d43" title "open: train on classes 0–4, retrieve classes 5–9", \
       $BARS using (column("i") - 0.19):"closed":"closed_min":"closed_max" with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
       $BARS using (column("i") + 0.19):"open":"open_min":"open_max" with yerrorbars pt 7 ps 0 lw 1.5 lc rgb "black" notitle, \
       $BARS using (column("i") - 0.19):"ref_closed" with points pt 12 ps 2 lw 1.5 lc rgb "#000000" title "PyTorch + PML reference", \
       $BARS using (column("i") + 0.19):"ref_open" with points pt 12 ps 2 lw 1.5 lc rgb "#000000" notitle, \
       $BARS using (column("i") - 0.19):(column("closed_max") + 0.005):(sprintf("%.3f", column("closed"))) with labels font ",8" notitle, \
       $BARS using (column("i") + 0.19):(column("open_max") + 0.005):(sprintf("%.3f", column("open"))) with labels font ",8" notitle
  unset output
}
