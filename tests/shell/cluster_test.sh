#!/usr/bin/env bash
# cluster_test.sh [BIN] — the sweep past one machine, on real engines: a
# one-node Slurm started here (scripts/slurm-local.sh, stopped on exit) and
# GNU parallel with local jobs.
#  1. a single-machine quick sweep of a reduced study set (batch and
#     alpha_delta: the split, the merge and the fit are the same for every
#     study, and the whole quick set would take ~1.5 min a run) is the reference;
#  2. the same as a 4-task Slurm array, merged: every non-timing column equal
#     (tests/shell/compare_results.py);
#  3. a study written here, slow enough to be caught mid-run, as a 4-task
#     array with task 2 cancelled (scancel JOBID_2) once it has finished a
#     point: engine.sh reruns shard 2 alone, which resumes from its rows, and
#     the merge completes the study;
#  4. the same as 2 through GNU parallel;
#  5. `make sweep ENGINE=slurm` and `ENGINE=parallel` (QUICK=1, SHARDS=3) on
#     every shipped study, the timing and the learning half, each then
#     passing `make sweep-check` (the threads study's 2-thread points need
#     tasks of 2 CPUs: sbatch -c 2, one parallel slot of 2 cores), and the
#     engines' progress: parallel's lines tagged by shard, Slurm's summary.
# Ends with "N passed, N failed"; exit 1 when one failed.
set -u
BUILD_DIR=$(dirname "${1:-build/dmlbench}")
BIN=$(cd "$BUILD_DIR" && pwd)/$(basename "${1:-build/dmlbench}")
export DMLBENCH=$BIN
W=$(mktemp -d /tmp/cluster-test.XXXXXX)
DIR=${DML_SLURM_DIR:-/tmp/dmlbench-slurm-$$}
trap 'sh scripts/slurm-local.sh stop "$DIR" 2>/dev/null; rm -rf "$W"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
STUDIES="batch alpha_delta"
DEFS="experiments/batch.txt experiments/alpha_delta.txt"
t0=$(date +%s)

# shellcheck disable=SC2086
"$BIN" sweep --quick --out "$W/ref" $DEFS > "$W/ref.log" 2>&1 && ok "single-machine reference ($STUDIES)" ||
    { bad "single-machine reference: $(tail -1 "$W/ref.log")"; echo "cluster_test: $pass passed, $fail failed"; exit 1; }

# make sweep ENGINE=$1 QUICK=1 on every shipped study, then make sweep-check.
make_sweep() {
    o=$W/make-$1
    if PROGRESS_EVERY=5 make --no-print-directory sweep ENGINE="$1" SHARDS=3 QUICK=1 BUILD="$BUILD_DIR" \
            RESULTS="$o" > "$o.log" 2>&1; then
        ok "make sweep ENGINE=$1 SHARDS=3 QUICK=1: every study ($(grep -c 'merged .* shards' "$o.log") merged)"
        make --no-print-directory sweep-check QUICK=1 RESULTS="$o" > "$o.check" 2>&1 &&
            ok "make sweep-check on ENGINE=$1's results: $(tail -1 "$o.check")" || bad "sweep-check ENGINE=$1: $(grep -v ': ok' "$o.check" | head -3)"
        case $1 in
        parallel) pat='^\[shard [0-9]*/3\].*ETA' ;;
        slurm) pat='^engine.sh: slurm: \[shard [0-9]*/3\] \[[a-z_]*\] .*ETA' ;;
        esac
        grep -q "$pat" "$o.log" && ok "ENGINE=$1 shows each shard's progress while it runs" ||
            bad "ENGINE=$1: no progress line of a shard in $o.log"
    else bad "make sweep ENGINE=$1: $(grep -i 'error\|refus\|fail' "$o.log" | head -3)"; fi
}

