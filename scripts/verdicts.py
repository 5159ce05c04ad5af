#!/usr/bin/env python3
"""verdicts.py RESULTS [OUT.md] — the paper's claims (Proxy-Anchor, CVPR 2020:
Figure 1, §4.5, and Tables 1-3 against SoftTriple and NormSoftmax) against the learning studies' CSVs, one line a claim and
data set: reproduced / not reproduced / inconclusive, with the numbers behind
it.  Written from the CSVs of the run, never by hand (make sweep calls it).

The rule, the same for every claim: a claim compares two groups of runs
(seeds); each group is summarised by its median and its seeds' range
(min–max).  "reproduced" when the ranges are disjoint in the claim's
direction, "not reproduced" when they are disjoint against it, and
"inconclusive" when they overlap: with 3 seeds, a difference inside the
seeds' own spread is not evidence either way.

Data sets and studies: Fashion-MNIST (learn_time, learn_batch, learn_dim,
learn_alpha_delta: the closed protocol) and the glyph set (learn_glyph_time
on the test classes; learn_glyph_batch, learn_glyph_dim,
learn_glyph_alpha_delta, learn_glyph_proxy_lr on the validation classes;
learn_proxy_lr on Fashion-MNIST).  A study missing from RESULTS gives "not run".
"""
import csv
import os
import statistics
import sys

LOSS_TITLE = {"proxy_anchor": "Proxy-Anchor", "proxy_nca": "Proxy-NCA", "ms": "Multi-Similarity",
              "triplet": "triplet", "soft_triple": "SoftTriple", "normalized_softmax": "NormalizedSoftmax"}
# Figure 1's four losses; the other proxy losses of the paper's tables
# (SoftTriple, NormSoftmax) are a claim of their own.
FIG1 = ("proxy_anchor", "proxy_nca", "ms", "triplet")
OTHER_PROXY = ("soft_triple", "normalized_softmax")
PROXY_LOSSES = ("proxy_anchor", "proxy_nca") + OTHER_PROXY
SETS = (("glyphs", "learn_glyph_"), ("Fashion-MNIST", "learn_"))
# The paper's metric, and MAP@R (Musgrave et al.: Recall@1 saturates where a
# near-duplicate of the query is in the gallery, as in the glyph set).
METRIC = {"recall_at_1": "Recall@1", "map_at_r": "MAP@R"}


def rows_of(results, study):
    path = os.path.join(results, study + ".csv")
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f) if r["kind"] in ("train", "baseline")]


def last_epoch(rows):
    return [r for r in rows if r["kind"] == "train" and r["epoch"] == r["epochs"]]


def group(rows, key, val):
    g = {}
    for r in rows:
        g.setdefault(key(r), []).append(float(r[val]))
    return g


def summary(v):
    return statistics.median(v), min(v), max(v), len(v)


def fmt(v, digits=3):
    if not v:
        return "–"
    m, lo, hi, n = summary(v)
    return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f}, n={n})"


def compare(better, worse):
    """'reproduced' when better's range lies above worse's, 'not reproduced'
    when below, else 'inconclusive'."""
    if min(better) > max(worse):
        return "reproduced"
    if max(better) < min(worse):
        return "not reproduced"
    return "inconclusive"


def proxy_default(r):
    """Figure 1's runs: every run of the time study of its four losses (one
    setting a loss; the proxies' learning-rate ablation is a study of its own)."""
    return r["kind"] == "train" and r["name"] in FIG1


def claim_best(rows, val):
    """Figure 1: Proxy-Anchor ends with the best Recall@1 of the four."""
    g = group([r for r in last_epoch(rows) if proxy_default(r)], lambda r: r["name"], val)
    if "proxy_anchor" not in g or len(g) < 2:
        return None
    others = {k: v for k, v in g.items() if k != "proxy_anchor"}
    best_other = max(others, key=lambda k: statistics.median(others[k]))
    pa = g["proxy_anchor"]
    v = compare(pa, others[best_other])
    if v == "reproduced" and any(max(o) >= min(pa) for o in others.values()):
        v = "inconclusive"
    nums = "; ".join(f"{LOSS_TITLE.get(k, k)} {fmt(x)}" for k, x in sorted(g.items()))
    return v, f"final {METRIC[val]}: {nums}"


