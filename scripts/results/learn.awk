# learn.awk — the learning studies' findings for findings.awk (loaded after it):
# each compares medians over seeds against the seeds' own range (min–max),
# so that "within the noise" is measured, not asserted.

# One cell as "median (min–max)", the range left out when the seeds agree.
function cell(nm, k,    m) {
    m = stats(nm, k); if (m == "") return "–"
    return hi > lo ? sprintf("%.3f (%.3f–%.3f)", m, lo, hi) : sprintf("%.4f", m)
}
function is_train(nm) { return nm != "pixels" && nm != "pixels_standardised" }

# Each loss from the first to the last value of x; the widest seeds' range of
# that loss over every x is the noise it is judged against.
function trend(    j, i, nm, a, b, d, r, s, verdict) {
    sort_keys(X, nx)
    for (j = 1; j <= nn; j++) {
        nm = N[j]; if (!is_train(nm)) continue
        r = 0; for (i = 1; i <= nx; i++) { s = spread(nm, X[i]); if (s > r) r = s }
        a = stats(nm, X[1]); b = stats(nm, X[nx]); d = b - a
        verdict = (d > r || -d > r) ? (d < 0 ? "falls, by more than the seeds' widest range" : "rises, by more than the seeds' widest range") : "stays within the seeds' widest range"
        printf "- %s: Recall@1 %.3f at %s = %s, %.3f at %s = %s (%+.3f); the seeds' widest range is %.3f: it %s",
               pretty(nm), a, x, X[1], b, x, X[nx], d, r, verdict
        # expect=rise: the paper's curve rises with x; say whether this one does
        if (expect == "rise") printf "; the paper's rise %s", (d > r ? "reproduces" : "**does not reproduce**")
        print "."
    }
}

# The losses at the last evaluation, best first; where Proxy-Anchor stands.
function rank(    j, i, t, m, line, pos, ntrain) {
    for (j = 1; j <= nn; j++) if (is_train(N[j])) { R[++ntrain] = N[j]; M[ntrain] = stats(N[j], "") }
    for (i = 2; i <= ntrain; i++) for (j = i; j > 1 && M[j] > M[j - 1]; j--) {
        t = M[j]; M[j] = M[j - 1]; M[j - 1] = t; t = R[j]; R[j] = R[j - 1]; R[j - 1] = t }
    for (i = 1; i <= ntrain; i++) {
        line = line (i > 1 ? ", " : "") sprintf("%s %.3f", pretty(R[i]), M[i]); if (R[i] == "proxy_anchor") pos = i }
    printf "At the last evaluation, best first (median of the seeds): %s.\n", line
    if (pos) printf "\nThe paper's Figure 1 has Proxy-Anchor reach the best Recall@1 fastest. Here it ranks %d of %d at the last evaluation: the paper's ordering %s on this data.\n",
                    pos, ntrain, pos == 1 ? "reproduces" : "**does not reproduce**"
}

# learn_alpha_delta: the best cell, the default's distance from it, α's and δ's effects.
function best_cell(    i, j, k, m, bk, bm, A, D, na, nd, s, w, a1, line) {
    bm = -1
    for (i = 1; i <= nx; i++) { m = stats("proxy_anchor", X[i]); s = hi - lo; if (s > w) w = s; if (m > bm) { bm = m; bk = X[i] } }
    split(bk, A, " ")
    printf "- Best cell: α = %s, δ = %s, Recall@1 %.3f; the widest seeds' range of a cell is %.3f.\n", A[1], A[2], bm, w
    if (("32 0.1") in seen_k) {
        m = stats("proxy_anchor", "32 0.1")
        printf "- The default α = 32, δ = 0.1: %.3f, %.3f below the best cell: the paper's optimum near the default %s.\n", m, bm - m,
               bm - m <= w ? "reproduces (within the widest seeds' range)" : "**does not reproduce** (further than the widest seeds' range)"
    }
    for (i = 1; i <= nx; i++) { split(X[i], A, " "); if (!(A[1] in sa)) { sa[A[1]] = 1; AL[++na] = A[1] }; if (!(A[2] in sd)) { sd[A[2]] = 1; DL[++nd] = A[2] } }
    sort_keys(AL, na); sort_keys(DL, nd)
    for (i = 1; i <= na; i++) {
        m = 0; for (j = 1; j <= nd; j++) { k = AL[i] " " DL[j]; for (s = 1; s <= n["proxy_anchor", k]; s++) D[++m] = v["proxy_anchor", k, s] }
        if (m) line = line sprintf("%s α %s %.3f", i > 1 ? "," : "", AL[i], median_of(D, m))
    }
    printf "- Medians over δ and seeds:%s.\n", line
    a1 = AL[na]
    printf "- δ from %s to %s at α = %s: %+.3f; at α = %s: %+.3f.\n", DL[1], DL[nd], a1,
           stats("proxy_anchor", a1 " " DL[nd]) - stats("proxy_anchor", a1 " " DL[1]), AL[1],
           stats("proxy_anchor", AL[1] " " DL[nd]) - stats("proxy_anchor", AL[1] " " DL[1])
}

# Every trained loss against the pixels, per protocol; the seeds' widest range beside.
function vs_pixels(    p, j, nm, d, mn, mx, w, px, sign) {
    for (p = 1; p <= nx; p++) {
        px = stats("pixels", X[p]); if (px == "") continue
        mn = 1; mx = -1; w = 0
        for (j = 1; j <= nn; j++) { nm = N[j]; if (!is_train(nm) || !n[nm, X[p]]) continue
            d = stats(nm, X[p]) - px; if (d < mn) mn = d; if (d > mx) mx = d; if (hi - lo > w) w = hi - lo }
        sign = mx < 0 ? "every loss is **below** the pixels" : mn > 0 ? "every loss is above the pixels" : "the losses straddle the pixels"
        printf "- %s protocol: %s (x / 255, %.4f) by %+.3f to %+.3f; the seeds' widest range is %.3f.\n", X[p], sign, px, mn, mx, w
    }
}

# Against the reference: its value inside our seeds' range, or how far outside.
function vs_ref(    j, p, nm, r, m, where) {
    print "| loss | protocol | here: median (min–max) | reference | here − reference | |"; print "|---|---|---|---|---|---|"
    for (j = 1; j <= nn; j++) for (p = 1; p <= nx; p++) {
        nm = N[j]; if (!n[nm, X[p]] || !((nm, X[p]) in refv)) continue
        r = refv[nm, X[p]]; m = stats(nm, X[p])
        where = (r >= lo - 0.0005 && r <= hi + 0.0005) ? "reference inside the seeds' range" : sprintf("%.3f outside the seeds' range", r < lo ? lo - r : r - hi)
        printf "| %s | %s | %s | %.3f | %+.3f | %s |\n", pretty(nm), X[p], cell(nm, X[p]), r, m - r, where
    }
}
