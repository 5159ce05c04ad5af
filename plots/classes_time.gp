# classes_time — time per step vs number of classes C (proxies), proxy losses.
load "plots/common.gp"
eval meta_label("classes")
F = R."/classes.csv"
LOSSES = losses_in(F)
set logscale xy
set format y "%g"
set xlabel "number of classes C (proxies)"
set ylabel "time per step (ms): fastest step, bars up to the median"
set title "Time per step vs number of classes (M = 180, D = 512); dashed: forward phase alone"
set key top left
set xrange [80:14000]
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [l in LOSSES] tsel(F, l) using "C":"total_min_ms":"total_min_ms":"total_median_ms" with yerrorlines pt 7 lw 2 lc rgb loss_color(l) title loss_title(l), \
       for [l in LOSSES] tsel(F, l) using "C":"fwd_min_ms" with lines dt 2 lw 1.5 lc rgb loss_color(l) notitle
  unset output
}
