#!/usr/bin/env bash
# learn_test.sh [BIN] — the learning studies' side of `dmlbench sweep`: a
# definition with train and baseline units refuses bad values with one line
# naming file:line; a tiny study (1 000 training images, 500 queries, 1-2
# epochs) runs, resumes after a kill with the same rows, and run as 2 shards
# and merged gives the single run's rows (every column but the timings and
# the host).  Ends with "N passed, N failed"; exit 1 when one failed.
NAME=learn_test
. "$(dirname "$0")/lib.sh"

# refuses NAME PATTERN TEXT: the definition TEXT (printf's format) is refused with one line matching PATTERN
refuses() {
    local name=$1 pat=$2 def="$W/def-$RANDOM.txt"
    printf "$3" > "$def"
    "$BIN" sweep --out "$W/refused" "$def" > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$def:$pat" "$W/stderr" && [ ! -e "$W/refused" ]; then
        ok "$name: $(cat "$W/stderr")"
    else
        bad "$name: exit $rc, $lines line(s), expected /$def:$pat/: $(cat "$W/stderr")"
    fi
}
refuses "unknown protocol" "2: protocol: unknown protocol 'half'" 'train proxy_anchor\nprotocol half\n'
refuses "epochs 0" "2: epochs: '0' is not a positive integer" 'train ms\nepochs 0\n'
refuses "epochs over the cap" "2: epochs: 101 is more than 100" 'train ms\nepochs 101\n'
refuses "unknown loss" "1: train: unknown loss 'wrong'" 'train wrong\n'
refuses "unknown baseline" "1: baseline: unknown baseline 'faces'" 'baseline faces\n'
refuses "a train key without train units" "2: 'epochs' is a key of train and baseline units" 'losses ms\nepochs 2\n'
refuses "a train key in a loss unit" "3: 'protocol' is a key of train and baseline units, but \[ms\] also makes a timing unit" 'losses ms\n[ms]\nprotocol open\n'
refuses "a timing key in a train study" "2: 'C' is a key of timing units" 'train ms\nC 100\n'
refuses "a timing key in a train unit" "3: 'reps' is a key of timing units" 'train triplet\n[triplet]\nreps 3\n'
refuses "passes with training" "2: passes: a study with train or baseline units runs each point once" 'train ms\npasses 2\n'
refuses "train_limit below M" "3: train_limit 100 is smaller than the batch" 'train ms\nM 180\ntrain_limit 100\n'
refuses "eval_limit 1" "2: eval_limit: 1 item retrieves nothing" 'baseline pixels\neval_limit 1\n'

# The tiny study: 2 losses x 2 seeds x (closed, open), the baselines.
cat > "$W/tiny.txt" <<'DEF'
study   tiny
train   proxy_anchor proxy_nca
baseline pixels
protocol closed open
M       50
epochs  2
seed    0 1 2
train_limit 1000
eval_limit 500
[proxy_nca]
include_positive 1
eval_every 2
eval_untrained 0
DEF
# Every column but the timings and the host, row for row.
same() { python3 "$(dirname "$0")/compare_results.py" "$1" "$2" tiny > "$W/compare.log"; }
if "$BIN" sweep --out "$W/one" "$W/tiny.txt" 2> "$W/one.log"; then
    rows=$(($(wc -l < "$W/one/tiny.csv") - 1))
    # proxy_anchor: 3 evaluations a point (untrained, 1, 2), proxy_nca: 1; 2 baseline lines a protocol
    [ "$rows" -eq $((2 * 3 * 3 + 2 * 3 * 1 + 2 * 2)) ] && ok "tiny study: $rows rows" || bad "tiny study: $rows rows, expected 28"
    grep -q '"training"' "$W/one/tiny.json" && ok "tiny study: the JSON describes the training" || bad "tiny study: no training in the JSON"
else
    bad "tiny study did not run: $(tail -1 "$W/one.log")"
fi

# Killed after some points, then --resume: the same rows.
"$BIN" sweep --out "$W/kill" "$W/tiny.txt" 2> /dev/null &
pid=$!
for _ in $(seq 200); do
    [ -s "$W/kill/tiny.partial.csv" ] && [ "$(wc -l < "$W/kill/tiny.partial.csv")" -ge 7 ] && break
    sleep 0.05
done
kill -9 $pid 2> /dev/null; wait $pid 2> /dev/null
had=$(($(wc -l < "$W/kill/tiny.partial.csv" 2> /dev/null || echo 1) - 1))
if "$BIN" sweep --resume --out "$W/kill" "$W/tiny.txt" 2> "$W/resume.log" &&
   grep -q "resum\|points" "$W/resume.log" && same "$W/kill" "$W/one"; then
    ok "killed with $had rows written, --resume gives the same rows"
else
    bad "killed with $had rows written, --resume differs: $(tail -1 "$W/resume.log") $(head -3 "$W/compare.log")"
fi
# A point with one of its lines lost is run again, not taken as done.
sed -i '3d' "$W/kill/tiny.csv"; rm -f "$W/kill/tiny.json"
if "$BIN" sweep --resume --out "$W/kill" "$W/tiny.txt" 2> /dev/null &&
   grep -q '"resumed_points": 13' "$W/kill/tiny.json" && same "$W/kill" "$W/one"; then
    ok "a point missing a line runs again (13 of 14 resumed)"
else
    bad "a point missing a line: $(grep resumed_points "$W/kill/tiny.json")"
fi

# Two shards, merged: the single run's rows.
for k in 0 1; do "$BIN" sweep --shard $k/2 --out "$W/sh" "$W/tiny.txt" 2> /dev/null || bad "shard $k/2 failed"; done
if "$BIN" merge --out "$W/merged" "$W/sh"/tiny.shard-*-of-2.csv 2> "$W/merge.log" &&
   same "$W/merged" "$W/one"; then
    ok "2 shards merged = the single run ($(grep -c . "$W/merged/tiny.csv") lines)"
else
    bad "2 shards merged differ from the single run: $(tail -1 "$W/merge.log") $(head -3 "$W/compare.log")"
fi

summary
