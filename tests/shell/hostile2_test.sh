#!/usr/bin/env bash
# hostile2_test.sh [DMLBENCH] — the inputs of issue 19, one case or more per
# item (item numbers in the names), each of which the binary of 8a9890d got
# wrong: a crash, a silent duplicate or overwrite, a check that came after
# points had run, a message that did not say what was wrong.  Every bad input
# gets one line naming the problem and exit 1 (hostile_lib.sh: no hang, no
# unbounded memory); what must work works.  Run from the repository root.
. "$(dirname "$0")/hostile_lib.sh"
tiny="M 16|C 4|D 4|reps 3|warmup 0|max_seconds 0.01"
deffile() { local f="$W/$1.txt"; shift; printf '%s\n' "$@" > "$f"; echo "$f"; }
tinydef() { local f="$W/$1.txt"; shift; { printf 'study %s\n' "$(basename "$f" .txt)"; printf '%s\n' "$@"; echo "$tiny" | tr '|' '\n'; } > "$f"; echo "$f"; }
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; } # a column's number (from 1)
field() { awk -F, -v c="$(col "$1" "$2")" -v r="$3" 'NR == r + 1 { print $c }' "$1"; }

echo "hostile inputs, issue 19 ($BIN)"
# A shard of a small study to mutate (merge) and its CSV (resume, fit).
sh=$(tinydef sh 'losses proxy_anchor' 'delta 0.1 0.15')
"$BIN" sweep --shard 0/1 --out "$W/s" "$sh" 2> /dev/null
S=$W/s/sh.shard-0-of-1; cp "$S.csv" "$W/orig.csv"
shard() { rm -rf "$W/m"; mkdir -p "$W/m"; cp "$S.json" "$W/m/sh.shard-0-of-1.json"; cat > "$W/m/sh.shard-0-of-1.csv"; }
M=$W/m/sh.shard-0-of-1

# 1. a NUL byte in a shard row: SIGSEGV before
{ head -2 "$W/orig.csv"; tail -1 "$W/orig.csv" | sed 's/proxy_anchor/proxy\x00anchor/'; } | shard
expect "1 merge: a NUL byte in a row" 1 "sh.shard-0-of-1.csv:3: a NUL byte" "$BIN" merge --out "$W/mo" "$M.csv"
# 2. names are used whole or refused
n150=$(head -c 150 /dev/zero | tr '\0' a)
expect "2 sweep: a study name of 150 characters" 1 "study: a name of 150 characters; at most 100" \
    "$BIN" sweep --out "$W/o2" "$(deffile n2 "study $n150" 'losses ms' 'M 16' 'C 4' 'D 4')"
# at most 100 characters, used whole: a name of 100 names its files whole
expect "2 sweep: a 101-character name" 1 "a name of 101 characters" "$BIN" sweep --out "$W/o2" \
    "$(deffile n2a "study ${n150:0:101}" 'losses ms' 'M 16' 'C 4' 'D 4')"
expect "2 sweep: a 100-character name" 0 "" "$BIN" sweep --out "$W/o2" \
    "$(deffile n2b "study ${n150:0:99}b" 'losses ms' 'M 16' 'C 4' 'D 4' 'reps 2' 'max_seconds 0.01')"
[ -f "$W/o2/${n150:0:99}b.csv" ] && ok "2 its files carry the whole name" || bad "2 no $W/o2/${n150:0:99}b.csv"
printf 'losses ms\n%s\n' "$(echo "$tiny" | tr '|' '\n')" > "$W/a,b.txt"
expect "2 sweep: a file stem with a comma names no study" 1 "stem names the study, and 'a,b' is not a name" \
    "$BIN" sweep --out "$W/o2" "$W/a,b.txt"
# 3. merge: a row repeated on the next line (another value), a row of another study, a study leaving --out
awk -F, -v OFS=, -v v="$(col "$W/orig.csv" value)" 'NR == FNR { print; next } { $v = 123; print }' "$W/orig.csv" <(tail -1 "$W/orig.csv") > "$W/dup2.csv"
shard < "$W/dup2.csv"  # the repeated line joins point 1's lines: 2 points, as the JSON says
expect "3 merge: a row repeated on the next line with another value" 1 "point 1 appears twice" "$BIN" merge --out "$W/mo" "$M.csv"
sed '2s/^sh,/other,/' "$W/orig.csv" | shard
expect "3 merge: a row whose study column names another study" 1 "a row of study 'other', but the shard is of sh" \
    "$BIN" merge --out "$W/mo" "$M.csv"