# ------------------------------------------------------------------ Slurm
if out=$(sh scripts/slurm-local.sh start "$DIR" 2> "$W/slurm-start.log"); then
    eval "$out"
    ok "one-node Slurm up ($(sinfo -h -o '%N %c CPUs %T'))"
    # shellcheck disable=SC2086
    if sh scripts/engine.sh slurm 4 "$W/slurm" -- --quick $DEFS > "$W/slurm.log" 2>&1; then
        ok "4-task array sweep merged"
        # shellcheck disable=SC2086
        python3 tests/shell/compare_results.py "$W/ref" "$W/slurm" $STUDIES > "$W/cmp" && ok "Slurm = one machine: $(tr '\n' ' ' < "$W/cmp")" ||
            bad "Slurm differs: $(cat "$W/cmp")"
        hosts=$(grep -c '"host"' "$W/slurm/batch.json")
        [ "$hosts" -ge 5 ] && ok "merged JSON names every shard's host" || bad "merged JSON lacks hosts"
    else bad "Slurm sweep: $(tail -3 "$W/slurm.log")"; fi

    # a task cancelled mid-run, rerun alone, resuming its rows
    printf '%s\n' "study slow" "losses ms" "M 128" "C 100" "D 512" "per_class 4" "seed range 1 12 1" \
        "reps 1000" "warmup 0" "max_seconds 1" > "$W/slow.txt"
    sh scripts/engine.sh slurm 4 "$W/kill" -- "$W/slow.txt" > "$W/kill.log" 2>&1 &
    eng=$!
    part=$W/kill/shards/slow.shard-2-of-4.partial.csv
    i=0
    while [ ! -s "$part" ] && [ $i -lt 600 ] && kill -0 $eng 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    job=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$W/kill.log" | head -1)
    if [ -s "$part" ] && [ -n "$job" ]; then
        scancel "${job}_2"
        ok "cancelled task ${job}_2 after $(($(wc -l < "$part") - 1)) point(s)"
    else bad "shard 2 never started a point (job '$job')"; fi
    wait $eng; rc=$?
    if [ $rc -eq 0 ] && grep -q "shard(s) 2 did not finish" "$W/kill.log" && grep -q "running shard(s) 2 of 4" "$W/kill.log"; then
        ok "engine reran shard 2 alone and merged"
    else bad "rerun after scancel: exit $rc: $(grep engine.sh "$W/kill.log" | tr '\n' ' ')"; fi
    resumed=$(python3 -c "import json;print(json.load(open('$W/kill/shards/slow.shard-2-of-4.json'))['resumed_points'])" 2>/dev/null)
    [ "${resumed:-0}" -ge 1 ] && ok "the rerun resumed $resumed point(s) of the cancelled task" || bad "the rerun resumed nothing ('$resumed')"
    rows=$(($(wc -l < "$W/kill/slow.csv" 2>/dev/null || echo 0) - 1))
    [ "$rows" = 12 ] && ok "the study is complete: 12 of 12 points" || bad "the study has $rows of 12 points"
    make_sweep slurm
    sh scripts/slurm-local.sh stop "$DIR" 2>/dev/null
else
    bad "Slurm did not start: $(tail -3 "$W/slurm-start.log")"
fi

# --------------------------------------------------------------- parallel
# shellcheck disable=SC2086
if sh scripts/engine.sh parallel 4 "$W/par" -- --quick $DEFS > "$W/par.log" 2>&1; then
    ok "GNU parallel sweep merged"
    # shellcheck disable=SC2086
    python3 tests/shell/compare_results.py "$W/ref" "$W/par" $STUDIES > "$W/cmp" && ok "parallel = one machine: $(tr '\n' ' ' < "$W/cmp")" ||
        bad "parallel differs: $(cat "$W/cmp")"
    [ "$(awk 'NR>1' "$W/par/shards/joblog" | wc -l)" = 4 ] && ok "joblog has the 4 jobs" || bad "joblog: $(cat "$W/par/shards/joblog")"
else bad "parallel sweep: $(tail -3 "$W/par.log")"; fi
make_sweep parallel

echo "cluster_test: $(($(date +%s) - t0)) s"
echo "cluster_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
