# lib.awk — what the results/README.md generators share: columns by name,
# the losses' display names, medians, and CSV filters.  Loaded before each
# generator (awk -F, -f lib.awk -f GEN.awk); every generator reads a CSV
# of results/ whose first line names its columns.

# The header: col[name] = index.  Called on line 1 of every CSV.
function header(    i) { delete col; for (i = 1; i <= NF; i++) col[$i] = i }
function has(c) { return (c in col) }
function get(c) { return (c in col) ? $col[c] : "" }

# A series' display name.  A loss's is its title in the table of losses,
# which results_readme.sh passes as -v titles="name<TAB>title;..." (from
# `dmlbench info --losses`), so a new loss needs no line here; the series
# that are not losses (the triplet's two algorithms, the learning studies'
# pixel baselines) are named below; anything else shows as itself.
function pretty(n,    i, k, L, f) {
    if (!titles_read) {
        k = split(titles, L, ";")
        for (i = 1; i <= k; i++) if (split(L[i], f, "\t") == 2) title[f[1]] = f[2]
        titles_read = 1
    }
    if (n in title) return title[n]
    if (n == "triplet 1" || n == "triplet_sorted") return "triplet (sorted walk)"
    if (n == "triplet 0") return "triplet (enumerated)"
    if (n == "pixels") return "pixels, x / 255"
    if (n == "pixels_standardised") return "pixels, standardised"
    return n
}

# where: "k=v;k!=v;…" — a row passes when every condition holds.
function passes(where,    n, i, W, k, v, neg) {
    if (where == "") return 1
    n = split(where, W, ";")
    for (i = 1; i <= n; i++) {
        neg = index(W[i], "!=") > 0
        k = W[i]; sub(/!?=.*/, "", k); v = W[i]; sub(/^[^=]*=/, "", v)
        if (neg ? get(k) == v : get(k) != v) return 0
    }
    return 1
}

# A learning row at the last evaluation of its training (baselines always).
function last_eval() { return get("kind") != "train" || get("epoch") == get("epochs") }

# Median of a[1..m] (sorts a in place); lo, hi: its extremes.
function median_of(a, m,    i, j, t) {
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j] < a[j - 1]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    lo = a[1]; hi = a[m]
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}

# Numeric sort of the keys K[1..n] (as numbers when every one is a number).
function sort_keys(K, n,    i, j, t, num) {
    num = 1
    for (i = 1; i <= n; i++) if (K[i] !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) num = 0
    if (!num) return
    for (i = 2; i <= n; i++) for (j = i; j > 1 && K[j] + 0 < K[j - 1] + 0; j--) { t = K[j]; K[j] = K[j - 1]; K[j - 1] = t }
}