shard < "$W/orig.csv"; sed -i 's/"study": "sh"/"study": "..\/escaped"/' "$M.json"
expect "3 merge: a shard JSON whose study is ../escaped" 1 "study: '../escaped' is not a name" "$BIN" merge --out "$W/mo" "$M.csv"
[ ! -e "$W/escaped.csv" ] && ok "3 nothing written outside --out" || bad "3 $W/escaped.csv written"
# 4. --resume: a last line cut inside its key (delta=0.15 -> delta=0.1), a row whose columns disagree with its key
cp "$W/orig.csv" "$W/full.csv"
mkdir -p "$W/r4"; { head -1 "$W/full.csv"; grep 'delta=0.15$' "$W/full.csv" | head -c -2; } > "$W/r4/sh.partial.csv"
"$BIN" sweep --resume --out "$W/r4" "$sh" 2> /dev/null
[ "$(field "$W/r4/sh.csv" delta 1)" = 0.1 ] && ok "4 --resume: a key cut short is not another point's" \
    || bad "4 point 0 got the row of delta $(field "$W/r4/sh.csv" delta 1)"
mkdir -p "$W/r4b"; awk -F, -v OFS=, -v d="$(col "$W/full.csv" delta)" 'NR == 2 { $d = 0.15 } { print }' "$W/full.csv" > "$W/r4b/sh.partial.csv"
"$BIN" sweep --resume --out "$W/r4b" "$sh" 2> /dev/null
[ "$(field "$W/r4b/sh.csv" delta 1)" = 0.1 ] && ok "4 --resume: a row whose delta column is not its key's runs again" \
    || bad "4 --resume kept a row with delta $(field "$W/r4b/sh.csv" delta 1) under key delta=0.1"
# 5. values that overflow or round
expect "5 sweep: noise 2e19" 1 "noise: 2e\+19 is more than 1e\+06" "$BIN" sweep --out "$W/o5" "$(tinydef n5 'losses ms' 'noise 2e19')"
expect "5 sweep: proxy_noise 1e30" 1 "proxy_noise: 1e\+30 is more than" "$BIN" sweep --out "$W/o5" "$(tinydef p5 'losses proxy_nca' 'proxy_noise 1e30')"
expect "5 run --noise 3e19" 1 "run: --noise: bad value" "$BIN" run --loss ms --noise 3e19
expect "5 sweep: seed 2^53 + 1" 1 "seed: '9007199254740993' is not an integer in \[0, 2\^53\]" \
    "$BIN" sweep --out "$W/o5" "$(tinydef s5 'losses ms' 'seed 9007199254740993')"
expect "5 sweep: seed range up to 2^64" 1 "seed: '18446744073709551615' is not" \
    "$BIN" sweep --out "$W/o5" "$(tinydef s5b 'losses ms' 'seed range 1 18446744073709551615 1')"
# 6. fit uses every row: 300 rows at M = 64 then rows at other M
fitcsv() { awk -F, -v OFS=, -v m="$(col "$W/orig.csv" M)" -v c="$(col "$W/orig.csv" cpu_min_ms)" -v n="$1" -v k="$2" \
    'NR == 1 { print; next } NR == 2 { for (i = 0; i < n; i++) { $m = 64; $c = 1; print } for (i = 1; i <= k; i++) { $m = 64 * 2^i; $c = 2^i; print } }' "$W/orig.csv"; }
fitcsv 300 4 > "$W/fit300.csv"
expect "6 fit: 300 rows at one M, then 4 at others: fitted from all" 0 "" "$BIN" fit --min-M 1 "$W/fit300.csv"
grep -q "proxy_anchor .* 304 " "$W/out" && ok "6 fit: all 304 rows are counted" || bad "6 fit: $(grep proxy_anchor "$W/out")"
# 7. an empty or comment-only baseline
: > "$W/empty.tsv"; printf '# commit\tabc\n# a comment\n' > "$W/comment.tsv"
expect "7 bench-check: empty baseline" 1 "baseline .*empty.tsv has no rows" "$BIN" bench-check --baseline "$W/empty.tsv" --counts "$W"
expect "7 bench-check: comment-only baseline" 1 "comment.tsv has no rows" "$BIN" bench-check --baseline "$W/comment.tsv" --counts "$W"
# 8, 9. IDX files (python3 writes them: tests/shell/idx_files.py)
python3 "$(dirname "$0")/idx_files.py" "$W/idx" > /dev/null
expect "8 train: a gzip IDX without its CRC trailer" 1 "train-images-idx3-ubyte.gz: truncated gzip stream" \
    "$BIN" train --loss ms --data "$W/idx/cut" --epochs 1 --M 20 --no-baseline
expect "8 train: the same file whole trains" 0 "" "$BIN" train --loss ms --data "$W/idx/ok" --epochs 1 --M 20 --no-baseline
expect "9 train: 300 kB of gzip holding 400 000 images, --train-limit 1000, in 1 GB" 0 "" \
    bash -c "ulimit -v ${HOSTILE_NO_VLIMIT:+unlimited}${HOSTILE_NO_VLIMIT:-1000000}; exec \"$BIN\" train --loss ms --data $W/idx/bomb --train-limit 1000 --epochs 1 --no-baseline"
# 10. max_seconds bounds the pilot step, or the point is refused when the study is read
expect "10 sweep: a triplet pilot step of minutes under max_seconds 0.01" 1 "first step takes at least .* max_seconds 0.01" timeout 10 \
    "$BIN" sweep --out "$W/o10" "$(deffile t10 'losses triplet' 'M 6000' 'C 100' 'D 64' 'classes_in_batch 4' 'max_seconds 0.01')"
