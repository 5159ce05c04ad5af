# threads_scaling — speedup over one thread (fastest step) against the number of
# OpenMP threads, each bound to its own core with hwloc.
load "plots/common.gp"
eval meta_label("threads")
F = R."/threads.csv"
# the fastest step (total_min_ms: the least disturbed by other load) at one thread
t1(l) = cell(F, "name=".l." threads=1", "total_min_ms")
TH = distinct(F, "threads")
NT = real(word(TH, words(TH)))
LOSSES = losses_in(F)
NL = words(LOSSES)
array T1[NL]
do for [i=1:NL] { T1[i] = t1(word(LOSSES, i)) }
set xlabel "OpenMP threads (one per core, bound with hwloc)"
set ylabel "speedup over 1 thread (fastest step time)"
set title "Thread scaling (M = 1024, C = 1000, D = 512, 8 classes per batch)"
set xrange [0.8:NT + 0.2]
set yrange [0:*]  # up to the data: a speed-up past NT (superlinear, or a disturbed 1-thread step) must show
set xtics 1
set key top left
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot x with lines dt 2 lc rgb "#888888" title "ideal", \
       for [i=1:NL] tsel(F, word(LOSSES, i)) using "threads":(T1[i] / column("total_min_ms")) with linespoints pt 7 lw 2 lc rgb loss_color(word(LOSSES, i)) \
       title sprintf("%s (1 thread: %.1f ms)", loss_title(word(LOSSES, i)), T1[i])
  unset output
}
