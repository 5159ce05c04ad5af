# pivot.awk — a markdown table of one column of a results CSV: a row per value
# of `rows`, a column per value of `cols` (space-separated column names, joined),
# each cell the value of `val`, or the median (min–max) when several rows (seeds)
# fall into it.
#   awk -F, -v rows=M -v cols=name -v val=cpu_min_ms [-v where="kind=loss"]
#       [-v last=1] [-v fmt=%.3g] [-v label=M] -f lib.awk -f pivot.awk FILE.csv
# last=1 keeps only the last evaluation of a training.  Rows and columns keep
# the order they first appear in, rows sorted numerically when they are numbers.
NR == 1 { header(); if (fmt == "") fmt = "%.3g"; if (label == "") label = rows; nc = split(cols, C, " "); next }
passes(where) && (!last || last_eval()) && get(val) != "" {
    r = get(rows); c = ""
    for (i = 1; i <= nc; i++) if (get(C[i]) != "") c = c (c == "" ? "" : " ") get(C[i])
    if (!(r in seen_r)) { seen_r[r] = 1; R[++nr] = r }
    if (!(c in seen_c)) { seen_c[c] = 1; K[++nk] = c }
    n[r, c]++; v[r, c, n[r, c]] = get(val) + 0
}
END {
    if (nr == 0) { print "(no rows of this kind in this run)"; exit 0 }
    sort_keys(R, nr)
    line = "| " label; sep = "|---"
    for (j = 1; j <= nk; j++) { line = line " | " pretty(K[j]); sep = sep "|---" }
    print line " |"; print sep "|"
    for (i = 1; i <= nr; i++) {
        line = "| " pretty(R[i])
        for (j = 1; j <= nk; j++) {
            m = n[R[i], K[j]]
            if (!m) { line = line " | –"; continue }
            for (k = 1; k <= m; k++) a[k] = v[R[i], K[j], k]
            med = median_of(a, m)
            cell = sprintf(fmt, med)
            if (m > 1 && hi > lo) cell = cell sprintf(" (" fmt "–" fmt ")", lo, hi)
            line = line " | " cell
        }
        print line " |"
    }
}
