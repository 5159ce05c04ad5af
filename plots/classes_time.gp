# classes_time — time per step vs number of classes C (proxies), proxy losses,
# at each D of the study (D = 128 solid, 512 dashed), C = 10^2 ... 10^6.
load "plots/common.gp"
eval meta_label("classes")
F = R."/classes.csv"
DS = distinct(F, "D")
LOSSES = losses_in(F)
set logscale xy
set format y "%g"
set xlabel "number of classes C (proxies)"
set ylabel "time per step (ms): fastest step, bars up to the median"
set title "Time per step vs number of classes (M = 180; D = 128 solid, D = 512 dashed)"
set key top left
set xrange [80:1.5e6]
dash(d) = d eq "128" ? 1 : 2
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [l in LOSSES] for [d in DS] tsel2(F, l, "D", d) using "C":"total_min_ms":"total_min_ms":"total_median_ms" with yerrorlines pt 7 lw 2 dt dash(d) lc rgb loss_color(l) title loss_title(l)." D=".d
  unset output
}