def time_to(rows, target, val):
    """Per seed of each loss: the CPU time of the first evaluation at or above target (inf: never)."""
    out = {}
    runs = {}
    for r in rows:
        if r["kind"] == "train" and proxy_default(r):
            runs.setdefault((r["name"], r["seed"]), []).append(r)
    for (name, _), evs in runs.items():
        evs.sort(key=lambda r: int(r["epoch"]))
        t = next((float(r["train_cpu_s"]) for r in evs if float(r[val]) >= target), float("inf"))
        out.setdefault(name, []).append(t)
    return out


def claim_sooner(rows, val):
    """Figure 1: Proxy-Anchor reaches a given Recall@1 sooner (CPU time)."""
    g = group([r for r in last_epoch(rows) if proxy_default(r)], lambda r: r["name"], val)
    if "proxy_anchor" not in g or len(g) < 2:
        return None
    target = min(statistics.median(v) for v in g.values())  # a level every loss reaches (median)
    t = time_to(rows, target, val)
    pa = t["proxy_anchor"]
    others = [v for k, v in t.items() if k != "proxy_anchor"]
    # sooner = smaller: negate so that "better" lies above
    worse_best = min(others, key=statistics.median)
    v = compare([-x for x in pa], [-x for x in worse_best])
    if v == "reproduced" and any(min(o) <= max(pa) for o in others):
        v = "inconclusive"
    nums = "; ".join(f"{LOSS_TITLE.get(k, k)} {fmt(x, 1)} s" for k, x in sorted(t.items()))
    return v, f"CPU time to {METRIC[val]} {target:.3f} (the lowest loss's final median): {nums}"


def claim_proxy_tables(rows, val):
    """Tables 1-3: Proxy-Anchor ends above SoftTriple and NormSoftmax."""
    g = group([r for r in last_epoch(rows) if r["name"] in ("proxy_anchor",) + OTHER_PROXY],
              lambda r: r["name"], val)
    others = {k: v for k, v in g.items() if k != "proxy_anchor"}
    if "proxy_anchor" not in g or not others:
        return None
    best_other = max(others, key=lambda k: statistics.median(others[k]))
    v = compare(g["proxy_anchor"], others[best_other])
    nums = "; ".join(f"{LOSS_TITLE.get(k, k)} {fmt(x)}" for k, x in sorted(g.items()))
    return v, f"final {METRIC[val]}: {nums}"


def claim_trend(rows, val, col, claim_lo, claim_hi, what):
    """A §4.5 trend of Proxy-Anchor: Recall@1 at col = claim_hi above col = claim_lo."""
    g = group([r for r in last_epoch(rows) if r["name"] == "proxy_anchor"], lambda r: float(r[col]), val)
    if not g:
        return None
    xs = sorted(g)
    lo = claim_lo if claim_lo in g else xs[0]
    hi = claim_hi if claim_hi in g else max(x for x in xs if x <= claim_hi) if any(x <= claim_hi for x in xs) else xs[-1]
    if lo == hi:
        return None
    v = compare(g[hi], g[lo])
    nums = "; ".join(f"{col} {x:g}: {fmt(g[x])}" for x in xs)
    return v, f"{what}, Proxy-Anchor {METRIC[val]} by {col}: {nums}"


