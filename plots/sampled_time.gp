# sampled_time — time per step vs the ratio r of sampled proxies (proxy_sample),
# Proxy-Anchor and Proxy-NCA, one curve a loss and C (C = 10^6 solid, 10^5
# dashed); the dotted line is r × the full step's time at C = 10^6 (a step that
# costs in proportion to the rows it touches).  CPU time of the step's thread
# (one thread): on a shared machine the wall time is mostly the queue's.
load "plots/common.gp"
eval meta_label("sampled")
F = R."/sampled.csv"
LOSSES = losses_in(F)
CS = distinct(F, "C")
CMAX = word(CS, words(CS))
set logscale xy
set format y "%g"
set xlabel "sampled proxies r (share of the C classes)"
set ylabel "CPU time per step (ms, the thread's clock): fastest, bars up to the median"
set title "Time per step vs sampled proxies (M = 180, D = 128, one thread)"
set key top left
set xrange [0.007:1.4]
dash(c) = c eq CMAX ? 1 : 2
full(l) = cell(F, "name=".l." C=".CMAX." proxy_sample=1", "cpu_min_ms")
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [c in CS] for [l in LOSSES] tsel2(F, l, "C", c) using "proxy_sample":"cpu_min_ms":"cpu_min_ms":"cpu_median_ms" with yerrorlines pt loss_pt(l) lw 2 dt dash(c) lc rgb loss_color(l) title loss_title(l)." C=".c, \
       for [l in LOSSES] x * full(l) with lines dt 3 lw 1 lc rgb loss_color(l) title loss_title(l)." r × full step, C=".CMAX
  unset output
}
