#!/usr/bin/python3
"""compare_torch_report.py DIR OUT SEED... — the table of make compare-torch.

Reads the runs compare_torch.sh left in DIR (c<seed>.json from dmlbench train
--json, t<seed>.json from torch_train.py) and writes OUT.csv (one row a seed:
Recall@1, MAP@R, training CPU and wall seconds of each program) and OUT.md (the
same table, the medians and ranges over seeds of the Recall@1 gap and of the
CPU-time ratio, and whether issue 21's targets hold: |gap| <= 1.5 points of
Recall@1, dmlbench >= 3x faster).  The gap of a seed pairs two runs that share
the recipe, not the random streams, so the medians' gap is the one the target
is judged on; the per-seed gaps show the spread.  Machine and load: the
environment variables MACHINE, LOAD_START, LOAD_END, DATE, RECIPE, set by the
shell script.  Also prints the markdown on stdout.
"""
import csv
import json
import os
import statistics as st
import sys

GAP_POINTS, SPEED_X = 1.5, 3.0
COLS = ["seed", "r1_dmlbench", "r1_torch", "map_r_dmlbench", "map_r_torch",
        "train_cpu_s_dmlbench", "train_cpu_s_torch", "train_s_dmlbench", "train_s_torch",
        "r1_gap_points", "cpu_ratio"]


def seed_row(d, s):
    c = json.load(open(f"{d}/c{s}.json"))["rows"][-1]
    tj = json.load(open(f"{d}/t{s}.json"))
    t = tj["rows"][-1]
    r = {"seed": s, "r1_dmlbench": c["recall"][0], "r1_torch": t["recall_at_1"],
         "map_r_dmlbench": c["map_at_r"], "map_r_torch": t["map_at_r"],
         "train_cpu_s_dmlbench": c["train_cpu_s"], "train_cpu_s_torch": t["train_cpu_s"],
         "train_s_dmlbench": c["train_s"], "train_s_torch": t["train_s"]}
    r["r1_gap_points"] = round(100 * (r["r1_dmlbench"] - r["r1_torch"]), 3)
    r["cpu_ratio"] = round(r["train_cpu_s_torch"] / r["train_cpu_s_dmlbench"], 3)
    return r, tj


def spread(xs, fmt):
    return f"{fmt.format(st.median(xs))} ({fmt.format(min(xs))} to {fmt.format(max(xs))})"


def markdown(rows, tj):
    env = os.environ.get
    med = {k: st.median(r[k] for r in rows) for k in COLS[1:]}
    gap = 100 * (med["r1_dmlbench"] - med["r1_torch"])
    ratio = st.median(r["cpu_ratio"] for r in rows)
    out = ["# dmlbench against PyTorch + pytorch-metric-learning (written by make compare-torch)", "",
           f"Written {env('DATE', '?')} by scripts/compare_torch.sh; machine: {env('MACHINE', '?')}; "
           f"load average {env('LOAD_START', '?')} at the start, {env('LOAD_END', '?')} at the end.", "",
           f"Recipe (both programs): `{env('RECIPE', '?')}`; torch {tj['torch']}, loss: {tj['loss_impl']}; "
           "one thread each, the seeds interleaved (dmlbench, torch, dmlbench, ...). "
           "Training CPU time excludes the evaluations.", "",
           "| seed | R@1 dmlbench | R@1 torch | gap (points) | MAP@R dmlbench | MAP@R torch "
           "| train CPU s dmlbench | train CPU s torch | torch / dmlbench |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['seed']} | {r['r1_dmlbench']:.4f} | {r['r1_torch']:.4f} | {r['r1_gap_points']:+.2f} "
                   f"| {r['map_r_dmlbench']:.4f} | {r['map_r_torch']:.4f} | {r['train_cpu_s_dmlbench']:.2f} "
                   f"| {r['train_cpu_s_torch']:.2f} | {r['cpu_ratio']:.2f} × |")
    out.append(f"| median | {med['r1_dmlbench']:.4f} | {med['r1_torch']:.4f} | {gap:+.2f} "
               f"| {med['map_r_dmlbench']:.4f} | {med['map_r_torch']:.4f} | {med['train_cpu_s_dmlbench']:.2f} "
               f"| {med['train_cpu_s_torch']:.2f} | {ratio:.2f} × |")
    gaps = [r["r1_gap_points"] for r in rows]
    ratios = [r["cpu_ratio"] for r in rows]
    out += ["", f"- Recall@1 gap, dmlbench − torch, per seed: median {spread(gaps, '{:+.2f}')} points; "
            f"between the medians {gap:+.2f} points. Target |gap| ≤ {GAP_POINTS}: "
            f"**{'met' if abs(gap) <= GAP_POINTS else 'NOT met'}**"
            f"{'' if all(abs(g) <= GAP_POINTS for g in gaps) else ' (not on every seed)'}.",
            f"- Training speed, CPU time torch / dmlbench: median {spread(ratios, '{:.2f}')} ×. "
            f"Target ≥ {SPEED_X} ×: **{'met' if ratio >= SPEED_X else 'NOT met'}**"
            f"{'' if min(ratios) >= SPEED_X else ' (not on every seed)'}.",
            f"- Wall time (shared machine, for reference only): torch / dmlbench "
            f"{med['train_s_torch'] / med['train_s_dmlbench']:.2f} × (medians).", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: compare_torch_report.py DIR OUT SEED...")
    d, out, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
    pairs = [seed_row(d, s) for s in seeds]
    rows = [p[0] for p in pairs]
    with open(out + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, COLS)
        w.writeheader()
        w.writerows(rows)
    md = markdown(rows, pairs[-1][1])
    with open(out + ".md", "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
