#!/usr/bin/python3
"""learn_budget.py — what the learning studies of make sweep cost, in CPU seconds.

    learn_budget.py full BIN OUT     the cost of every experiments/learn_*.txt
        as defined now (not as some older run had it): each run's training
        from a short measured training of its (data, loss, M, D, ...) scaled
        to its epochs, each evaluation, pixel baseline and data load measured
        once at full size; OUT.csv and OUT.md
    learn_budget.py quick BIN OUT    run each learning study QUICK (one at a
        time, one thread, into a temporary directory) and measure the CPU time
        of the whole process; OUT.csv and OUT.md

Everything in CPU time of one thread (the points of make sweep's learning
half run one thread each), which a shared machine's load moves far less than
wall time.  The sweep's CSVs record training CPU time but only the wall time
of an evaluation, hence the measurements here.  Glyph studies read
DML_GLYPHS (default build/glyphs).
"""
import csv
import itertools
import json
import os
import resource
import statistics as st
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

TARGET_FULL_S = 24 * 60   # 2 cores x 12 min: make sweep's learning half
TARGET_QUICK_S = 100      # make sweep QUICK=1's learning half
CAL_STEPS = 24            # training steps measured per (data, loss, M, D, ...)
# training drawings per (data, protocol): an epoch is floor(N / M) steps
N_TRAIN = {("glyphs", "val"): 32000, ("glyphs", "test"): 32000,
           ("fashion-mnist", "closed"): 60000, ("fashion-mnist", "open"): 30000}
DEFAULTS = {"data": "fashion-mnist", "eval_untrained": "1", "eval_every": "1", "per_class": "0",
            "H": "512", "conv": "0", "seed": "1"}
# keys that select what a run is, not options of dmlbench train
NOT_OPTIONS = {"study", "title", "train", "baseline", "data", "seed", "eval_untrained", "eval_every",
               "epochs", "protocol", "train_limit", "eval_limit"}


# settings that change no step's work: one measured step serves every value
SAME_WORK = {"seed", "epochs", "eval_every", "eval_untrained", "alpha", "delta", "beta", "margin",
             "proxy_lr_mult", "include_positive"}


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cpu(cmd, env=None):
    """Run cmd; its stdout and the CPU seconds it took (all its threads)."""
    c0, t0 = children_cpu(), time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return out, children_cpu() - c0, time.time() - t0


def parse_study(path):
    """The runs (one dict of settings each) and baselines ((data, protocol)) of a study, full grid."""
    top, sec, cur = {}, defaultdict(dict), None
    for line in open(path):
        tok = line.split("#", 1)[0].split()
        if not tok or tok[0] == "quick":
            continue
        if tok[0].startswith("["):
            cur = tok[0].strip("[]")
        elif cur is None:
            top[tok[0]] = tok[1:]
        else:
            sec[cur][tok[0]] = tok[1:]
    runs = []
    for loss in top.get("train", []):
        keys = dict(top, **sec.get(loss, {}))
        keys = {k: v for k, v in keys.items() if k not in ("study", "title", "train", "baseline")}
        names = list(keys)
        for combo in itertools.product(*(keys[k] for k in names)):
            runs.append(dict(DEFAULTS, loss=loss, **dict(zip(names, combo))))
    base = [(top.get("data", ["fashion-mnist"])[0], p) for b in top.get("baseline", []) for p in top["protocol"]]
    return runs, base


def n_evals(r):
    e, every = int(r["epochs"]), int(r["eval_every"])
    return int(r["eval_untrained"]) + sum(1 for i in range(1, e + 1) if i % every == 0 or i == e)


def data_args(data):
    if data == "glyphs":
        return ["--data", os.environ.get("DML_GLYPHS", "build/glyphs")]
    return []


def train_cmd(binary, r, extra):
    opts = [a for k, v in r.items() if k not in NOT_OPTIONS and k != "loss" and not k.startswith("_")
            and v != DEFAULTS.get(k) for a in (f"--{k.replace('_', '-')}", v)]
    return ([binary, "train", "--loss", r["loss"], "--protocol", r["protocol"], "--threads", "1", "--json",
             "--no-baseline", "--epochs", "1"] + data_args(r["data"]) + opts + extra)


