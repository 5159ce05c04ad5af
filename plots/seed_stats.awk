# seed_stats.awk — the seeds' spread of a learning study, for its figures.
#   awk -F, -v by="M" [-v name=ms] [-v val=recall_at_1] [-v x=train_s] [-v all=1] -f plots/seed_stats.awk FILE.csv
# Rows: kind train or baseline, of loss `name` (every name when empty), at
# the last evaluation of their point (epoch = epochs; every evaluation with
# all=1).  Groups: the values of the columns in `by` (space separated; the
# seeds of one setting fall into one group).  Prints, a group a line in the
# order the groups first appear: the `by` values, then the median, min and
# max of `val` over the group, its count, and the median of column `x`
# (when given), comma separated, under a header line of those names (the
# `by` columns, median, min, max, n, x).
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; nby = split(by, B, " "); if (val == "") val = "recall_at_1"; next }
($col["kind"] == "train" || $col["kind"] == "baseline") && (name == "" || $col["name"] == name) {
    if (!all && $col["kind"] == "train" && $col["epoch"] != $col["epochs"]) next
    k = ""
    for (i = 1; i <= nby; i++) k = k (i > 1 ? "," : "") $col[B[i]]
    if (!(k in n)) order[++ng] = k
    n[k]++; v[k, n[k]] = $col[val] + 0
    if (x != "") xs[k, n[k]] = $col[x] + 0
}
function median(a, k, m,    i, j, t, s) {
    for (i = 1; i <= m; i++) s[i] = a[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && s[j] < s[j - 1]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t }
    lo = s[1]; hi = s[m]
    return m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
}
END {
    h = by; gsub(/ /, ",", h)
    print h ",median,min,max,n" (x != "" ? ",x" : "")
    for (g = 1; g <= ng; g++) {
        k = order[g]
        med = median(v, k, n[k])
        line = sprintf("%s,%.6g,%.6g,%.6g,%d", k, med, lo, hi, n[k])
        if (x != "") line = line sprintf(",%.6g", median(xs, k, n[k]))
        print line
    }
}
