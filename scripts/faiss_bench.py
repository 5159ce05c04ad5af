#!/usr/bin/env python3
"""faiss_bench.py DIR [ROUNDS] — FAISS's exact flat search (IndexFlatIP) on the
set `dmlbench knn --out DIR` wrote, one thread, beside dmlbench's numbers.

For dmlbench's top K (each item left out of its own list) FAISS searches
K + 1 and drops the query itself, as the issue's comparison did (FAISS
k = 1000 against dmlbench's 999).  Both are timed on this process's CPU
clock, best and median of ROUNDS (default 3).  Prints one table, and checks
that the two agree: Recall@1 and Recall@K from both lists, and the share of
dmlbench's neighbours that FAISS also returned (ties can order equal
similarities differently; anything below 0.999 is an error, exit 1).

Run by `make bench-faiss`, which sets OPENBLAS_NUM_THREADS=1 and
OPENBLAS_CORETYPE (FAISS's GEMM is OpenBLAS's, and OpenBLAS 0.3.21 takes
Sapphire Rapids for a Prescott unless told)."""
import json
import os
import sys
import time

import numpy as np

try:
    import faiss
except ImportError:
    sys.exit("faiss_bench.py: no faiss module (Debian: apt-get install python3-faiss; "
             "make bench-faiss installs it)")


def load(d):
    raw = np.fromfile(os.path.join(d, "knn_data.bin"), dtype=np.uint64, count=3)
    if raw[0] != 0x314e4b4e4c4d44:
        sys.exit(f"faiss_bench.py: {d}/knn_data.bin is not written by dmlbench knn")
    n, dim = int(raw[1]), int(raw[2])
    labels = np.fromfile(os.path.join(d, "knn_data.bin"), dtype=np.int32, count=n, offset=24)
    y = np.fromfile(os.path.join(d, "knn_data.bin"), dtype=np.float32, count=n * dim,
                    offset=24 + 4 * n).reshape(n, dim)
    return labels, np.ascontiguousarray(y)


def drop_self(idx, k):
    """The k nearest other items of each row of idx (k + 1 columns)."""
    n = idx.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    for i in range(n):
        row = idx[i][idx[i] != i]
        out[i] = row[:k]
    return out


def recalls(idx, labels):
    same = labels[idx] == labels[:, None]
    return same[:, 0].mean(), same.any(axis=1).mean()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: faiss_bench.py DIR [ROUNDS]")
    d = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    labels, y = load(d)
    with open(os.path.join(d, "knn_dmlbench.json")) as f:
        dml = json.load(f)
    faiss.omp_set_num_threads(1)
    index = faiss.IndexFlatIP(y.shape[1])
    index.add(y)
    print(f"FAISS {faiss.__version__} IndexFlatIP, one thread (OPENBLAS_CORETYPE="
          f"{os.environ.get('OPENBLAS_CORETYPE', 'as OpenBLAS chooses')}); dmlbench isa {dml['isa']}")
    print(f"{len(labels)} queries against themselves, D = {y.shape[1]}, {dml['classes']} classes")
    print(f"{'top':>5} {'dmlbench best/median s':>24} {'FAISS best/median s':>22} {'FAISS/dmlbench':>15}"
          f" {'R@1 dml/FAISS':>15} {'agree':>7}")
    bad = 0
    for r in dml["results"]:
        k = r["k"]
        times = []
        for _ in range(rounds):
            t0 = time.thread_time()
            _, idx = index.search(y, k + 1)
            times.append(time.thread_time() - t0)
        times.sort()
        fidx = drop_self(idx, k)
        didx = np.fromfile(os.path.join(d, f"knn_top{k}.i32"), dtype=np.int32).reshape(-1, k)
        agree = np.mean([len(np.intersect1d(a, b)) / k for a, b in zip(didx, fidx)])
        fr1, _ = recalls(fidx, labels)
        dr1, _ = recalls(didx, labels)
        best, med = times[0], times[len(times) // 2]
        print(f"{k:>5} {r['best_s']:>11.3f} / {r['median_s']:<10.3f} {best:>9.3f} / {med:<10.3f}"
              f" {best / r['best_s']:>6.2f} / {med / r['median_s']:<6.2f} {dr1:>7.4f}/{fr1:<7.4f}"
              f" {agree:>7.4f}")
        bad |= agree < 0.999 or abs(dr1 - fr1) > 1e-3
    if bad:
        print("faiss_bench.py: dmlbench's neighbours differ from FAISS's", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
