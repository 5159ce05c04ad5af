#!/usr/bin/env bash
# binding_test.sh [BIN] — threads stay inside the CPUs the process was given
# (issue 17): under `taskset -c C` a sweep binds OpenMP thread 0 to PU C, its
# JSON records cpuset "C" and one core, and two threads are refused; with the
# CPUs it was given, two threads go to two different PUs.  The CPUs tried are
# the last two this test may run on (one, on a one-CPU runner, where the
# two-thread case cannot be asked for).
NAME=binding_test
. "$(dirname "$0")/lib.sh"

cat > "$W/tiny.txt" <<'DEF'
study   tinybind
M       16
C       4
D       8
per_class 4
seed    1
reps    1
warmup  0
max_seconds 0.05

[proxy_anchor]
alpha   32
delta   0.1
DEF

# The CPUs this shell may use, one per line ("0-1,4" -> 0 1 4).
cpus=$(grep Cpus_allowed_list /proc/self/status | cut -f2 | tr ',' '\n' |
       while IFS=- read -r lo hi; do seq "$lo" "${hi:-$lo}"; done)
ncpu=$(echo "$cpus" | wc -l)
nall=$(nproc --all)
for cpu in $(echo "$cpus" | tail -2); do
    out="$W/out$cpu"
    taskset -c "$cpu" "$BIN" sweep --out "$out" "$W/tiny.txt" > /dev/null 2> "$W/err$cpu"
    rc=$?
    bound=$(grep -o "threads bound: .*" "$W/err$cpu")
    if [ $rc -eq 0 ] && grep -q "omp thread 0 -> core [0-9]* (PU $cpu) \[cpuset $cpu\]" "$W/err$cpu"; then
        ok "taskset -c $cpu: $bound"
    else
        bad "taskset -c $cpu: exit $rc, $(cat "$W/err$cpu")"
    fi
    if grep -q "\"cores\": 1, \"pus\": 1, \"machine_cores\": [0-9]*, \"machine_pus\": $nall, \"cpuset\": \"$cpu\"" "$out/tinybind.json" &&
       grep -q "\"binding\": \"omp thread 0 -> core [0-9]* (PU $cpu)" "$out/tinybind.json"; then
        ok "taskset -c $cpu: the JSON records cpuset $cpu, one core, the binding"
    else
        bad "taskset -c $cpu: JSON: $(grep -o '"cpu": {[^}]*' "$out/tinybind.json") $(grep -o '"binding": "[^"]*"' "$out/tinybind.json")"
    fi
    taskset -c "$cpu" "$BIN" sweep --threads 2 --out "$W/two$cpu" "$W/tiny.txt" > /dev/null 2> "$W/two$cpu.err"
    rc=$?
    if [ $rc -ne 0 ] && grep -q "allows 1 CPU" "$W/two$cpu.err"; then
        ok "taskset -c $cpu --threads 2 refused: $(cat "$W/two$cpu.err")"
    else
        bad "taskset -c $cpu --threads 2: exit $rc, $(cat "$W/two$cpu.err")"
    fi
    # bench --scaling: one thread against two cannot be measured on one CPU
    taskset -c "$cpu" "$BIN" bench --scaling > /dev/null 2> "$W/scal$cpu.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "may use 1 core" "$W/scal$cpu.err"; then
        ok "taskset -c $cpu bench --scaling refused: $(cat "$W/scal$cpu.err")"
    else
        bad "taskset -c $cpu bench --scaling: exit $rc, $(cat "$W/scal$cpu.err")"
    fi
done

if [ "$ncpu" -ge 2 ]; then
    "$BIN" sweep --threads 2 --out "$W/both" "$W/tiny.txt" > /dev/null 2> "$W/both.err"
    pus=$(grep -o "(PU [0-9]*)" "$W/both.err" | sort -u | wc -l)
    if [ "$pus" -eq 2 ]; then
        ok "two threads on two PUs: $(grep -o "threads bound: .*" "$W/both.err")"
    else
        bad "two threads: $(cat "$W/both.err")"
    fi
fi
summary
