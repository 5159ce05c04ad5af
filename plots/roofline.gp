# roofline — every proxy step and the S product placed by arithmetic intensity
# (FLOPs over the bytes the step moves by the library's model, dml_ctx_traffic)
# against the FP32 FMA peak and the triad bandwidth measured in the same run
# (dmlbench bench --roofline -> R/roofline.csv; docs/bench.md, "The roofline").
load "plots/common.gp"
load R."/roofline.meta.gp"
F = R."/roofline.csv"
stats F using "peak1_gflops" nooutput
P1 = STATS_max
stats F using "peakn_gflops" nooutput
PN = STATS_max
stats F using "bw1_gbps" nooutput
B1 = STATS_max
stats F using "bwn_gbps" nooutput
BN = STATS_max
stats F using "roof_threads" nooutput
NT = int(STATS_max)
roof(x, p, b) = (b * x < p ? b * x : p)
set logscale xy
set format y "%g"
set xlabel "arithmetic intensity (FLOP per byte moved, by the library's traffic model)"
set ylabel "GFLOP/s (fastest step, one thread)"
set title sprintf("Roofline: proxy steps at M = 180, D = 128, C = 10^2 ... 10^6; ridge %.1f FLOP/B (1 thread)", P1 / B1)
set xrange [2:200]
set yrange [10:PN * 1.5]
set key bottom right
set samples 400
# The rows of one kind, name and variant (by column name, plots/rows.awk).
rsel(k, n, v) = pick(F, "kind=".k." name=".n." variant=".v)
VARIANTS = "unfused fused fused_bf16 products"
vpt(v) = v eq "unfused" ? 6 : v eq "fused" ? 7 : v eq "fused_bf16" ? 9 : 4
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot roof(x, P1, B1) with lines lw 2 lc rgb "#333333" title sprintf("roof, 1 thread (%.0f GFLOP/s, %.1f GB/s)", P1, B1), \
       roof(x, PN, BN) with lines lw 1.5 dt 2 lc rgb "#777777" title sprintf("roof, %d threads (%.0f GFLOP/s, %.1f GB/s)", NT, PN, BN), \
       for [l in "proxy_anchor proxy_nca"] for [v in VARIANTS] rsel("step", l, v) using "ai":"gflops" with linespoints pt vpt(v) ps 1.3 lw 1 lc rgb loss_color(l) title loss_title(l)." ".v noenhanced, \
       rsel("kernel", "gemm_S", "-") using "ai":"gflops" with linespoints pt 5 ps 1.1 lc rgb "#7570b3" title "S = P X^T alone (kernel)", \
       rsel("step", "proxy_nca", "fused") using "ai":"gflops":(sprintf("C=%g", column("C"))) with labels offset 0, 1.2 font ",7" notitle
  unset output
}
