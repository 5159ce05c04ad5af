# common.gp — loaded by every figure script (plots/<figure>.gp).
# Command-line variables (mk/sweep.mk passes them):
#   R    the results directory (results, or results/quick for QUICK=1)
#   OUT  the output path without extension: OUT.png and OUT.svg are written
if (!exists("R")) R = "results"
if (!exists("OUT")) OUT = "figure"
set datafile separator ","
set datafile columnheaders
# Rows by column NAME (plots/rows.awk; a figure never counts columns).
# pick(f, w): the header and the rows where w holds, w = "col=value ..."
# (space separated, every condition must hold); tpick: the same for timings,
# only the rows of TIMING_HOSTS when it is set (by a merged study's meta.gp,
# when its rows come from several CPU models: times from two CPUs do not
# belong on one curve).
TIMING_HOSTS = ""
pick(f, w) = "< awk -v where='".w."' -f plots/rows.awk ".f
tpick(f, w) = "< awk -v where='".w."' -v hosts=' ".TIMING_HOSTS." ' -f plots/rows.awk ".f
# The rows of loss or kernel n (column `name`); ... and column c equal to v.
sel(f, n) = pick(f, "name=".n)
sel2(f, n, c, v) = pick(f, "name=".n." ".c."=".v)
tsel(f, n) = tpick(f, "name=".n)
tsel2(f, n, c, v) = tpick(f, "name=".n." ".c."=".v)
# Column c of the first row where w holds (timing rows: TIMING_HOSTS), as
# the CSV writes it; cell: as a number.
cellstr(f, w, c) = system("awk -v where='".w."' -v hosts=' ".TIMING_HOSTS." ' -v get=".c." -v first=1 -f plots/rows.awk ".f)
cell(f, w, c) = real(cellstr(f, w, c))
# The distinct values of the column named c of file f, space separated.
distinct(f, c) = system("awk -v get=".c." -v uniq=1 -f plots/rows.awk ".f." | tr '\\n' ' '")
# One series of the batch study: a loss, or triplet with one algorithm
# (triplet: the enumeration, algorithm 0; triplet_sorted: algorithm 1).
series(f, s) = s eq "triplet" ? tsel2(f, "triplet", "algorithm", "0") : s eq "triplet_sorted" ? tsel2(f, "triplet", "algorithm", "1") : tsel(f, s)
# The fitted series, in complexity.csv's order (a loss each, then triplet_sorted).
SERIES = system("awk -v get=loss -f plots/rows.awk ".R."/complexity.csv 2>/dev/null | tr '\\n' ' '")
# One field of the row of complexity.csv for loss l (k, k_stderr, ...).
cx(l, field) = system("awk -v where='loss=".l."' -v get=".field." -v first=1 -f plots/rows.awk ".R."/complexity.csv")
# The losses of file f (column `name` of its loss rows), in the order they
# first appear: no figure lists the losses, it draws those the study ran.
losses_in(f) = system("awk -v where='kind=loss' -v get=name -v uniq=1 -f plots/rows.awk ".f." | tr '\\n' ' '")
# A loss's title, colour and point type come from the study's meta.gp
# (written by the sweep from the table of losses: TITLE_<name>,
# COLOUR_<name>, PT_<name>); the sorted triplet walk is a series of the
# batch study, not a loss.
loss_color(l) = l eq "triplet_sorted" ? "#303030" : exists("COLOUR_".l) ? value("COLOUR_".l) : "#777777"
loss_title(l) = l eq "triplet_sorted" ? "triplet (all, sorted walk)" : exists("TITLE_".l) ? value("TITLE_".l) : l
# A point type a series, so that curves that coincide (the two proxy losses) stay apart.
loss_pt(l) = l eq "triplet_sorted" ? 13 : exists("PT_".l) ? value("PT_".l) : 11
isa_color(i) = i eq "ref" ? "#777777" : i eq "avx2" ? "#1f78b4" : i eq "avx512" ? "#e31a1c" : "#33a02c"
if (!exists("W")) W = 900
if (!exists("H")) H = 620
# W and H are read when the terminal is set: a figure sets its own size after loading this.
PNG = "set terminal pngcairo size W,H enhanced font 'Sans,10'; set output OUT.'.png'"
SVG = "set terminal svg size W,H enhanced font 'Sans,10' background rgb 'white'; set output OUT.'.svg'"
# TABLE=1 (plots/columns_check.sh): every point each plot draws, as text in
# OUT.tab instead of the images (the SVG pass writes nothing).
if (exists("TABLE")) PNG = "set terminal dumb; set output '/dev/null'; set table OUT.'.tab'"; SVG = "set output '/dev/null'; set table '/dev/null'"
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
