# learn_time — Recall@1 against training time (the paper's Figure 1): the
# median over three seeds at each evaluation (epoch 0 = untrained, then
# every epoch), x = the median training time so far (evaluations excluded;
# the thread's CPU time, as wall time on a shared machine counts the waits),
# the seeds' min-max as a band; the legend gives each loss's time to the
# Recall@1 target (first evaluation at or above it, median over seeds:
# plots/time_to_target.awk).  Dashed: the pixel baselines; open diamonds:
# the PyTorch reference after 4 epochs, drawn at our 4-epoch time.
load "plots/common.gp"
eval meta_label("learn_time")
F = R."/learn_time.csv"
TARGET = 0.83
ttt(l) = system("awk -F, -v target=".sprintf("%g", TARGET)." -f plots/time_to_target.awk ".F." | awk -v where=name=".l." -v get=median_s -v first=1 -f plots/rows.awk")
lt(l) = loss_title(l) . (l eq "proxy_nca" ? " (include\\_positive 1)" : "")
ttt_title(l) = ttt(l) eq "-" ? sprintf("%s: R\\@1 %.2f not reached (median of seeds)", lt(l), TARGET) : sprintf("%s: %s s to R\\@1 %.2f", lt(l), ttt(l), TARGET)
# The losses with a PyTorch + PML reference (REF, in this order).
LOSSES = "proxy_anchor proxy_nca ms triplet"
REF = "0.843 0.853 0.850 0.849"
px(n) = seed_stat(F, "name", n, n, "median")
set xlabel "training time (s, CPU time of the one training thread; evaluations excluded)"
set ylabel "Recall\\@1 (closed protocol, test images as queries)"
set title "Recall\\@1 vs training time: Fashion-MNIST, 784→512→128, M = 180, AdamW 1e-3 (median of 3 seeds, band: min–max)"
set key outside right top
W = 1250
set offsets 0, graph 0.03, 0, 0
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [l in LOSSES] seeds_curve(F, l) using "x":"min":"max" with filledcurves fs transparent solid 0.18 noborder lc rgb loss_color(l) notitle, \
       for [l in LOSSES] seeds_curve(F, l) using "x":"median" with linespoints pt 7 ps 0.8 lw 2 lc rgb loss_color(l) title ttt_title(l), \
       for [i=1:4] seeds_curve(F, word(LOSSES, i)) using "x":((column("epoch") == 4) ? real(word(REF, i)) : NaN) with points pt 12 ps 1.8 lw 1.5 lc rgb loss_color(word(LOSSES, i)) notitle, \
       NaN with points pt 12 ps 1.8 lc rgb "#444444" title "PyTorch + PML reference, 4 epochs", \
       px("pixels") with lines dt 2 lw 1.5 lc rgb "#444444" title sprintf("pixels, x / 255: %.4f", px("pixels")), \
       px("pixels_standardised") with lines dt 3 lw 1.5 lc rgb "#888888" title sprintf("pixels, standardised: %.4f", px("pixels_standardised")), \
       TARGET with lines dt 4 lw 1 lc rgb "#bbbbbb" title sprintf("target R\\@1 %.2f", TARGET)
  unset output
}
