#!/bin/bash
# fault_test.sh [DMLBENCH] — a sweep must lose at most the point in flight.
#
#  1. kill -9 at random moments (KILLS times, bounded in time), `--resume` each
#     time: at the end every point is there exactly once, every row that was
#     finished before a kill is byte-identical in the final CSV, and no
#     temporary file is left.
#  2. a file-size limit (ulimit -f) that the results cannot fit in: one line
#     naming the file, a non-zero exit, no temporary file, the earlier
#     results untouched.
#  3. the output directory made read-only while the sweep runs (as an
#     unprivileged user: root ignores permissions): one line naming the file,
#     a non-zero exit, no temporary file.
#  4. SIGTERM and SIGINT at random moments: the process ends by the signal
#     and never leaves a temporary file (it removes the one it was writing).
# Prints "fault: N passed, N failed" and exits non-zero on any failure.
set -u
BIN=$(realpath "${1:-build/dmlbench}")
KILLS=${KILLS:-30}
SEED=${SEED:-$$}
W=$(mktemp -d /tmp/dmlbench-fault.XXXXXX)
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT
RANDOM=$SEED
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }

# A study of many short points: each kill lands in a different place.
cat > "$W/faults.txt" <<'EOF'
study faults
losses proxy_anchor ms
M geom 16 128 7
C 100
D 256 512
classes_in_batch 4
reps 1000
warmup 0
max_seconds 0.1
EOF
npoints=28
key_col() { awk -F, 'NR > 1 { print $NF }' "$1"; }
temps() { find "$W/out" "$W/ro" -name '*.tmp*' 2>/dev/null; }

echo "fault test (seed $SEED): $KILLS kills of a $npoints-point sweep"
mkdir -p "$W/out"
declare -A seen
t_end=$((SECONDS + 120))
for ((i = 0; i < KILLS && SECONDS < t_end; i++)); do
    "$BIN" sweep --resume --out "$W/out" "$W/faults.txt" >/dev/null 2>"$W/err" &
    pid=$!
    sleep "0.$((RANDOM % 80 + 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    for f in "$W/out/faults.partial.csv" "$W/out/faults.csv"; do
        [ -f "$f" ] || continue
        while IFS= read -r row; do
            k=${row##*,}
            if [ -n "${seen[$k]+x}" ] && [ "${seen[$k]}" != "$row" ]; then
                bad "after kill $i: the row of $k changed"
            fi
            seen[$k]=$row
        done < <(tail -n +2 "$f")
    done
done
echo "  ($i kills, ${#seen[@]} rows finished before a kill)"
# A kill inside a write leaves a temporary file; --resume must clear it
# (made here on purpose: a random kill rarely lands in that window).
# The pid is one no process has (a live one's file would rightly be kept).
dead=$(( $(cat /proc/sys/kernel/pid_max) - 3 )); while kill -0 "$dead" 2>/dev/null; do dead=$((dead - 1)); done
echo "half a row" > "$W/out/faults.partial.csv.tmp.$dead"
"$BIN" sweep --resume --out "$W/out" "$W/faults.txt" >/dev/null 2>"$W/err" || bad "the last --resume failed: $(tail -1 "$W/err")"
final=$W/out/faults.csv
if [ -f "$final" ]; then
    n=$(key_col "$final" | wc -l)
    u=$(key_col "$final" | sort -u | wc -l)
    [ "$n" -eq "$npoints" ] && [ "$u" -eq "$npoints" ] && ok "every point exactly once ($n)" \
        || bad "final CSV has $n rows, $u distinct, want $npoints"
    changed=0
    for k in "${!seen[@]}"; do
        grep -qxF -- "${seen[$k]}" "$final" || changed=$((changed + 1))
    done
    [ "$changed" -eq 0 ] && ok "rows finished before a kill are byte-identical" \
        || bad "$changed rows finished before a kill differ in the final CSV"
else
    bad "no final CSV"
fi
[ -z "$(temps)" ] && ok "no temporary file left after kills and --resume" || bad "left behind: $(temps)"

# 2. a file-size limit the CSV cannot fit in.
mkdir -p "$W/fsz"
cp "$final" "$W/fsz/faults.csv" 2>/dev/null
before=$(md5sum < "$W/fsz/faults.csv" 2>/dev/null)
sed -i 's/^max_seconds.*/max_seconds 0.001/' "$W/faults.txt"
(ulimit -f 2; exec "$BIN" sweep --out "$W/fsz" "$W/faults.txt") >/dev/null 2>"$W/err"
rc=$?
lines=$(grep -c . "$W/err")
if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q "$W/fsz" "$W/err" && grep -qi "size\|too large\|limit" "$W/err"; then
    ok "ulimit -f: exit $rc, one clear line: $(grep "$W/fsz" "$W/err" | head -1)"
else
    bad "ulimit -f: exit $rc, stderr: $(tr '\n' '|' < "$W/err" | tail -c 300)"
fi
[ "$lines" -le 3 ] || bad "ulimit -f: $lines lines on stderr (want one error line)"
[ -z "$(find "$W/fsz" -name '*.tmp*')" ] && ok "ulimit -f: no temporary file left" || bad "ulimit -f left: $(find "$W/fsz" -name '*.tmp*')"
[ "$(md5sum < "$W/fsz/faults.csv")" = "$before" ] && ok "ulimit -f: the earlier results untouched" || bad "ulimit -f: faults.csv changed"

# 3. the output directory made read-only mid-run, as an unprivileged user.
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    mkdir -p "$W/ro"
    chown nobody "$W/ro"
    chmod 755 "$W" 
    sed -i 's/^max_seconds.*/max_seconds 0.1/' "$W/faults.txt"
    chmod 644 "$W/faults.txt"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" sweep --out "$W/ro" "$W/faults.txt" \
        >/dev/null 2>"$W/err" &
    pid=$!
    sleep 0.5
    chmod 555 "$W/ro"
    wait "$pid"
    rc=$?
    if [ "$rc" -ne 0 ] && grep -q "$W/ro" "$W/err"; then
        ok "read-only mid-run: exit $rc: $(grep "$W/ro" "$W/err" | head -1)"
    else
        bad "read-only mid-run: exit $rc, stderr: $(tr '\n' '|' < "$W/err" | tail -c 300)"
    fi
    [ -z "$(find "$W/ro" -name '*.tmp*')" ] && ok "read-only mid-run: no temporary file left" \
        || bad "read-only left: $(find "$W/ro" -name '*.tmp*')"
    chmod 755 "$W/ro"
else
    echo "  (read-only check not run: needs setpriv and a 'nobody' user)"
    fail=$((fail + 1))
fi
# 4. SIGTERM / SIGINT at random moments: no temporary file, ever.
mkdir -p "$W/term"
left=0 ends=0
for ((i = 0; i < 10; i++)); do
    sig=TERM; [ $((i % 2)) = 1 ] && sig=INT
    "$BIN" sweep --out "$W/term" "$W/faults.txt" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 50 + 5))"
    kill -s $sig "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    [ "$rc" -eq 143 ] || [ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] && ends=$((ends + 1))
    [ -z "$(find "$W/term" -name '*.tmp*')" ] || left=$((left + 1))
    find "$W/term" -name '*.tmp*' -delete
done
[ "$ends" -eq 10 ] && ok "SIGTERM/SIGINT: each run ended by its signal (or had finished)" || bad "SIGTERM/SIGINT: $((10 - ends)) runs ended otherwise"
[ "$left" -eq 0 ] && ok "SIGTERM/SIGINT: no temporary file left" || bad "SIGTERM/SIGINT: $left runs left a temporary file"
echo "fault: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
