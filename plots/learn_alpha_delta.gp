# learn_alpha_delta — Proxy-Anchor's Recall@1 over alpha x delta after 2
# epochs (the paper's heat map): left the median over three seeds, right
# the seeds' range (max - min) of each cell, both printed in the cells.
load "plots/common.gp"
eval meta_label("learn_alpha_delta")
F = R."/learn_alpha_delta.csv"
S = seeds(F, "alpha delta", "proxy_anchor")
W = 1450; H = 560
lg(a) = log(a) / log(2)
set xlabel "α (log_2 scale)"
set ylabel "δ (margin)"
set xtics ("4" 2, "8" 3, "16" 4, "32" 5, "64" 6, "128" 7)
set tics out nomirror
set xrange [2:8]
set yrange [-0.05:0.15]
set grid noxtics noytics
unset key
set cbtics format "%.3f"
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "Proxy-Anchor Recall\\@1 over α × δ: Fashion-MNIST closed, 784→512→128, M = 180, 2 epochs, 3 seeds (reference, 4 epochs: α 4 0.852, α 128 0.822, δ 0.4 0.834)" margins 0.05,0.93,0.15,0.86 spacing 0.14
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  set title "median Recall\\@1 over seeds"
  set palette defined (0 "#fff7bc", 1 "#c7e9b4", 2 "#7fcdbb", 3 "#41b6c4")
  plot S using (lg(column("alpha"))):"delta":"median" with image, \
       S using (lg(column("alpha"))):"delta":(sprintf("%.4f", column("median"))) with labels font ",9"
  unset label 99
  set title "seeds' range of Recall\\@1 (max − min)"
  set palette defined (0 "#ffffff", 1 "#fdbb84", 2 "#d7301f")
  plot S using (lg(column("alpha"))):"delta":(column("max") - column("min")) with image, \
       S using (lg(column("alpha"))):"delta":(sprintf("%.4f", column("max") - column("min"))) with labels font ",9"
  unset multiplot
  unset output
}
