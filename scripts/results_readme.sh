#!/bin/sh
# results_readme.sh [--check] [DIR] — writes DIR/README.md (default results/) from the
# CSVs and JSONs of DIR: every number in it is read from them, and every
# sentence that states a finding is computed with its numbers
# (scripts/results/*.awk), so the page cannot drift from the run.  Run at the
# end of `make sweep` and `make figures`; a study whose CSV is absent is left
# out.  The file is replaced only when its content changes.  --check writes
# nothing and fails when DIR/README.md is not what the CSVs give (make test
# runs it on the committed results).
set -eu
CHECK=0
[ "${1:-}" = --check ] && { CHECK=1; shift; }
D=${1:-results}
L=$(dirname "$0")/results
REF=$(dirname "$0")/../results/train/reference.csv
OUT=$D/README.md
TMP=$D/README.md.tmp.$$
trap 'rm -f "$TMP"' EXIT INT TERM

have() { [ -s "$D/$1.csv" ]; }
pivot() { f=$1; shift; awk -F, "$@" -f "$L/lib.awk" -f "$L/pivot.awk" "$D/$f.csv"; }
find_() { # find_ WHAT [-v name=value]... [FILE...]
    w=$1; shift; o=""
    while [ "${1:-}" = -v ]; do o="$o -v $2"; shift 2; done
    awk -F, -v what="$w" $o -f "$L/lib.awk" -f "$L/findings.awk" -f "$L/learn.awk" "$@"
}
fig() { [ -f "$D/figures/$1.png" ] && printf '\n![%s](figures/%s.png)\n' "$1" "$1" || true; }
refs() { # the reference's values for one study that have a setting, one line
    awk -F, -v s="$1" 'NR > 1 && $1 == s && $4 != "" { line = line (line == "" ? "" : "; ") $4 ": " $5 }
                       END { if (line != "") print "Reference (PyTorch + PML, 4 epochs, Proxy-Anchor): " line "." }' "$REF"
}

{
cat <<HEAD
# Measured results

Written by \`scripts/results_readme.sh\` from the CSV and JSON files of this
directory at the end of \`make sweep\` (and \`make figures\`): do not edit it by
hand, rerun the script. What the studies are and how to read the figures:
[docs/studies.md](../docs/studies.md), [docs/learning.md](../docs/learning.md).

## The runs

| study | rows | date | commit | machine | took |
|---|---|---|---|---|---|
HEAD
rows=$(for j in "$D"/*.json; do
    s=$(basename "$j" .json); have "$s" || continue
    awk -v study="$s" -v rows=$(($(wc -l < "$D/$s.csv") - 1)) -f "$L/prov.awk" "$j"
done)
echo "$rows"
echo "$rows" | awk -F'|' '{ t = $7; sub(/^ */, "", t); split(t, a, " "); if ($2 ~ /^ learn_/) l += a[1]; else x += a[1] }
    END { printf "\nIn all: the timing studies %d min %02d s, the learning studies %d min %02d s (their slowest shards).\n", x / 60, x % 60, l / 60, l % 60 }'
if [ -s "$D/sweep-time.txt" ]; then
    printf '\nThe whole `make sweep` (from `sweep-time.txt`):\n\n'
    grep -v '^#' "$D/sweep-time.txt" | sed 's/^\([^ ]*\) \(.*\)/- `\1`: \2/'
fi

if [ -s "$D/complexity.csv" ]; then
    printf '\n## Complexity (batch study, M ≥ the fit minimum)\n\n'
    find_ complexity "$D/complexity.csv"
fi
if have batch; then
    printf '\n## Time per step against M (`batch`)\n\nFastest CPU time of a step, ms.\n\n'
    pivot batch -v rows=M -v cols="name algorithm" -v val=cpu_min_ms -v where="kind=loss;threads=1"
    printf '\nThe enumerated triplet against the sorted walk, same batches:\n\n'
    find_ sorted "$D/batch.csv"; fig batch_time
fi
if have classes; then
    printf '\n## Time per step against C (`classes`)\n\nFastest CPU time of a step, ms.\n\n'
    pivot classes -v rows=C -v cols=name -v val=cpu_min_ms -v where="kind=loss"
    echo; find_ vs_first -v x=C "$D/classes.csv"; fig classes_time
fi
if have sampled; then
    printf '\n## Time per step against sampled proxies (`sampled`)\n\nFastest CPU time of a step, ms, by the ratio r of sampled proxies (rows; 1: every proxy) for each loss and C.\n\n'
    pivot sampled -v rows=proxy_sample -v cols="name C" -v val=cpu_min_ms -v where="kind=loss" -v label=r; fig sampled_time
fi
if have dim; then
    printf '\n## Time per step against D (`dim`)\n\nFastest CPU time of a step, ms.\n\n'
    pivot dim -v rows=D -v cols=name -v val=cpu_min_ms -v where="kind=loss"; fig dim_time
fi
if have alpha_delta; then
    printf '\n## Hardness weighting (`alpha_delta`)\n\nProxy-Anchor: how many positives and negatives carry the pull (`pos_eff_n`, `neg_eff_n`), by α (rows) and δ (columns).\n\n'
    pivot alpha_delta -v rows=alpha -v cols=delta -v val=pos_eff_n -v where="name=proxy_anchor" -v label="pos_eff_n: α \\\\ δ"
    echo; pivot alpha_delta -v rows=alpha -v cols=delta -v val=neg_eff_n -v where="name=proxy_anchor" -v label="neg_eff_n: α \\\\ δ"
    printf '\nShare of the hardest positive (`proxy_pos_top1_share`): Proxy-Anchor by α and δ, Proxy-NCA by its scale s.\n\n'
    pivot alpha_delta -v rows=alpha -v cols=delta -v val=proxy_pos_top1_share -v where="name=proxy_anchor" -v label="α \\\\ δ"
    echo; pivot alpha_delta -v rows=scale -v cols=name -v val=proxy_pos_top1_share -v where="name=proxy_nca" -v label=s
    fig alpha_delta_heatmap; fig top1_share
fi
if have isa; then
    printf '\n## Throughput per ISA (`isa`)\n\nKernels alone (`gemm`: GFLOP/s; `lse`, `normalize`: G elements/s) and whole steps (GFLOP/s of their products), fastest, at M = 512, D = 512.\n\n'
    pivot isa -v rows=name -v cols=isa -v val=gflops_min -v where="M=512;D=512" -v label="GFLOP/s"
    echo; pivot isa -v rows=name -v cols=isa -v val=gelem_per_s -v where="M=512;D=512" -v label="Gelem/s"
    echo; find_ isa "$D/isa.csv"; fig isa_gflops
fi
if have threads; then
    printf '\n## Threads (`threads`)\n\nFastest wall time of a step, ms, by threads. Read it from an idle machine only.\n\n'
    pivot threads -v rows=threads -v cols=name -v val=total_min_ms
    echo; find_ threads "$D/threads.csv"; fig threads_scaling
fi
. "$L/learn_sections.sh"
} > "$TMP"
if cmp -s "$TMP" "$OUT"; then
    rm -f "$TMP"
elif [ $CHECK = 1 ]; then
    echo "results_readme: $OUT is not what the CSVs of $D give: rerun sh scripts/results_readme.sh $D" >&2
    diff "$OUT" "$TMP" | head -20 >&2; exit 1
else
    mv "$TMP" "$OUT"; echo "results_readme: wrote $OUT"
fi
