#!/usr/bin/env bash
# merge_test.sh [BIN] — `dmlbench merge` refuses every bad set of shards with
# one line naming the file and the reason, and writes nothing then; a good
# set merges.  The shards are real: two shards of the quick alpha_delta
# study, damaged one way per case.  Also the refusals of `sweep --shard`.
# Ends with "N passed, N failed"; exit 1 when one failed.
set -u
BIN=${1:-build/dmlbench}
W=$(mktemp -d /tmp/merge-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

"$BIN" sweep --quick --shard 0/2 --out "$W/good" experiments/alpha_delta.txt 2>/dev/null &&
"$BIN" sweep --quick --shard 1/2 --out "$W/good" experiments/alpha_delta.txt 2>/dev/null ||
    { echo "merge_test: the shards could not be made"; exit 1; }
S0=alpha_delta.shard-0-of-2 S1=alpha_delta.shard-1-of-2

fresh() { rm -rf "$W/c" "$W/out"; cp -r "$W/good" "$W/c"; }
# refuses NAME PATTERN FILES...: exit 1, one line on stderr matching PATTERN, nothing written
refuses() {
    local name=$1 pat=$2; shift 2
    "$BIN" merge --out "$W/out" "$@" > "$W/stdout" 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$W/stderr" && [ ! -e "$W/out/alpha_delta.csv" ]; then
        ok "$name: $(cat "$W/stderr")"
    else
        bad "$name: exit $rc, $lines line(s), expected /$pat/: $(cat "$W/stderr")"
    fi
}
json_set() { # FILE PYTHON-EXPR on the parsed JSON d
    python3 - "$1" "$2" <<'PY'
import json, sys
p, expr = sys.argv[1:3]
d = json.load(open(p)); exec(expr); json.dump(d, open(p, "w"), indent=1)
PY
}

fresh
if "$BIN" merge --out "$W/out" "$W/c/$S0.csv" "$W/c/$S1.csv" > /dev/null 2>&1 && [ -s "$W/out/alpha_delta.csv" ] &&
   [ "$(($(wc -l < "$W/out/alpha_delta.csv") - 1))" = "$(python3 -c "import json;print(json.load(open('$W/out/alpha_delta.json'))['points'])")" ]; then
    ok "two good shards merge into every point"
else bad "two good shards do not merge"; fi

fresh; sed -i '3d' "$W/c/$S0.csv"
refuses "missing point" "$S0.csv: .*a point is missing" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; sed -n 2p "$W/c/$S0.csv" >> "$W/c/$S1.csv"
json_set "$W/c/$S1.json" 'd["shard"]["points"] += 1'
refuses "duplicate point" "$S1.csv: line .*appears twice" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh
refuses "missing shard" "shard 1 of 2 is missing" "$W/c/$S0.csv"
refuses "shard given twice" "$S0.csv: shard 0 of 2 .*given twice" "$W/c/$S0.csv" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; json_set "$W/c/$S1.json" 'd["git"]["commit"] = "0" * 40'
refuses "other commit" "$S1.json: from commit 000000000000" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; json_set "$W/c/$S1.json" 'd["flags"] += " -O3"'
refuses "other build flags" "$S1.json: built by .* with flags" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; sed 's/^quick alpha 4 32 128/quick alpha 4 32 64/' experiments/alpha_delta.txt > "$W/alpha_delta.txt"
"$BIN" sweep --quick --shard 1/2 --out "$W/c" "$W/alpha_delta.txt" 2>/dev/null
refuses "other definition" "$S1.json: another definition of study alpha_delta" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; truncate -s -1 "$W/c/$S1.csv"
refuses "CSV without its final newline" "$S1.csv: truncated: no final newline" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; python3 -c "import sys; p=sys.argv[1]; l=open(p).read().split('\n'); l[2]=l[2][:len(l[2])//2]; open(p,'w').write('\n'.join(l))" "$W/c/$S1.csv"
refuses "CSV row cut short" "$S1.csv: line 3 has .* fields, the header" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; sed -i '1s/,host,/,hostname,/' "$W/c/$S0.csv"
refuses "CSV of another header" "$S0.csv: its header is not this build's" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; python3 -c "import sys; p=sys.argv[1]; t=open(p).read().rstrip(); open(p,'w').write(t[:-1])" "$W/c/$S0.json"
refuses "JSON without its closing brace" "$S0.json: not valid JSON (truncated" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; sed -i 's/"points_hash": "/"points_hash" "/' "$W/c/$S0.json"
refuses "JSON that does not parse" "$S0.json: not valid JSON" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh; json_set "$W/c/$S0.json" 'del d["shard"]'
refuses "JSON without a shard record" "$S0.json: no shard record" "$W/c/$S0.csv" "$W/c/$S1.csv"

fresh
refuses "not a shard CSV" "not a shard CSV" "experiments/alpha_delta.txt"

# sweep --shard: a bad K/N, and a point needing more threads than the CPUs the task has
for v in 2/2 -1/2 x/2 1/0 1; do
    if "$BIN" sweep --quick --shard "$v" --out "$W/x" experiments/alpha_delta.txt 2> "$W/stderr"; then
        bad "sweep --shard $v accepted"
    elif [ "$(wc -l < "$W/stderr")" = 1 ] && grep -q "is not K/N" "$W/stderr"; then ok "sweep --shard $v refused"
    else bad "sweep --shard $v: $(cat "$W/stderr")"; fi
done
if [ "$(nproc)" -ge 2 ]; then
    # threads 2 named outright: `threads all` counts the CPUs the process may
    # use, so under taskset -c 0 it is one thread and runs (checked below)
    sed 's/^threads .*/threads 1 2/' experiments/threads.txt > "$W/threads2.txt"
    if taskset -c 0 "$BIN" sweep --quick --shard 0/1 --out "$W/x" "$W/threads2.txt" 2> "$W/stderr"; then
        bad "a 2-thread point ran on a 1-CPU affinity"
    elif grep -q "needs 2 threads, but the process's CPU affinity allows 1 CPU" "$W/stderr" && [ ! -e "$W/x/threads.shard-0-of-1.csv" ]; then
        ok "a 2-thread point on 1 CPU refused: $(cat "$W/stderr")"
    else bad "2-thread point on 1 CPU: $(cat "$W/stderr")"; fi
    if taskset -c 0 "$BIN" sweep --quick --shard 0/1 --out "$W/y" experiments/threads.txt 2> "$W/stderr" &&
       [ "$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="threads") c=i} NR>1{print $c}' "$W/y/threads.shard-0-of-1.csv" | sort -u)" = 1 ]; then
        ok "threads all on a 1-CPU affinity: every point on one thread"
    else bad "threads all on a 1-CPU affinity: $(cat "$W/stderr")"; fi
    if SLURM_CPUS_PER_TASK=1 "$BIN" sweep --quick --shard 0/1 --out "$W/x" experiments/threads.txt 2> "$W/stderr"; then
        bad "a 2-thread point ran with SLURM_CPUS_PER_TASK=1"
    elif grep -q "needs 2 threads, but SLURM_CPUS_PER_TASK allows 1 CPU" "$W/stderr"; then ok "SLURM_CPUS_PER_TASK=1 bounds the threads"
    else bad "SLURM_CPUS_PER_TASK=1: $(cat "$W/stderr")"; fi
fi

echo "merge_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
