# alpha_delta_heatmap — Proxy-Anchor over alpha x delta: the effective number
# of positives and of negatives that carry the gradient of a proxy (pos_eff_n,
# neg_eff_n), and the loss value.
load "plots/common.gp"
eval meta_label("alpha_delta")
F = R."/alpha_delta.csv"
S = sel(F, "proxy_anchor")
W = 1450; H = 480
lg(a) = log(a) / log(2)
set xlabel "α (log_2 scale)"
set ylabel "δ (margin)"
set xtics ("4" 2, "8" 3, "16" 4, "32" 5, "64" 6, "128" 7)
set tics out nomirror
set xrange [1.5:7.5]
set yrange [-0.05:0.45]
set grid noxtics noytics
set palette defined (0 "#fff7ec", 1 "#fdbb84", 2 "#d7301f", 3 "#7f0000")
unset key
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,3 title "Proxy-Anchor over α × δ (M = 180, C = 100, D = 512, 5 per class)" margins 0.04,0.95,0.16,0.86 spacing 0.1
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  set title "pos\\_eff\\_n: positives carrying a proxy's pull (of 5)"
  plot S using (lg(column("alpha"))):"delta":"pos_eff_n" with image, \
       S using (lg(column("alpha"))):"delta":(sprintf("%.2f", column("pos_eff_n"))) with labels font ",8"
  unset label 99
  set title "neg\\_eff\\_n: negatives carrying a proxy's push (of 175)"
  plot S using (lg(column("alpha"))):"delta":"neg_eff_n" with image, \
       S using (lg(column("alpha"))):"delta":(sprintf("%.1f", column("neg_eff_n"))) with labels font ",8"
  set title "loss value"
  plot S using (lg(column("alpha"))):"delta":"value" with image, \
       S using (lg(column("alpha"))):"delta":(sprintf("%.3g", column("value"))) with labels font ",8"
  unset multiplot
  unset output
}
