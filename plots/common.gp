# common.gp — loaded by every figure script (plots/<figure>.gp).
# Command-line variables (mk/sweep.mk passes them):
#   R    the results directory (results, or results/quick for QUICK=1)
#   OUT  the output path without extension: OUT.png and OUT.svg are written
if (!exists("R")) R = "results"
if (!exists("OUT")) OUT = "figure"
set datafile separator ","
set datafile columnheaders
# Rows of one loss or kernel (column 4, `name`), header kept for column("...").
sel(f, n) = "< awk -F, 'NR==1 || $4==\"".n."\"' ".f
# ... and column c equal to v (c a column number).
sel2(f, n, c, v) = "< awk -F, 'NR==1 || ($4==\"".n."\" && $".c."==\"".v."\")' ".f
# The same for timings: only the rows of TIMING_HOSTS when it is set (by a
# merged study's meta.gp, when its rows come from several CPU models: times
# from two CPUs do not belong on one curve).
TIMING_HOSTS = ""
hostsel = "NR==1{for(i=1;i<=NF;i++)if($i==\"host\")h=i} "
hostok = "(hs ~ /^ *$/ || index(hs, \" \" $h \" \"))"
tsel(f, n) = "< awk -F, -v hs=' ".TIMING_HOSTS." ' '".hostsel."NR==1 || ($4==\"".n."\" && ".hostok.")' ".f
tsel2(f, n, c, v) = "< awk -F, -v hs=' ".TIMING_HOSTS." ' '".hostsel."NR==1 || ($4==\"".n."\" && $".c."==\"".v."\" && ".hostok.")' ".f
# ... and the column named c equal to v.
# (timings: only the rows of TIMING_HOSTS, as tsel below)
selc(f, n, c, v) = "< awk -F, -v hs=' ".TIMING_HOSTS." ' 'NR==1{for(i=1;i<=NF;i++){g[$i]=i; if($i==\"host\")h=i}; print; next} $4==\"".n."\" && $g[\"".c."\"]==\"".v."\" && ".hostok."' ".f
# One series of the batch study: a loss, or triplet with one algorithm
# (triplet: the enumeration, algorithm 0; triplet_sorted: algorithm 1).
series(f, s) = s eq "triplet" ? selc(f, "triplet", "algorithm", "0") : s eq "triplet_sorted" ? selc(f, "triplet", "algorithm", "1") : tsel(f, s)
SERIES = "proxy_anchor proxy_nca ms triplet triplet_sorted"
# One field of the row of complexity.csv for loss l (k, k_stderr, ...).
cx(l, field) = system("awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} NR>1 && $1==\"".l."\"{print $c[\"".field."\"]}' ".R."/complexity.csv")
# The distinct values of column c (a number) of file f, space separated.
distinct(f, c) = system("awk -F, 'NR>1 && $".c."!=\"\"{print $".c."}' ".f." | awk '!s[$0]++' | tr '\\n' ' '")
LOSSES = "proxy_anchor proxy_nca ms triplet"
loss_color(l) = l eq "proxy_anchor" ? "#1b9e77" : l eq "proxy_nca" ? "#d95f02" : l eq "ms" ? "#7570b3" : l eq "triplet_sorted" ? "#a6761d" : "#e7298a"
loss_title(l) = l eq "proxy_anchor" ? "Proxy-Anchor" : l eq "proxy_nca" ? "Proxy-NCA" : l eq "ms" ? "Multi-Similarity" : l eq "triplet_sorted" ? "triplet (all, sorted walk)" : "triplet (all)"
isa_color(i) = i eq "ref" ? "#777777" : i eq "avx2" ? "#1f78b4" : i eq "avx512" ? "#e31a1c" : "#33a02c"
if (!exists("W")) W = 900
if (!exists("H")) H = 620
PNG = "set terminal pngcairo size W,H enhanced font 'Sans,10'; set output OUT.'.png'"
SVG = "set terminal svg size W,H enhanced font 'Sans,10' background rgb 'white'; set output OUT.'.svg'"
# The provenance label (machine, ISA, commit), from <study>.meta.gp.
meta_label(study) = sprintf("load '%s/%s.meta.gp'", R, study)
set grid lc rgb "#dddddd"
set bmargin 5.5
set key box opaque samplen 2
# The learning studies: the seeds' spread (plots/seed_stats.awk) grouped by
# the columns in `by` (space separated), for loss n ("": every name), at the
# last evaluation of each point: columns median, min, max, n.
seeds(f, by, n) = "< awk -F, -v by='".by."' -v name='".n."' -f plots/seed_stats.awk ".f
# ... every evaluation of loss n by epoch, with x = the median training time
# (CPU time of the training thread: on a shared machine wall time also
# counts the time it waited).
seeds_curve(f, n) = "< awk -F, -v by=epoch -v name='".n."' -v x=train_cpu_s -v all=1 -f plots/seed_stats.awk ".f
# Field `field` (median, min, max) of the group whose `by` values are v
# (comma separated), as a number.
seed_stat(f, by, n, v, field) = real(system("awk -F, -v by='".by."' -v name='".n."' -f plots/seed_stats.awk ".f." | awk -F, -v v='".v."' -v fl='".field."' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} index($0, v \",\")==1{print $c[fl]}'"))
