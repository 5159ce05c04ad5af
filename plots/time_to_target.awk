# time_to_target.awk — each loss's training time to reach a Recall@1 target
# (MLPerf style: the first evaluation at or above it), the median over seeds.
#   awk -F, -v target=0.83 [-v t=train_cpu_s] -f plots/time_to_target.awk results/learn_time.csv
# t: the time column (default train_cpu_s, the training thread's CPU time:
# on a shared machine wall time also counts the time the thread waited).
# Prints a header, then a line a loss: name,median_s,seeds,reached,times
# (times: each seed's, ';' separated, "-" when a seed never reaches it).  The median counts a seed
# that never reaches the target as infinitely slow, so it is "-" when half
# or more never do.
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; if (t == "") t = "train_cpu_s"; next }
$col["kind"] == "train" {
    nm = $col["name"]; s = $col["seed"]; key = nm SUBSEP s
    if (!(nm in seen)) { seen[nm] = 1; names[++nn] = nm }
    if (!(key in got)) { got[key] = "-"; seeds[nm] = seeds[nm] " " s }
    if (got[key] == "-" && $col["recall_at_1"] + 0 >= target) got[key] = $col[t] + 0
}
END {
    print "name,median_s,seeds,reached,times"
    for (i = 1; i <= nn; i++) {
        nm = names[i]; m = split(substr(seeds[nm], 2), S, " ")
        r = 0; times = ""
        for (j = 1; j <= m; j++) {
            t = got[nm, S[j]]; times = times (j > 1 ? ";" : "") (t == "-" ? "-" : sprintf("%.1f", t))
            T[j] = t == "-" ? 1e30 : t; r += t != "-"
        }
        for (a = 2; a <= m; a++) for (b = a; b > 1 && T[b] < T[b - 1]; b--) { u = T[b]; T[b] = T[b - 1]; T[b - 1] = u }
        med = m % 2 ? T[(m + 1) / 2] : (T[m / 2] + T[m / 2 + 1]) / 2
        ms = med >= 1e29 ? "-" : sprintf("%.1f", med)
        printf "%s,%s,%d,%d,%s\n", nm, ms, m, r, times
    }
}
