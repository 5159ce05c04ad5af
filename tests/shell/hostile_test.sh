#!/usr/bin/env bash
# hostile_test.sh [DMLBENCH] — the inputs of issue 12, one case each (item
# numbers in the names): every bad input gets one line naming the problem and
# exit 1 — no crash, no hang (each case under `timeout`), no unbounded memory
# (under `ulimit -v`, unless HOSTILE_NO_VLIMIT=1: sanitizers reserve terabytes
# of address space) — and what must work works.  Run from the repository root.
# Prints "hostile: N passed, N failed" and exits non-zero on any failure.
set -u
BIN=$(realpath "${1:-build/dmlbench}")
W=$(mktemp -d /tmp/dmlbench-hostile.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
VLIM=${HOSTILE_NO_VLIMIT:+unlimited}
VLIM=${VLIM:-4000000}

# expect NAME RC REGEX CMD... : CMD exits RC, and (RC != 0) its stderr is one
# line matching REGEX, with no raw control byte in it.
expect() {
    local name=$1 want=$2 re=$3; shift 3
    (ulimit -v "$VLIM"; exec timeout -s KILL 60 "$@") > "$W/out" 2> "$W/err"
    local rc=$?
    local lines; lines=$(grep -c "^dmlbench: " "$W/err")
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, want $want: $(head -c 300 "$W/err" | tr '\n' '|')"
    elif [ "$want" -ne 0 ] && { [ "$lines" -ne 1 ] || ! grep -qE -- "$re" "$W/err"; }; then
        bad "$name: stderr ($lines lines) does not match /$re/: $(head -c 300 "$W/err" | tr '\n' '|')"
    elif LC_ALL=C grep -q '[[:cntrl:]]' "$W/err" && [ "$want" -ne 0 ]; then
        bad "$name: a raw control byte in the message"
    else
        ok "$name"
    fi
}
def() { local f="$W/$1.txt"; shift; printf '%s\n' "$@" > "$f"; echo "$f"; }
tiny="M 16|C 4|D 4|reps 3|warmup 0|max_seconds 0.01"
tinydef() { local f="$W/$1.txt"; shift; { printf 'study %s\n' "$(basename "$f" .txt)"; printf '%s\n' "$@"; echo "$tiny" | tr '|' '\n'; } > "$f"; echo "$f"; }
G=tests/golden/proxy_anchor_small.txt

echo "hostile inputs ($BIN)"
# 1. a size given again after the data
(cat $G; echo "D 1000000") > "$W/g1.txt"
expect "1 golden: D again after the data" 1 "line [0-9]+: D is given twice" "$BIN" golden "$W/g1.txt"
(cat $G; echo "M 1") > "$W/g1b.txt"
expect "1 golden: a smaller M after the data" 1 "M is given twice" "$BIN" golden "$W/g1b.txt"
(cat $G; grep '^X ' $G) > "$W/g1c.txt"
expect "1 golden: X twice" 1 "X is given twice" "$BIN" golden "$W/g1c.txt"
# 2. the error paths of the top-level single-value keys
expect "2 sweep: fit_min_M with two values" 1 "a.txt:5: fit_min_M takes one value" \
    "$BIN" sweep --out "$W/o2" "$(def a 'losses ms' 'M 16' 'C 20' 'D 16' 'fit_min_M 16 32')"
expect "2 sweep: passes with two values" 1 "passes takes one value" \
    "$BIN" sweep --out "$W/o2" "$(def b 'losses ms' 'M 16' 'C 20' 'D 16' 'passes 2 3')"
# 3. grids too large: refused with their size, at once
expect "3 sweep: 64^3 points" 1 "262144 points .*more than the 100000" timeout 5 \
    "$BIN" sweep --out "$W/o3" "$(def g3 'losses ms' 'M geom 16 1024 64' 'C geom 16 1024 64' 'D geom 16 1024 64')"
expect "3 sweep: 64^5 points" 1 "points .*more than the 100000" timeout 5 \
    "$BIN" sweep --out "$W/o3" "$(def g5 'losses ms' 'M geom 16 1024 64' 'C geom 16 1024 64' 'D geom 16 1024 64' \
        'seed range 1 64 1' 'noise range 0.1 6.4 0.1')"
# 4. endless input
expect "4 golden /dev/zero" 1 "/dev/zero: larger than the 64 MiB input limit" timeout 10 "$BIN" golden /dev/zero
expect "4 fit /dev/zero" 1 "/dev/zero: larger than the 64 MiB input limit" timeout 10 "$BIN" fit /dev/zero
expect "4 sweep /dev/zero" 1 "/dev/zero: (larger than|a NUL byte)" timeout 10 "$BIN" sweep --out "$W/o4" /dev/zero
# 5. a file-size limit: one line naming the file, no temporary file; stale temporaries cleaned
f5=$(tinydef s5 'losses ms')
expect "5 sweep under ulimit -f 1" 1 "$W/o5/s5.*File too large" bash -c "ulimit -f 1; exec \"$BIN\" sweep --out $W/o5 $f5"
[ -z "$(find "$W/o5" -name '*.tmp*')" ] && ok "5 no temporary file after EFBIG" || bad "5 left: $(find "$W/o5" -name '*.tmp*')"
mkdir -p "$W/o5b"
dead=$(( $(cat /proc/sys/kernel/pid_max) - 7 )); while kill -0 "$dead" 2>/dev/null; do dead=$((dead - 1)); done
echo junk > "$W/o5b/s5.partial.csv.tmp.$dead"; echo junk > "$W/o5b/s5.json.tmp.$dead"
expect "5 sweep --resume after a kill -9" 0 "" "$BIN" sweep --resume --out "$W/o5b" "$f5"
[ -z "$(find "$W/o5b" -name '*.tmp*')" ] && ok "5 --resume removed the dead run's temporaries" \
    || bad "5 --resume left: $(find "$W/o5b" -name '*.tmp*')"
# 6. limits checked when the definition is read
expect "6 threads 5000" 1 "threads: 5000 is more than 1024" "$BIN" sweep --out "$W/o6" "$(def t6 'losses ms' 'threads 5000')"
expect "6 warmup 1e9" 1 "warmup: 1e\+09 is more than" "$BIN" sweep --out "$W/o6" "$(def w6 'losses ms' 'warmup 1000000000')"
expect "6 passes 1e9" 1 "passes: 1e\+09 is more than 100" "$BIN" sweep --out "$W/o6" "$(def p6 'losses ms' 'passes 1e9')"
expect "6 max_seconds 1e9" 1 "max_seconds: 1e\+09 is more than 3600" "$BIN" sweep --out "$W/o6" "$(def m6 'losses ms' 'max_seconds 1e9')"
expect "6 warmup 1e6 stays within max_seconds" 0 "" timeout 20 "$BIN" sweep --out "$W/o6b" \
    "$(def w6b 'losses ms' 'kernels gemm' 'M 16' 'C 4' 'D 4' 'warmup 1000000' 'reps 3' 'max_seconds 0.05')"
touch "$W/afile"
expect "6 --out is a file: refused before any point runs" 1 "cannot create $W/afile: Not a directory" \
    "$BIN" sweep --out "$W/afile" "$f5"
# 7. strict numbers, strict records, CRLF, bytes in messages, UTF-8 in JSON
expect "7 run --M ' -1'" 1 "run: --M: bad value" "$BIN" run --loss ms --M " -1"
expect "7 run --seed ' -1'" 1 "run: --seed: bad value" "$BIN" run --loss ms --seed " -1"
expect "7 run --M '+5'" 1 "run: --M: bad value" "$BIN" run --loss ms --M "+5"
expect "7 sweep: M 0x10" 1 "M: '0x10' is not a positive integer" "$BIN" sweep --out "$W/o7" "$(def n7 'losses ms' 'M 0x10')"
(echo "param alpha 2"; cat $G; echo "param alpha 3") > "$W/g7a.txt"
expect "7 golden: a param twice" 1 "param alpha is given twice" "$BIN" golden "$W/g7a.txt"
sed 's/^loss .*/& extra/' $G > "$W/g7b.txt"
expect "7 golden: junk after loss" 1 "line [0-9]+: unknown loss" "$BIN" golden "$W/g7b.txt"
(cat $G; echo "param alpha 2 extra") > "$W/g7c.txt"
expect "7 golden: junk after param" 1 "param needs a name and a value" "$BIN" golden "$W/g7c.txt"
sed 's/$/\r/' $G > "$W/g7d.txt"
expect "7 golden: a CRLF file reads" 0 "" "$BIN" golden "$W/g7d.txt"
sed 's/$/\r/' "$f5" > "$W/s7crlf.txt"
expect "7 sweep: a CRLF definition reads" 0 "" "$BIN" sweep --out "$W/o7c" "$W/s7crlf.txt"
(printf '\001\377\033[2J 3\n'; cat $G) > "$W/g7e.txt"
expect "7 golden: raw bytes are escaped in the message" 1 'unknown record .\\x01\\xff\\x1b' "$BIN" golden "$W/g7e.txt"
f7=$(tinydef s7j 'losses ms' "$(printf 'title caf\xe9 \xff\xfe "q" \001')")
expect "7 sweep: invalid UTF-8 title" 0 "" "$BIN" sweep --out "$W/o7j" "$f7"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1], encoding="utf-8"))["title"]; assert "\ufffd" in t, t' \
    "$W/o7j/s7j.json" 2>/dev/null && ok "7 the JSON is valid UTF-8, bad bytes replaced" || bad "7 the JSON title is not valid UTF-8"
