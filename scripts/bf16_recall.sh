#!/bin/sh
# bf16_recall.sh — what precision bf16 does to Recall@1 after training
# (issue 18, docs/scale.md "bf16 proxies"): Proxy-Anchor and Proxy-NCA trained
# with P in float32 and in bf16 (the float32 master copy updated, P rounded
# again after each update), three seeds each, on the glyph set's validation
# classes (protocol val, as learn_glyph_*) and on Fashion-MNIST (protocol
# closed, as learn_proxy_lr), the same seeds and batches both ways; prints each run's final Recall@1 and, per data set and loss, the
# mean paired difference bf16 − fp32 with its sample standard deviation.
#
#   sh scripts/bf16_recall.sh [DMLBENCH] [GLYPH_DIR] [EPOCHS] [TRAIN_LIMIT]
#
# Defaults: build/dmlbench, build/glyphs (make data-glyphs), 2 epochs, 6000
# training items, 2000 evaluation items.  A missing data set is one line
# and exit 1.
set -eu
BIN=${1:-build/dmlbench}
GLYPHS=${2:-build/glyphs}
EPOCHS=${3:-2}
LIMIT=${4:-6000}
FMNIST=/usr/share/datasets/fashion-mnist
for d in "$GLYPHS" "$FMNIST"; do
    [ -e "$d/train-labels-idx1-ubyte.gz" ] || [ -e "$d/train-labels-idx1-ubyte" ] ||
        { echo "bf16_recall: no IDX set in $d (glyphs: make data-glyphs; Fashion-MNIST: make deps-learn)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'data,loss,precision,seed,recall_at_1\n'
for data in glyphs fmnist; do
    dir=$GLYPHS proto=val
    [ $data = fmnist ] && dir=$FMNIST proto=closed
    for loss in proxy_anchor proxy_nca; do
        for seed in 0 1 2; do
            for prec in fp32 bf16; do
                "$BIN" train --loss $loss --data "$dir" --protocol $proto --M 180 --D 128 --H 512 \
                    --epochs "$EPOCHS" --seed $seed --precision $prec --train-limit "$LIMIT" \
                    --eval-limit 2000 --eval-every "$EPOCHS" --csv "$tmp/r.csv" > /dev/null
                r1=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "recall_at_1") c = i }
                              NR > 1 { v = $c } END { print v }' "$tmp/r.csv")
                printf '%s,%s,%s,%s,%s\n' $data $loss $prec $seed "$r1"
            done
        done
    done
done | tee "$tmp/all.csv"
# Per data set and loss: the paired differences bf16 − fp32 over the seeds (in points).
awk -F, 'NR > 0 && $5 != "" { k = $1 " " $2; v[k, $3, $4] = $5; keys[k] = 1; seeds[$4] = 1 }
    END {
        for (k in keys) {
            n = 0; s = 0; ss = 0
            for (sd in seeds) if ((k, "fp32", sd) in v && (k, "bf16", sd) in v) {
                d = 100 * (v[k, "bf16", sd] - v[k, "fp32", sd]); n++; s += d; ss += d * d; f += 100 * v[k, "fp32", sd] }
            m = s / n; sdv = n > 1 ? sqrt((ss - n * m * m) / (n - 1)) : 0
            printf "# %s: Recall@1 bf16 - fp32 = %+.2f points (sd %.2f over %d seeds; fp32 mean %.2f)\n", k, m, sdv, n, f / n
            f = 0
        }
    }' "$tmp/all.csv" | sort
