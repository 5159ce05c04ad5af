# learn_common.gp — loaded by learn_batch.gp and learn_dim.gp (not a figure
# itself): Recall@1 of the losses in LOSSES (default Proxy-Anchor, the one
# the studies train since Multi-Similarity was dropped) against one swept
# key, the median over seeds with the seeds' min-max as error bars, and the
# PyTorch reference's Proxy-Anchor points (4 epochs) as open diamonds.
# Set before loading: STUDY, XCOL (the swept column), XLABEL, TITLE, and
# REFX / REFY (space-separated reference points, Proxy-Anchor), XT (the
# tick values).
load "plots/common.gp"
eval meta_label(STUDY)
F = R."/".STUDY.".csv"
if (!exists("LOSSES")) LOSSES = "proxy_anchor"
set logscale x 2
set xtics ()
do for [v in XT] { set xtics add (v real(v)) }
set xlabel XLABEL
set ylabel "Recall\\@1 (closed protocol, test images as queries)"
set title TITLE
set key top right
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [l in LOSSES] seeds(F, XCOL, l) using 1:"median":"min":"max" with yerrorlines pt 7 lw 2 lc rgb loss_color(l) \
         title sprintf("%s (median of 3 seeds, bars: min–max)", loss_title(l)), \
       for [i=1:words(REFX)] '+' using (real(word(REFX, i))):(real(word(REFY, i))) every ::0::0 with points pt 12 ps 2 lw 1.5 lc rgb loss_color("proxy_anchor") \
         title (i == 1 ? "Proxy-Anchor, PyTorch + PML reference, 4 epochs" : "")
  unset output
}
