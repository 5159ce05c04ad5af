# batch_time — time per step vs batch size M, log-log, with the fitted order of
# each loss (results/complexity.csv) in the legend.  Filled points: the fastest
# step's thread CPU time (cpu_min_ms, what is fitted for the proxy losses and
# MS); thin lines: median wall time per step.  Triplet's open points are its
# enumeration part alone (forward time less the forward products timed alone),
# which is what its O(M³) fit uses; the sorted walk (exact, O(M² log M)) is
# drawn and fitted beside it the same way.
load "plots/common.gp"
eval meta_label("batch")
F = R."/batch.csv"
fit_title(l) = sprintf("%s: k = %.2f ± %.2f, expected %s (%s)", loss_title(l), real(cx(l, "k")), real(cx(l, "k_stderr")), cx(l, "expected_order"), cx(l, "verdict"))
# Precompute the fit parameters (one awk call each).
NS = words(SERIES)
array K[NS]; array A[NS]; array LO[NS]; array HI[NS]
do for [i=1:NS] { l = word(SERIES, i); K[i] = real(cx(l, "k")); A[i] = real(cx(l, "prefactor_ms")); LO[i] = real(cx(l, "M_min")); HI[i] = real(cx(l, "M_max")) }
f(x, i) = (x >= LO[i] && x <= HI[i]) ? A[i] * x**K[i] : NaN
set logscale x 2
set logscale y 10
set format y "%g"
set mytics 10
set xlabel "batch size M (samples per step)"
set ylabel "time per step (ms): points fastest CPU time, dotted median wall"
set title "Time per step vs batch size (C = 100, D = 512, 8 classes per batch; fitted time ∝ M^k)"
set key top left
set xrange [12:1400]
set samples 400
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [i=1:NS] series(F, word(SERIES, i)) using "M":"cpu_min_ms" with points pt loss_pt(word(SERIES, i)) ps 0.9 lc rgb loss_color(word(SERIES, i)) notitle, \
       for [i=1:NS] series(F, word(SERIES, i)) using "M":"total_median_ms" with lines lw 0.7 dt 3 lc rgb loss_color(word(SERIES, i)) notitle, \
       series(F, "triplet") using "M":"specific_min_ms" with points pt 6 ps 0.9 lc rgb loss_color("triplet") title "triplet: enumeration part only", \
       series(F, "triplet_sorted") using "M":"specific_min_ms" with points pt 12 ps 0.9 lc rgb loss_color("triplet_sorted") title "triplet: sorted walk part only", \
       for [i=1:NS] f(x, i) with lines lw 2 lc rgb loss_color(word(SERIES, i)) notitle, \
       for [i=1:NS] NaN with linespoints pt loss_pt(word(SERIES, i)) ps 0.9 lw 2 lc rgb loss_color(word(SERIES, i)) title fit_title(word(SERIES, i))
  unset output
}
