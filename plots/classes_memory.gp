# classes_memory — what a step at C classes holds and moves: its peak resident
# memory (the point's VmHWM over the resident set before it), the bytes of
# P it streams per step by the library's model, and the size of P itself.
load "plots/common.gp"
eval meta_label("classes")
F = R."/classes.csv"
F512 = R."/classes_d512.csv"   # make sweep-scale
FILES = F.(system("test -f ".F512." && echo 1") eq "1" ? " ".F512 : "")
set logscale xy
set format y "%g"
set xlabel "number of classes C (proxies)"
set ylabel "MB"
set title "Peak resident memory (points) and bytes of P moved per step (lines) vs C (M = 180)"
set key top left
set xrange [80:1.5e6]
# filled at D = 128, open at D = 512; a shape a loss (loss_pt), so the two never hide each other
pt_of(l, f) = f eq F ? loss_pt(l) : loss_pt(l) - 1
# A CSV written before these columns existed (the results committed from an
# older run) gets a figure that says so, not a gnuplot error.
HAS = int(system("head -1 ".F." | tr , '\\n' | grep -c '^peak_rss_mb$'"))
if (!HAS) {
  unset logscale; set xrange [0:1]; set yrange [0:1]; unset key
  set label 1 F." has no peak_rss_mb column (written before it existed): rerun make sweep" at graph 0.5, graph 0.5 center
  do for [T in "png svg"] { eval (T eq "png" ? PNG : SVG); set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"; plot NaN notitle; unset output }
  exit
}
do for [T in "png svg"] {
  eval (T eq "png" ? PNG : SVG)
  set label 99 META at screen 0.01, screen 0.015 font ",8" tc rgb "#555555"
  plot for [f in FILES] for [l in "proxy_anchor proxy_nca"] tsel(f, l) using "C":"peak_rss_mb" with points pt pt_of(l, f) ps 1.2 lc rgb loss_color(l) title loss_title(l)." peak RSS, D=".distinct(f, "D"), \
       for [f in FILES] for [l in "proxy_anchor proxy_nca"] tsel(f, l) using "C":"p_mb_per_step" with lines lw 1.5 dt 2 lc rgb loss_color(l) title loss_title(l)." P moved a step, D=".distinct(f, "D"), \
       for [f in FILES] tsel(f, "proxy_anchor") using "C":(column("C") * column("D") * 4e-6) with lines lw 1 lc rgb "#333333" title "size of P, D=".distinct(f, "D")
  unset output
}
