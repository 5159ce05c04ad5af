# top1_share — how much of a side's pull goes to its single hardest member,
# against the loss's sharpness parameter.  1/n = every member pulls equally.
# Proxy-NCA's anchors are samples with one positive proxy each, so its pos_*
# is undefined; the figure uses proxy_pos_top1_share (a proxy's pull over the
# samples of its class), the same view as Proxy-Anchor's pos_top1_share.
load "plots/common.gp"
eval meta_label("alpha_delta")
F = R."/alpha_delta.csv"
# Proxy-Anchor's share is the same at every δ (δ scales a proxy's positive
# weights alike, exp(αδ)): one curve, at the first δ of the grid, instead of
# several drawn on each other.
PA_DELTA = cellstr(F, "name=proxy_anchor", "delta")
W = 1300; H = 520
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "Hardness weighting of positives (M = 180, C = 100, D = 512, 5 per class)" margins 0.06,0.94,0.15,0.86 spacing 0.1
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  set logscale x 2
  set xlabel "α (Proxy-Anchor, MS) or scale s (Proxy-NCA)"
  set ylabel "top1\\_share of the positives (largest |G| / Σ|G|)"
  set yrange [0:1.05]
  set key top left
  unset y2tics
  unset y2label
  set ytics mirror
  set title "proxy losses and MS"
  plot sel2(F, "proxy_anchor", "delta", PA_DELTA) using "alpha":"pos_top1_share" with linespoints pt 7 lw 2 lc rgb loss_color("proxy_anchor") title "Proxy-Anchor (every δ): pos\\_top1\\_share", \
       sel(F, "proxy_nca") using "scale":"proxy_pos_top1_share" with linespoints pt 5 lw 2 lc rgb loss_color("proxy_nca") title "Proxy-NCA: proxy\\_pos\\_top1\\_share", \
       sel2(F, "ms", "beta", "50") using "alpha":"pos_top1_share" with linespoints pt 9 lw 2 lc rgb loss_color("ms") title "MS (β = 50): pos\\_top1\\_share", \
       0.2 with lines dt 3 lc rgb "#444444" title "1/5: uniform over 5 (a proxy's samples)", \
       0.25 with lines dt 4 lc rgb "#888888" title "1/4: uniform over 4 (MS anchor's positives)"
  unset label 99
  unset logscale x
  set logscale x 2
  set xlabel "margin m"
  set xtics (0.05, 0.1, 0.2, 0.4, 0.8)
  set title "triplet (all triplets)"
  # active_frac is another quantity: its own axis, on the right
  set ytics nomirror
  set y2label "active\\_frac (share of triplets with a loss > 0)"
  set y2range [0:1.35]
  set y2tics 0.2
  set yrange [0:1.35]
  set key top right
  plot sel(F, "triplet") using "margin":"pos_top1_share" axes x1y1 with linespoints pt 7 lw 2 lc rgb loss_color("triplet") title "pos\\_top1\\_share (left axis)", \
       sel(F, "triplet") using "margin":"active_frac" axes x1y2 with linespoints pt 6 dt 2 lc rgb "#555555" title "active\\_frac (right axis)", \
       0.25 axes x1y1 with lines dt 4 lc rgb "#888888" title "1/4: uniform (left axis)"
  unset multiplot
  unset output
}
