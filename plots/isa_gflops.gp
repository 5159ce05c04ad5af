# isa_gflops — throughput per instruction set: the GEMM kernel (GFLOP/s), the
# masked LSE and the normalisation (G elements/s), and whole loss steps
# (GFLOP/s of their products), against D.
load "plots/common.gp"
eval meta_label("isa")
F = R."/isa.csv"
LOSSES = losses_in(F)
ISAS = distinct(F, 5)
MS_ = distinct(F, 7)
MBIG = word(MS_, words(MS_))
W = 1500; H = 520
PNG = "set terminal pngcairo size W,H enhanced font 'Sans,10'; set output OUT.'.png'"
SVG = "set terminal svg size W,H enhanced font 'Sans,10' background rgb 'white'; set output OUT.'.svg'"
set logscale x 2
set logscale y
set format y "%g"
set xlabel "embedding dimension D"
set key top left font ",8"
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,3 title sprintf("Throughput per instruction set (C = 100; M = %s unless noted)", MBIG) margins 0.05,0.965,0.15,0.86 spacing 0.06
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  set title "gemm kernel, S = X̂P̂^T (M×D by D×C)"
  set ylabel "GFLOP/s"
  plot for [i in ISAS] for [m in MS_] tsel2(F, "gemm", 5, i) using "D":((column("M") == real(m)) ? column("gflops_median") : NaN) \
       with linespoints pt (m eq MBIG ? 7 : 6) dt 1+(m eq MBIG ? 0 : 1) lw 2 lc rgb isa_color(i) title sprintf("%s, M = %s", i, m)
  unset label 99
  set title "lse (M×C entries) and normalize (M×D)"
  set ylabel "G elements/s"
  plot for [i in ISAS] tsel2(F, "lse", 5, i) using "D":((column("M") == real(MBIG)) ? column("gelem_per_s") : NaN) with linespoints pt 7 lw 2 lc rgb isa_color(i) title ("lse, ".i), \
       for [i in ISAS] tsel2(F, "normalize", 5, i) using "D":((column("M") == real(MBIG)) ? column("gelem_per_s") : NaN) with linespoints pt 4 dt 2 lw 2 lc rgb isa_color(i) title ("normalize, ".i)
  set title "loss steps: products' FLOP / step time"
  set ylabel "GFLOP/s (median step)"
  set yrange [0.02:300]
  set key bottom center maxrows 4 font ",7" width -2
  plot for [i in ISAS] for [l in LOSSES] tsel2(F, l, 5, i) using "D":((column("M") == real(MBIG)) ? column("gflops_median") : NaN) \
       with linespoints pt 7 dt 1+(i eq "ref" ? 2 : i eq "avx2" ? 1 : 0) lw 2 lc rgb loss_color(l) title (loss_title(l).", ".i)
  unset multiplot
  unset output
  set autoscale y
  set key top left font ",8" maxrows auto
}
