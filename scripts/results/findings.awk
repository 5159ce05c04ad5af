# findings.awk — the sentences of results/README.md that state a measured
# finding, computed from the CSV they speak of, so that prose and numbers
# cannot drift apart.  One finding per `what`:
#   complexity   complexity.csv: the fit table and the verdict
#   baselines    learn_time: the pixel baselines in one line
#   targets      time_to_target.awk lines (target first) as a table
#   vs_first     classes.csv: each loss's time over the first loss's, by `x`
#   sorted       batch.csv: the enumerated triplet over the sorted walk, by M
#   threads      threads.csv: speed-up over one thread, agreement of the values
#   isa          isa.csv: each SIMD ISA over ref at the largest shape
#   trend        learn_batch / learn_dim: first against last `x`, per loss
#   rank         learn_time: the losses ranked at the last epoch
#   best_cell    learn_alpha_delta: the best α × δ cell and the default's distance
#   vs_pixels    learn_protocol (+ learn_time): the losses against the pixels
#   vs_ref       a study against the PyTorch reference (results/train/reference.csv, read first)
# awk -F, -v what=W [-v x=M] -f lib.awk -f findings.awk [reference.csv] FILE.csv
FNR == 1 { header(); file++; next }
what == "vs_ref" && file == 1 { if (get("setting") == "") refv[get("name"), get("protocol")] = get("recall_at_1"); next }
what == "baselines" && get("kind") == "baseline" { bl = bl (bl == "" ? "" : ", ") sprintf("%s %.4f", pretty(get("name")), get("recall_at_1")); next }
what == "targets" {
    if (!(get("name") in seen_n)) { seen_n[get("name")] = 1; N[++nn] = get("name") }
    if (!(get("target") in seen_k)) { seen_k[get("target")] = 1; X[++nx] = get("target") }
    tt[get("name"), get("target")] = get("median_s"); next
}
what == "complexity" {
    cx[++ncx] = sprintf("| %s | %s | %s | %.2f ± %.2f | [%s, %s] | %s |", pretty(get("loss")), get("expected_order"),
                        get("fitted_time"), get("k"), get("k_stderr"), get("band_lo"), get("band_hi"), get("verdict"))
    if (get("verdict") != "ok") off = off (off == "" ? "" : ", ") pretty(get("loss")) " (" get("verdict") ")"
    next
}
get("kind") == "loss" && get("threads") == "1" && (what == "vs_first" || what == "sorted") {
    nm = get("name") (what == "sorted" ? get("algorithm") : ""); k = get(x == "" ? "M" : x)
    if (!(nm in seen_n)) { seen_n[nm] = 1; N[++nn] = nm }
    if (!(k in seen_k)) { seen_k[k] = 1; X[++nx] = k }
    t[nm, k] = get("cpu_min_ms") + 0
    next
}
what == "threads" && get("kind") == "loss" {
    nm = get("name"); if (!(nm in seen_n)) { seen_n[nm] = 1; N[++nn] = nm }
    t[nm, get("threads")] = get("total_min_ms") + 0; if (get("threads") + 0 > maxth) maxth = get("threads") + 0
    e = get("value_err_vs_1thread") + 0; if (e > maxerr) maxerr = e
    next
}
what == "isa" {
    if (get("M") + 0 > maxm || (get("M") + 0 == maxm && get("D") + 0 > maxd)) { maxm = get("M") + 0; maxd = get("D") + 0 }
    r = get("gflops_min") != "" ? get("gflops_min") : get("gelem_per_s")
    isa_rate[get("name"), get("isa"), get("M"), get("D")] = r
    if (!((get("name")) in seen_n)) { seen_n[get("name")] = 1; N[++nn] = get("name") }
    if (!(get("isa") in seen_i)) { seen_i[get("isa")] = 1; I[++ni] = get("isa") }
    next
}
(what == "trend" || what == "rank" || what == "best_cell" || what == "vs_pixels" || what == "vs_ref") && last_eval() {
    nm = get("name"); if (what == "vs_pixels" || what == "vs_ref") k = get("protocol")
    else if (what == "best_cell") k = get("alpha") " " get("delta")
    else k = (what == "rank") ? "" : get(x)
    if (!(nm in seen_n)) { seen_n[nm] = 1; N[++nn] = nm }
    if (!(k in seen_k)) { seen_k[k] = 1; X[++nx] = k }
    c = ++n[nm, k]; v[nm, k, c] = get("recall_at_1") + 0
    st[nm] = get("study")
}
function stats(nm, k,    i, a, m) { m = n[nm, k]; for (i = 1; i <= m; i++) a[i] = v[nm, k, i]; return m ? median_of(a, m) : "" }
function spread(nm, k) { stats(nm, k); return hi - lo }
function pct(r) { return sprintf("%+.1f %%", (r - 1) * 100) }
END {
    if (what == "baselines") print bl "."
    if (what == "targets") {
        line = "| loss"; sep = "|---"; for (i = 1; i <= nx; i++) { line = line " | " X[i]; sep = sep "|---" }
        print line " |"; print sep "|"
        for (j = 1; j <= nn; j++) { line = "| " pretty(N[j]); for (i = 1; i <= nx; i++) line = line " | " tt[N[j], X[i]]; print line " |" }
    }
    if (what == "complexity") {
        print "| loss | expected order | fitted time | k ± stderr | band | verdict |"; print "|---|---|---|---|---|---|"
        for (i = 1; i <= ncx; i++) print cx[i]
        print ""
        print off == "" ? "Every loss is on its expected order." : "Off its expected order: " off "."
    } else if (what == "vs_first") {
        sort_keys(X, nx); half = X[int((nx + 1) / 2)]
        for (j = 2; j <= nn; j++) {
            mn = 1e30; mx = 0
            for (i = 1; i <= nx; i++) if (X[i] + 0 >= half + 0 && t[N[1], X[i]] > 0 && t[N[j], X[i]] > 0) {
                r = t[N[j], X[i]] / t[N[1], X[i]]; if (r < mn) mn = r; if (r > mx) mx = r }
            if (mx > 0) printf "- %s against %s at %s ≥ %s: %s to %s (fastest CPU time of a step).\n",
                               pretty(N[j]), pretty(N[1]), x, half, pct(mn), pct(mx)
        }
    } else if (what == "sorted") {
        sort_keys(X, nx); print "| M | enumerated ÷ sorted walk |"; print "|---|---|"
        for (i = 1; i <= nx; i++) if (t["triplet0", X[i]] > 0 && t["triplet1", X[i]] > 0)
            printf "| %s | %.1f× |\n", X[i], t["triplet0", X[i]] / t["triplet1", X[i]]
    } else if (what == "threads") {
        for (j = 1; j <= nn; j++) if (t[N[j], 1] > 0 && t[N[j], maxth] > 0)
            line = line (line == "" ? "" : ", ") sprintf("%s %.2f×", pretty(N[j]), t[N[j], 1] / t[N[j], maxth])
        printf "%d threads against one (fastest wall time of a step): %s. ", maxth, line
        printf "The loss values on %d threads differ from one thread's by at most %.2g golden tolerances %s.\n",
               maxth, maxerr, maxerr <= 1 ? "(within tolerance)" : "(**beyond tolerance**)"
    } else if (what == "isa") {
        for (j = 1; j <= nn; j++) {
            base = isa_rate[N[j], "ref", maxm, maxd]; line = ""
            for (i = 1; i <= ni; i++) if (I[i] != "ref" && base > 0 && isa_rate[N[j], I[i], maxm, maxd] > 0)
                line = line sprintf(" %s %.1f×", I[i], isa_rate[N[j], I[i], maxm, maxd] / base)
            if (line != "") printf "- %s at M = %d, D = %d, over the scalar reference:%s.\n", pretty(N[j]), maxm, maxd, line
        }
    } else if (what == "trend") { trend() } else if (what == "rank") { rank() }
    else if (what == "best_cell") { best_cell() } else if (what == "vs_pixels") { vs_pixels() } else if (what == "vs_ref") { vs_ref() }
}
