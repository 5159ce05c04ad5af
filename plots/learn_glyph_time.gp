# learn_glyph_time — the paper's Figure 1 on the glyph set's test classes:
# Recall@1 (left) and MAP@R (right) against training time, Figure 1's four
# losses and NormalizedSoftmax (a proxy loss of the paper's tables), each
# with the setting chosen on the validation classes;
# the median over three seeds at each evaluation (epoch 0 = untrained, then
# every eval_every epochs), x = the
# median training CPU time so far, band = the seeds' min-max; dashed: the
# pixels (x / 255), the retrieval with no learning at all.
load "plots/common.gp"
eval meta_label("learn_glyph_time")
F = R."/learn_glyph_time.csv"
LOSSES = "proxy_anchor proxy_nca ms triplet normalized_softmax"
curve(n, v) = "< awk -F, -v by=epoch -v name='".n."' -v val=".v." -v x=train_cpu_s -v all=1 -f plots/seed_stats.awk ".F
px(v) = seed_stat_v(F, "name", "pixels", "pixels", v)
seed_stat_v(f, by, n, k, v) = real(system("awk -F, -v by='".by."' -v name='".n."' -v val=".v." -f plots/seed_stats.awk ".f." | awk -F, -v k='".k."' 'NR>1 && index($0, k \",\")==1{print $2}'"))
W = 1400; H = 600
set xlabel "training time (s, CPU time of the one training thread; evaluations excluded)"
set key bottom right
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "Glyphs, 700 test classes never seen: retrieval vs training time, 1024→512→128, M = 180 (4 a class), AdamW 1e-3, 4 epochs (median of 3 seeds, band: min–max)"
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  do for [v in "recall_at_1 map_at_r"] {
    set ylabel (v eq "recall_at_1" ? "Recall\\@1" : "MAP\\@R")
    P = px(v)
    plot for [l in LOSSES] curve(l, v) using "x":"min":"max" with filledcurves fs transparent solid 0.18 noborder lc rgb loss_color(l) notitle, \
         for [l in LOSSES] curve(l, v) using "x":"median" with linespoints pt 7 ps 0.8 lw 2 lc rgb loss_color(l) title loss_title(l), \
         P with lines dt 2 lw 1.5 lc rgb "#444444" title sprintf("pixels, x / 255: %.4f", P)
    unset label 99
  }
  unset multiplot
  unset output
}
