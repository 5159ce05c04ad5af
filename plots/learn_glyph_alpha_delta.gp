# learn_glyph_alpha_delta — Proxy-Anchor over alpha x delta on the glyph
# validation classes (the paper's heat map): left the median Recall@1, right
# the median MAP@R over three seeds, each cell printed with its seeds' range
# (max - min).  The paper's optimum is alpha 32, delta 0.1 (the middle column, top row).
load "plots/common.gp"
eval meta_label("learn_glyph_alpha_delta")
F = R."/learn_glyph_alpha_delta.csv"
S(v) = "< awk -F, -v by='alpha delta' -v name=proxy_anchor -v val=".v." -f plots/seed_stats.awk ".F
W = 1450; H = 560
lg(a) = log(a) / log(2)
set xlabel "α (log_2 scale)"
set ylabel "δ (margin)"
set xtics ("8" 3, "32" 5, "128" 7)
set ytics 0.1
set tics out nomirror
set xrange [2:8]
set yrange [-0.05:0.15]
set grid noxtics noytics
unset key
set cbtics format "%.3f"
set palette defined (0 "#fff7bc", 1 "#c7e9b4", 2 "#7fcdbb", 3 "#41b6c4")
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set multiplot layout 1,2 title "Glyphs, 300 validation classes: Proxy-Anchor over α × δ, 1024→512→128, M = 180, proxies at 1 × lr, 4 epochs (median of 3 seeds; ± the seeds' range)" margins 0.05,0.93,0.15,0.86 spacing 0.14
  set label 99 META at screen 0.01, screen 0.02 font ",8" tc rgb "#555555"
  do for [v in "recall_at_1 map_at_r"] {
    set title (v eq "recall_at_1" ? "median Recall\\@1" : "median MAP\\@R")
    plot S(v) using (lg(column("alpha"))):"delta":"median" with image, \
         S(v) using (lg(column("alpha"))):"delta":(sprintf("%.4f\n±%.4f", column("median"), (column("max") - column("min")) / 2)) with labels font ",9"
    unset label 99
  }
  unset multiplot
  unset output
}
