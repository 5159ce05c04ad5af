#!/usr/bin/env python3
"""compare_results.py A_DIR B_DIR STUDY... — the same points with the same
answers: every CSV column that is not a timing (nor derived from one, nor the
host) equal, row for row.  Exit 1 on a difference (printed)."""
import csv, os, re, sys
a_dir, b_dir, studies = sys.argv[1], sys.argv[2], sys.argv[3:]
# as tests/shell/compare_behaviour.sh: timings and what the time budget chooses (reps);
# a learning study's training and evaluation times (train_s, train_cpu_s, eval_s)
# and the passes a point took (more when its fastest passes disagreed: sweep.c settle_rounds);
# and peak_rss_mb, a measurement of the process's memory: what the allocator
# had mapped before the point differs between one process and a shard
timing = re.compile(r'(_ms$|_s$|^gflops_|^reps$|^host$|^passes$|^peak_rss_mb$)')
bad = 0
for s in studies:
    a = list(csv.DictReader(open(os.path.join(a_dir, s + '.csv'))))
    b = list(csv.DictReader(open(os.path.join(b_dir, s + '.csv'))))
    ha = list(a[0].keys()) if a else []
    if ha != (list(b[0].keys()) if b else []) or len(a) != len(b) or not a:
        print(f'compare: {s}: header or row count differs ({len(a)} vs {len(b)} rows)'); bad = 1; continue
    cols = [c for c in ha if not timing.search(c)]
    diffs = [(i, c, ra[c], rb[c]) for i, (ra, rb) in enumerate(zip(a, b)) for c in cols if ra[c] != rb[c]]
    for d in diffs[:10]:
        print(f'compare: {s}: row {d[0]} column {d[1]}: {d[2]!r} vs {d[3]!r}')
    bad |= bool(diffs)
    print(f'compare: {s}: {len(a)} rows, {len(cols)} of {len(ha)} columns compared, {len(diffs)} differences')
sys.exit(bad)