# 11. checks when the study is read: nothing runs, no partial CSV
expect "11 sweep: alpha 4 1e-300" 1 "t11.txt:3: alpha: '1e-300' is not a positive number" \
    "$BIN" sweep --out "$W/o11" "$(tinydef t11 'losses proxy_anchor' 'alpha 4 1e-300')"
[ ! -e "$W/o11" ] && ok "11 no point ran, no partial CSV" || bad "11 left: $(ls "$W/o11")"
expect "11 sweep: D 1e9" 1 "needs about .* of memory, more than" "$BIN" sweep --out "$W/o11" \
    "$(deffile d11 'losses ms' 'M 16' 'C 4' 'D 1000000000' 'max_seconds 0.01')"
expect "11 sweep: train H 65536 D 65536" 1 "needs about .* of memory" "$BIN" sweep --out "$W/o11" \
    "$(deffile h11 'train ms' 'H 65536' 'D 65536')"
expect "11 train --H 65536 --D 65536: refused before it allocates" 1 "train: H = 65536, D = 65536, M = 180 need about" \
    "$BIN" train --loss ms --H 65536 --D 65536
expect "11 sweep: fit_min_M 1e9" 1 "fit_min_M 1e\+09: no loss point .* has M >= 1e\+09" \
    "$BIN" sweep --out "$W/o11" "$(tinydef f11 'losses ms' 'fit_min_M 1000000000')"
[ ! -e "$W/o11" ] && ok "11 still nothing written" || bad "11 left: $(ls "$W/o11")"
if [ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then
    expect "11 sweep: eval_limit 2" 1 "eval_limit 2: the 2 evaluation items .* hold no two of one class" \
        "$BIN" sweep --out "$W/o11" "$(deffile e11 'train ms' 'eval_limit 2')"
    expect "12 train --eval-limit 5 trains and retrieves" 0 "" "$BIN" train --loss ms --epochs 1 --train-limit 300 --eval-limit 5 --no-baseline
fi
# 12. messages
head -c $((65 << 20)) /dev/zero | tr '\0' a > "$W/big.shard-0-of-1.csv"
expect "12 merge: a shard over 64 MiB" 1 "big.shard-0-of-1.csv: larger than the 64 MiB input limit" "$BIN" merge --out "$W/mo" "$W/big.shard-0-of-1.csv"
rm -f "$W/big.shard-0-of-1.csv"
ln -s /dev/zero "$W/z.shard-0-of-1.csv"
expect "12 merge: a link to /dev/zero" 1 "z.shard-0-of-1.csv: larger than the 64 MiB" "$BIN" merge --out "$W/mo" "$W/z.shard-0-of-1.csv"
mkfifo "$W/f.shard-0-of-1.csv"
expect "12 merge: a FIFO named like a shard" 1 "f.shard-0-of-1.csv: cannot read: a FIFO, not a file" timeout 10 "$BIN" merge --out "$W/mo" "$W/f.shard-0-of-1.csv"
if [ -z "${HOSTILE_NO_VLIMIT:-}" ]; then
    expect "12 run --threads 1024 under a 1 GB cap" 1 "run: --threads 1024: cannot start 1024 threads" \
        bash -c "ulimit -v 1000000; exec \"$BIN\" run --loss ms --threads 1024"
fi
# 13. what does not apply, signs, fractions, one M
expect "13 run --loss proxy_anchor --margin 5" 1 "run: --margin is not a parameter of proxy_anchor" "$BIN" run --loss proxy_anchor --margin 5
expect "13 train --loss triplet --scale 3" 1 "train: --scale is not a parameter of triplet" "$BIN" train --loss triplet --scale 3
(grep -v '^param' tests/golden/triplet_tail.txt; echo "param alpha 2") > "$W/g13.txt"
expect "13 golden: param alpha in a triplet case" 1 "param alpha is not a parameter of triplet" "$BIN" golden "$W/g13.txt"
expect "13 run --reps +5" 1 "run: --reps: bad value '\+5'" "$BIN" run --loss ms --reps +5
shard < "$W/orig.csv"; sed -i 's/"k": 0,/"k": 0.5,/' "$M.json"
expect "13 merge: shard number 0.5" 1 "k 0.5 is not a whole number" "$BIN" merge --out "$W/mo" "$M.csv"
fitcsv 5 0 > "$W/fit1m.csv"
expect "13 fit: every row at one M is an input error (1), not a verdict (3)" 1 "every row has M = 64" "$BIN" fit --min-M 1 "$W/fit1m.csv"
# 14. deps.sh waits for the apt/dpkg lock (tests/shell/deps_lock_test.sh)
bash "$(dirname "$0")/deps_lock_test.sh" > "$W/deps.log" 2>&1 && ok "14 deps.sh waits for the apt/dpkg lock, and says so" \
    || bad "14 deps.sh: $(tail -3 "$W/deps.log" | tr '\n' '|')"
echo "hostile2: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