def claim_alpha_delta(rows, val):
    """§4.5: α = 32, δ = 0.1 is at (or within the noise of) the best cell."""
    g = group([r for r in last_epoch(rows) if r["name"] == "proxy_anchor"],
              lambda r: (float(r["alpha"]), float(r["delta"])), val)
    if (32.0, 0.1) not in g:
        return None
    best = max(g, key=lambda k: statistics.median(g[k]))
    d = g[(32.0, 0.1)]
    if best == (32.0, 0.1):
        v = "reproduced"
    else:
        v = "not reproduced" if max(d) < min(g[best]) else "inconclusive"
    return v, (f"α 32, δ 0.1: {fmt(d)}; best cell α {best[0]:g}, δ {best[1]:g}: {fmt(g[best])} "
               f"({len(g)} cells)")


def claim_proxy_lr(rows, val, loss, better):
    """The official code's proxy learning rate: 100 × lr for Proxy-Anchor,
    1 × for Proxy-NCA; the claim is that the official choice (better) is the
    better one."""
    g = group([r for r in last_epoch(rows) if r["name"] == loss], lambda r: r.get("proxy_lr_mult", ""), val)
    if "100" not in g or "1" not in g:
        return None
    v = compare(g[better], g["1" if better == "100" else "100"])
    return v, f"{LOSS_TITLE[loss]} final {METRIC[val]}, proxies at 100 × lr: {fmt(g['100'])}; at 1 × lr: {fmt(g['1'])}"


def claims(results, prefix, val):
    t = rows_of(results, prefix + "time")
    b = rows_of(results, prefix + "batch")
    d = rows_of(results, prefix + "dim")
    a = rows_of(results, prefix + "alpha_delta")
    p = rows_of(results, prefix + "proxy_lr")
    return [
        ("Figure 1: Proxy-Anchor ends best of the four losses", t and claim_best(t, val)),
        ("Figure 1: Proxy-Anchor reaches a given accuracy sooner", t and claim_sooner(t, val)),
        ("Tables 1–3: Proxy-Anchor ends above the other proxy losses run (SoftTriple, NormSoftmax)",
         t and claim_proxy_tables(t, val)),
        ("§4.5: larger batches are better", b and claim_trend(b, val, "M", 0, 1e9, "smallest vs largest M")),
        ("§4.5: accuracy rises with the embedding dimension up to 512",
         d and claim_trend(d, val, "D", 64.0, 512.0, "D 64 vs 512")),
        ("§4.5: α = 32, δ = 0.1 is the best setting", a and claim_alpha_delta(a, val)),
        ("official code: Proxy-Anchor does better with its proxies at 100 × lr than at 1 ×", p and claim_proxy_lr(p, val, "proxy_anchor", "100")),
        ("official code: Proxy-NCA does better with its proxies at 1 × lr than at 100 ×", p and claim_proxy_lr(p, val, "proxy_nca", "1")),
    ]


# The key each loss's validation grid varies (learn_glyph_tune.txt).
TUNED = {"proxy_anchor": "proxy_lr_mult", "proxy_nca": "proxy_lr_mult", "ms": "beta", "triplet": "margin",
         "soft_triple": "proxy_lr_mult", "normalized_softmax": "proxy_lr_mult"}


def tuning_check(results):
    """Does the test study (learn_glyph_time) run each loss with the setting
    that won on the validation classes (learn_glyph_tune, best MAP@R)?"""
    tune, test = rows_of(results, "learn_glyph_tune"), rows_of(results, "learn_glyph_time")
    if not tune or not test:
        return ["(learn_glyph_tune or learn_glyph_time is not in " + results + ")"]
    out = ["| loss | validation MAP@R by setting (learn_glyph_tune) | winner | learn_glyph_time runs | as chosen |",
           "|---|---|---|---|---|"]
    for loss, key in TUNED.items():
        g = group([r for r in last_epoch(tune) if r["name"] == loss], lambda r: r[key], "map_at_r")
        used = sorted({r[key] for r in test if r["kind"] == "train" and r["name"] == loss})
        if not g:
            continue
        win = max(g, key=lambda k: statistics.median(g[k]))
        nums = ", ".join(f"{key} {k}: {statistics.median(v):.4f}" for k, v in sorted(g.items(), key=lambda kv: float(kv[0])))
        out.append(f"| {LOSS_TITLE[loss]} | {nums} | {key} {win} | {key} {', '.join(used)} | "
                   f"**{'yes' if used == [win] else 'NO'}** |")
    return out