def measure(binary, runs, step={}, ev={}):  # noqa: B006 — the caches, shared by every study
    """CPU s: a training step per run shape, an evaluation and a load per (data, protocol, D)."""
    for r in runs:
        shape = tuple(sorted((k, v) for k, v in r.items() if k not in SAME_WORK))
        if shape not in step:
            print(f"budget: measuring {r['loss']} {r['data']} {r['protocol']} M {r['M']} D {r['D']}", file=sys.stderr)
            js, _, _ = run_cpu(train_cmd(binary, r, ["--train-limit", str(CAL_STEPS * int(r["M"])),
                                                     "--eval-limit", "100"]))
            step[shape] = json.loads(js)["rows"][-1]["train_cpu_s"] / CAL_STEPS
        dpd = (r["data"], r["protocol"], r["D"])
        if dpd not in ev:
            cmd = train_cmd(binary, r, ["--train-limit", r["M"]])
            js, cpu, _ = run_cpu(cmd)
            rows = json.loads(js)["rows"]
            e = st.median(x["eval_cpu_s"] for x in rows)
            ev[dpd] = (e, max(cpu - sum(x["eval_cpu_s"] for x in rows) - rows[-1]["train_cpu_s"], 0), cpu, cmd)
        r["_step"], r["_eval"], r["_load"], r["_run"] = step[shape], ev[dpd][0], ev[dpd][1], ev[dpd][2:]


def baseline_cpu(binary, runs, data, protocol, cache):
    """A pixel baseline (both lines: x / 255 and standardised) at full size: the
    evaluation run of measure() again with it, less that run without it (a
    protocol only the baseline has gets such a run of its own)."""
    if (data, protocol) not in cache:
        r = next((r for r in runs if (r["data"], r["protocol"]) == (data, protocol)), None)
        if r is None:
            r = {k: v for k, v in runs[0].items() if not k.startswith("_")}
            r["protocol"] = protocol
            measure(binary, [r])
        without, cmd = r["_run"]
        _, with_b, _ = run_cpu([a for a in cmd if a != "--no-baseline"])
        cache[(data, protocol)] = max(with_b - without, 0)
    return cache[(data, protocol)]


def full(binary, out):
    defs = sorted(f for f in os.listdir("experiments") if f.startswith("learn_") and f.endswith(".txt"))
    table, bcache = [], {}
    for d in defs:
        runs, base = parse_study(os.path.join("experiments", d))
        measure(binary, runs)
        train = sum(int(r["epochs"]) * (N_TRAIN[(r["data"], r["protocol"])] // int(r["M"])) * r["_step"]
                    for r in runs)
        evals = sum(n_evals(r) * r["_eval"] for r in runs)
        loads = {(r["data"], r["protocol"]): r["_load"] for r in runs}
        b = sum(baseline_cpu(binary, runs, *x, bcache) for x in base)
        table.append({"study": d[:-4], "runs": len(runs), "epochs": sum(int(r["epochs"]) for r in runs),
                      "evaluations": sum(n_evals(r) for r in runs), "train_cpu_s": round(train, 1),
                      "eval_cpu_s": round(evals, 1), "baseline_cpu_s": round(b, 1),
                      "load_cpu_s": round(sum(loads.values()), 1),
                      "total_cpu_s": round(train + evals + b + sum(loads.values()), 1)})
    write(out, table, "make sweep's learning studies as defined now: CPU seconds of one thread "
          f"(training measured over {CAL_STEPS} steps a run shape and scaled to its epochs; "
          "evaluations, baselines and loads measured at full size)", TARGET_FULL_S)


def quick(binary, out):
    defs = sorted(f for f in os.listdir("experiments") if f.startswith("learn_") and f.endswith(".txt"))
    table = []
    env = dict(os.environ, DML_GLYPHS=os.path.abspath(os.environ.get("DML_GLYPHS", "build/glyphs")))
    with tempfile.TemporaryDirectory() as tmp:
        for d in defs:
            _, cpu, wall = run_cpu([binary, "sweep", "--quick", "--out", tmp, os.path.join("experiments", d)], env)
            with open(os.path.join(tmp, d[:-4] + ".csv")) as f:
                runs = {(r["kind"], r["key"]) for r in csv.DictReader(f)}
            table.append({"study": d[:-4], "runs": len(runs), "total_cpu_s": round(cpu, 1), "wall_s": round(wall, 1)})
            print(f"quick: {d[:-4]}: {cpu:.1f} CPU s, {wall:.1f} s wall", file=sys.stderr)
    write(out, table, "make sweep QUICK=1's learning studies, each run alone: CPU seconds of the whole process "
          "(wall time on this shared machine is for reference only)", TARGET_QUICK_S)


def write(out, table, title, target):
    cols = list(table[0])
    with open(out + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        w.writerows(table)
    total = sum(t["total_cpu_s"] for t in table)
    machine = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    lines = [f"# {title}", "", f"Written {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())} by "
             f"scripts/learn_budget.py ({sys.argv[1]}); machine: {machine}, {os.cpu_count()} CPUs, "
             f"load average {open('/proc/loadavg').read().split()[0]}.", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(t[c]) for c in cols) + " |" for t in table]
    lines += ["", f"Total: **{total:.0f} CPU s** ({total / 60:.1f} CPU min) against a target of {target} CPU s "
              f"({target / 60:.1f} CPU min): **{'within' if total <= target else 'OVER'}**.", ""]
    with open(out + ".md", "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "full":
        full(a[1], a[2])
    elif len(a) == 3 and a[0] == "quick":
        quick(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
