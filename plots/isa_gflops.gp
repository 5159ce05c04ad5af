# isa_gflops — throughput per instruction set: the GEMM kernel (GFLOP/s), the
# masked LSE and the normalisation (G elements/s), and whole loss steps
# (GFLOP/s of their products), against D.
load "plots/common.gp"
eval meta_label("isa")
F = R."/isa.csv"
LOSSES = losses_in(F)
ISAS = distinct(F, "isa")
MS_ = distinct(F, "M")
MBIG = word(MS_, words(MS_))
W = 1500; H = 520
set logscale x 2
set logscale y
set format y "%g"
set xlabel "embedding dimension D"
set key top left font ",8" maxrows 4
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,3 title sprintf("Throughput per instruction set (C = 100; M = %s unless noted)", MBIG) margins 0.05,0.965,0.15,0.86 spacing 0.06
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  set yrange [1:3000]
  set title "gemm kernel, S = X̂P̂^T (M×D by D×C)"
  set ylabel "GFLOP/s"
  plot for [i in ISAS] for [m in MS_] tsel2(F, "gemm", "isa", i) using "D":((column("M") == real(m)) ? column("gflops_median") : NaN) \
       with linespoints pt (m eq MBIG ? 7 : 6) dt 1+(m eq MBIG ? 0 : 1) lw 2 lc rgb isa_color(i) title sprintf("%s, M = %s", i, m)
  unset label 99
  set yrange [0.01:100]
  set title "lse (M×C entries) and normalize (M×D)"
  set ylabel "G elements/s"
  plot for [i in ISAS] tsel2(F, "lse", "isa", i) using "D":((column("M") == real(MBIG)) ? column("gelem_per_s") : NaN) with linespoints pt 7 lw 2 lc rgb isa_color(i) title ("lse, ".i), \
       for [i in ISAS] tsel2(F, "normalize", "isa", i) using "D":((column("M") == real(MBIG)) ? column("gelem_per_s") : NaN) with linespoints pt 4 dt 2 lw 2 lc rgb isa_color(i) title ("normalize, ".i)
  set title "loss steps: products' FLOP / step time"
  set ylabel "GFLOP/s (median step)"
  set yrange [0.1:3000]
  # colour: the loss, line: the ISA (a legend entry each, not one a pair)
  isa_dt(i) = i eq "ref" ? 3 : i eq "avx2" ? 2 : i eq "avx512" || i eq "neon" ? 1 : 4
  set key maxrows 6  # ten entries in two columns: three ran past the panel
  plot for [i in ISAS] for [l in LOSSES] tsel2(F, l, "isa", i) using "D":((column("M") == real(MBIG)) ? column("gflops_median") : NaN) \
       with linespoints pt loss_pt(l) dt isa_dt(i) lw 2 lc rgb loss_color(l) notitle, \
       for [l in LOSSES] NaN with linespoints pt loss_pt(l) lw 2 lc rgb loss_color(l) title loss_title(l), \
       for [i in ISAS] NaN with lines dt isa_dt(i) lw 2 lc rgb "#444444" title i
  unset multiplot
  unset output
  set autoscale y
}
