# glyph_common.gp — loaded by learn_glyph_batch.gp and learn_glyph_dim.gp
# (not a figure itself): Proxy-Anchor's Recall@1 (left) and MAP@R (right)
# against one swept key on the glyph validation classes, the median over
# seeds with the seeds' min-max as error bars.  Set before loading: STUDY,
# XCOL (the swept column), XLABEL, TITLE, XT (the tick values).
load "plots/common.gp"
eval meta_label(STUDY)
F = R."/".STUDY.".csv"
S(v) = "< awk -F, -v by='".XCOL."' -v name=proxy_anchor -v val=".v." -f plots/seed_stats.awk ".F
set logscale x 2
set xtics ()
do for [x in XT] { set xtics add (x real(x)) }
set xlabel XLABEL
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
set key bottom right
W = 1300; H = 560
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title TITLE
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  do for [v in "recall_at_1 map_at_r"] {
    set ylabel (v eq "recall_at_1" ? "Recall\\@1" : "MAP\\@R")
    plot S(v) using 1:"median":"min":"max" with yerrorlines pt 7 lw 2 lc rgb loss_color("proxy_anchor") \
           title "Proxy-Anchor (median of 3 seeds, bars: min–max)"
    unset label 99
  }
  unset multiplot
  unset output
}