expect "7 sweep: a title of 300 characters (fuzz find: wrote past its buffer)" 1 "title: longer than 255 characters" \
    "$BIN" sweep --out "$W/o7t" "$(def t7 'losses ms' "title $(head -c 300 /dev/zero | tr '\0' t)")"
# 8. long paths: used whole, or refused
long="$W"; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do long="$long/$(printf 'd%.0s' {1..99})"; done
expect "8 sweep --out of ${#long} characters" 0 "" "$BIN" sweep --out "$long" "$f5"
[ -f "$long/s5.csv" ] && ok "8 the results are where --out says" || bad "8 no $long/s5.csv"
expect "8 sweep --out of 5000 characters" 1 "--out: a path of 5000 characters; at most" \
    "$BIN" sweep --out "$(head -c 5000 /dev/zero | tr '\0' a)" "$f5"
# 9. fit on bad data: an input error (1), not a verdict (3)
csv=$W/o5b/s5.csv
if [ -f "$csv" ]; then
    awk -F, -v OFS=, 'NR==1{for(i=1;i<=NF;i++) if($i=="M") m=i; print; next} {for(k=0;k<4;k++){$m=16*2^k; print}}' "$csv" > "$W/fit_ok.csv"
    awk -F, -v OFS=, 'NR==1{for(i=1;i<=NF;i++) if($i=="M") m=i; print; next} {$m="nan"; print}' "$W/fit_ok.csv" > "$W/fit_nan.csv"
    awk -F, -v OFS=, 'NR==1{for(i=1;i<=NF;i++) if($i=="cpu_min_ms") c=i; print; next} {$c=0; print}' "$W/fit_ok.csv" > "$W/fit_zero.csv"
    expect "9 fit: M is nan" 1 "fit_nan.csv:2: M 'nan' is not a positive number" "$BIN" fit --min-M 1 "$W/fit_nan.csv"
    expect "9 fit: zero times" 1 "fit_zero.csv:2: cpu_min_ms '0' is not a positive time" "$BIN" fit --min-M 1 "$W/fit_zero.csv"
else
    bad "9 no CSV to derive the fit inputs from"
fi
# 10, 11: the Makefile (only from a checkout)
if [ -f Makefile ] && [ -f scripts/deps.sh ]; then
    make -n -B BUILD="$W/b10" EXTRA_LDFLAGS=-DLINKMARK "$W/b10/dmlbench" 2>/dev/null | grep -- '-o [^ ]*/dmlbench ' | grep -q LINKMARK \
        && ok "10 EXTRA_LDFLAGS reaches the link" || bad "10 EXTRA_LDFLAGS is not on the link line"
    for t in neon test-neon test-haswell bench bench-check sweep figures test test-san fuzz test-faults test-hostile; do
        make -n "$t" 2>/dev/null | grep -q "deps.sh" && ok "11 make $t installs what it needs" \
            || bad "11 make $t does not install what it needs (scripts/deps.sh)"
    done
fi
echo "hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
