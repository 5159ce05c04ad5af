# classes_time — time per step vs number of classes C (proxies), proxy losses,
# C = 10^2 ... 10^6: D = 128 (the classes study, solid) and, once make
# sweep-scale has written it, D = 512 (classes_d512, dashed).
load "plots/common.gp"
eval meta_label("classes")
F = R."/classes.csv"
F512 = R."/classes_d512.csv"
FILES = F.(system("test -f ".F512." && echo 1") eq "1" ? " ".F512 : "")
LOSSES = losses_in(F)
set logscale xy
set format y "%g"
set xlabel "number of classes C (proxies)"
set ylabel "time per step (ms): fastest step, bars up to the median"
set title "Time per step vs number of classes (M = 180; D = 128".(FILES eq F ? ")" : " solid, D = 512 dashed)")
set key top left
set xrange [80:1.5e6]
dash(f) = f eq F ? 1 : 2
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [f in FILES] for [l in LOSSES] tsel(f, l) using "C":"total_min_ms":"total_min_ms":"total_median_ms" with yerrorlines pt 7 lw 2 dt dash(f) lc rgb loss_color(l) title loss_title(l)." D=".distinct(f, "D")
  unset output
}
