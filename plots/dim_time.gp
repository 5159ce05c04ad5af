# dim_time — time per step vs embedding dimension D, every loss of the study.
load "plots/common.gp"
eval meta_label("dim")
F = R."/dim.csv"
LOSSES = losses_in(F)
set logscale xy 2
set format y "%g"
set xlabel "embedding dimension D"
set ylabel "time per step (ms): fastest step, bars up to the median"
set title "Time per step vs embedding dimension (M = 180, C = 100, 5 per class)"
set key top left
set xrange [50:1300]
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [l in LOSSES] tsel(F, l) using "D":"total_min_ms":"total_min_ms":"total_median_ms" with yerrorlines pt 7 lw 2 lc rgb loss_color(l) title loss_title(l)
  unset output
}
