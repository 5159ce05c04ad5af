#!/bin/sh
# compare_torch.sh BIN DATA SEEDS [RECIPE...] — one recipe trained by dmlbench
# and by PyTorch + pytorch-metric-learning (scripts/torch_train.py) on the same
# IDX files, a seed at a time, interleaved (dmlbench, torch, dmlbench, ...) so
# that the shared machine's load falls on both alike; then a table: Recall@1,
# MAP@R and training CPU time (one thread each) per seed, the medians, the
# Recall@1 gap and the speed ratio.  RECIPE: --protocol test --loss
# proxy_anchor --M 180 --D 128 --H 512 --conv 16 --per-class 4 --epochs 4 ...
# (the options both programs share).
#
# PML: PML_SRC=DIR (a source tree with pytorch_metric_learning/), else
# PML_GIT=DIR (a git repository of it, default the `fetch` mirror of this
# machine) unpacked at tag v2.8.1 into a temporary directory for this run
# and removed after it; with neither, torch_train.py writes Proxy-Anchor's
# formula out itself and says so in its "loss_impl".
set -eu
BIN=$1 DATA=$2 SEEDS=$3
shift 3
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
"$PY" - "$TMP" $SEEDS <<'EOF'
import json, statistics as st, sys
d, seeds = sys.argv[1], sys.argv[2:]
rows = []
for s in seeds:
    c = json.load(open(f"{d}/c{s}.json"))["rows"][-1]
    tj = json.load(open(f"{d}/t{s}.json"))
    t = tj["rows"][-1]
    rows.append((s, c["recall"][0], t["recall_at_1"], c["map_at_r"], t["map_at_r"], c["train_cpu_s"], t["train_cpu_s"],
                 c["train_s"], t["train_s"]))
print(f"torch {tj['torch']}, loss: {tj['loss_impl']}, {tj['args']['epochs']} epochs, one thread each")
print("seed  R@1 dmlbench  R@1 torch  MAP@R dmlbench  MAP@R torch  train CPU s dmlbench  torch  ratio")
for r in rows:
    print(f"{r[0]:>4}  {r[1]:12.4f}  {r[2]:9.4f}  {r[3]:14.4f}  {r[4]:11.4f}  {r[5]:20.2f}  {r[6]:5.2f}  {r[6] / r[5]:5.2f}x")
med = [st.median(r[i] for r in rows) for i in range(1, 9)]
ratios = [r[6] / r[5] for r in rows]
print(f"median {med[0]:12.4f}  {med[1]:9.4f}  {med[2]:14.4f}  {med[3]:11.4f}  {med[4]:20.2f}  {med[5]:5.2f}  "
      f"{st.median(ratios):5.2f}x (best {max(ratios):.2f}x)")
print(f"Recall@1 gap (dmlbench - torch, medians): {100 * (med[0] - med[1]):+.2f} points; "
      f"range dmlbench {min(r[1] for r in rows):.4f}-{max(r[1] for r in rows):.4f}, "
      f"torch {min(r[2] for r in rows):.4f}-{max(r[2] for r in rows):.4f}")
print(f"training speed, CPU time: {st.median(ratios):.2f}x torch (median of seeds); wall {med[7] / med[6]:.2f}x")
EOF