# The columns a glyph study may vary, in the order its table shows them.
VARIED = ("name", "M", "D", "alpha", "delta", "proxy_lr_mult", "proxy_sample", "beta", "margin", "epoch")


def study_table(results, study):
    """One glyph study's numbers, as the run measured them: per setting (the
    columns that vary), Recall@1 and MAP@R over the seeds and the median
    training CPU time; then the pixel baselines.  The docs link here instead
    of retyping them."""
    rows = rows_of(results, study)
    train = [r for r in rows if r["kind"] == "train"]
    if not train:
        return []
    # a column that varies only from one loss to another (MS's alpha against
    # Proxy-Anchor's) is the losses' own default, not a setting of the study
    keys = [k for k in VARIED if k == "name" or any(len({r.get(k, "") for r in train if r["name"] == n}) > 1
                                                    for n in {r["name"] for r in train})]
    g = {}
    for r in train:
        # (a loss without proxies has no proxies' learning rate to show)
        g.setdefault(tuple("" if k == "proxy_lr_mult" and r["name"] not in PROXY_LOSSES else r.get(k, "")
                           for k in keys), []).append(r)

    def order(k):
        return tuple((0, float(x)) if x.replace(".", "", 1).isdigit() else (1, x) for x in k)
    epochs = "/".join(sorted({r["epochs"] for r in train}, key=int))
    out = [f"### {study} ({epochs} epoch{'' if epochs == '1' else 's'})", "", "| " + " | ".join(keys) + " | Recall@1 | MAP@R | train CPU s (median) |",
           "|" + "---|" * (len(keys) + 3)]
    for k in sorted(g, key=order):
        v = g[k]
        out.append("| " + " | ".join(LOSS_TITLE.get(x, x) for x in k) + f" | {fmt([float(r['recall_at_1']) for r in v])} | "
                   f"{fmt([float(r['map_at_r']) for r in v])} | "
                   f"{statistics.median(float(r['train_cpu_s'] or 0) for r in v):.1f} |")
    for r in (r for r in rows if r["kind"] == "baseline"):
        out.append(f"| {r['name']} (no training) |" + " |" * (len(keys) - 1) +
                   f" {float(r['recall_at_1']):.3f} | {float(r['map_at_r']):.3f} | – |")
    return out + [""]


def glyph_tables(results):
    names = sorted(f[:-4] for f in os.listdir(results) if f.startswith("learn_glyph_") and f.endswith(".csv")
                   and ".shard-" not in f and ".partial" not in f)
    return [ln for s in names for ln in study_table(results, s)]


def main():
    results = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(results, "verdicts.md")
    lines = ["| claim | data | metric | verdict | numbers: median (seeds' min–max, n) |", "|---|---|---|---|---|"]
    for name, prefix in SETS:
        for val in METRIC:
            for claim, res in claims(results, prefix, val):
                v, nums = res if res else ("not run", "no such runs in " + results)
                lines.append(f"| {claim} | {name} | {METRIC[val]} | **{v}** | {nums} |")
    text = ("<!-- written by scripts/verdicts.py from the CSVs in " + results + "; do not edit -->\n"
            + "\n".join(lines) + "\n\nThe glyph test study's settings against the validation classes' choice:\n\n"
            + "\n".join(tuning_check(results)) + "\n"
            + "\n## The glyph studies' numbers (median, seeds' min–max, n; last epoch of each run, or every "
            "evaluation where the epoch varies)\n\n" + "\n".join(glyph_tables(results)))
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.replace(out + ".tmp", out)
    print(text, end="")


if __name__ == "__main__":
    main()
