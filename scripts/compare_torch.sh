#!/bin/sh
# compare_torch.sh BIN DATA SEEDS OUT [RECIPE...] — one recipe trained by dmlbench
# and by PyTorch + pytorch-metric-learning (scripts/torch_train.py) on the same
# IDX files, a seed at a time, interleaved (dmlbench, torch, dmlbench, ...) so
# that the shared machine's load falls on both alike; then a table: Recall@1,
# MAP@R and training CPU time (one thread each) per seed, the medians, the
# Recall@1 gap and the speed ratio, written by scripts/compare_torch_report.py
# into OUT.csv and OUT.md (results/train/torch_glyph.*: docs/learning.md
# links them; nobody retypes them).  RECIPE: --protocol test --loss
# proxy_anchor --M 180 --D 128 --H 512 --conv 16 --per-class 4 --epochs 4 ...
# (the options both programs share).
#
# PML: PML_SRC=DIR (a source tree with pytorch_metric_learning/), else
# PML_GIT=DIR (a git repository of it, default the `fetch` mirror of this
# machine) unpacked at tag v2.8.1 into a temporary directory for this run
# and removed after it; with neither, torch_train.py writes Proxy-Anchor's
# formula out itself and says so in its "loss_impl".
set -eu
BIN=$1 DATA=$2 SEEDS=$3 OUT=$4
shift 4
mkdir -p "$(dirname "$OUT")"
# what the report says of the run (scripts/compare_torch_report.py)
DATE=$(date -u +%Y-%m-%dT%H:%MZ) LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg) RECIPE="$*"
MACHINE="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs, $(uname -m)"
export DATE LOAD_START RECIPE MACHINE
PY=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PML_GIT=${PML_GIT:-/work/.mirror/KevinMusgrave+pytorch-metric-learning/repo}
if [ -z "${PML_SRC:-}" ] && git --git-dir="$PML_GIT" rev-parse -q --verify v2.8.1 > /dev/null 2>&1; then
    # (a partial mirror lacks some large files elsewhere in the tree: git
    # complains about them, the package's own files are all there)
    git --git-dir="$PML_GIT" archive v2.8.1 src/pytorch_metric_learning 2> /dev/null | tar -x -C "$TMP"
    [ -f "$TMP/src/pytorch_metric_learning/losses/proxy_anchor_loss.py" ] && PML_SRC=$TMP/src
fi
export PML_SRC=${PML_SRC:-}
for s in $SEEDS; do
    echo "compare-torch: seed $s: dmlbench" >&2
    "$BIN" train --data "$DATA" --threads 1 --no-baseline --json --seed "$s" "$@" > "$TMP/c$s.json"
    echo "compare-torch: seed $s: torch" >&2
    "$PY" "$(dirname "$0")/torch_train.py" --data "$DATA" --seed "$s" "$@" > "$TMP/t$s.json"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg) "$PY" "$(dirname "$0")/compare_torch_report.py" "$TMP" "$OUT" $SEEDS
echo "compare-torch: $OUT.csv, $OUT.md" >&2
