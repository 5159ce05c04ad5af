#!/usr/bin/env bash
# precision_test.sh [BIN] — precision fp32|bf16 through the harness (docs/scale.md,
# "bf16 proxies"): `run --precision bf16` on the three losses that have it, its
# value within 1e-2 of fp32; a study with a `precision` key writes both values in
# its column; every refusal one line and exit 1.  Ends with "N passed, N failed".
NAME=precision_test
. "$(dirname "$0")/lib.sh"

# one_line NAME PATTERN CMD...: CMD exits 1 with one stderr line matching PATTERN
one_line() {
    local name=$1 pat=$2; shift 2
    "$@" > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$W/stderr"; then
        ok "$name: $(cat "$W/stderr")"
    else
        bad "$name: exit $rc, $lines line(s), expected /$pat/: $(cat "$W/stderr")"
    fi
}
value() { "$BIN" run --M 32 --C 1000 --D 128 --reps 1 --warmup 0 "$@" | awk '$1 == "value" { print $2 }'; }

for loss in proxy_anchor proxy_nca normalized_softmax; do
    a=$(value --loss $loss --precision fp32) b=$(value --loss $loss --precision bf16)
    if [ -n "$a" ] && [ -n "$b" ] &&
       awk -v a="$a" -v b="$b" 'BEGIN { d = (a - b) / a; exit !(d < 1e-2 && d > -1e-2 && a != b) }'; then
        ok "run $loss: fp32 $a, bf16 $b (within 1e-2, not equal)"
    else
        bad "run $loss: fp32 '$a', bf16 '$b'"
    fi
done

printf 'study prec\nlosses proxy_anchor proxy_nca\nM 32\nC 1000\nD 64\nreps 1\nwarmup 0\npasses 1\nprecision fp32 bf16\n' > "$W/prec.txt"
if "$BIN" sweep --out "$W/out" "$W/prec.txt" > /dev/null 2>&1 &&
   [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "precision") c = i; next }
                 { print $c }' "$W/out/prec.csv" | sort -u | tr '\n' ' ')" = "0 1 " ]; then
    ok "a study with precision fp32 bf16: both in its precision column"
else
    bad "the precision study: $(ls "$W/out" 2>&1)"
fi

one_line "an unknown precision" "precision: 'fp16' is not one of fp32|bf16" \
    "$BIN" run --loss proxy_anchor --precision fp16
one_line "a loss without it" "not a parameter of soft_triple" \
    "$BIN" run --loss soft_triple --precision bf16
one_line "bf16 unfused" "fused step only" \
    "$BIN" run --loss proxy_nca --M 32 --C 1000 --D 64 --fused 0 --precision bf16
one_line "bf16 sampled" "proxy_sample < 1 is not built" \
    "$BIN" run --loss proxy_anchor --M 32 --C 1000 --D 64 --proxy-sample 0.5 --precision bf16
one_line "bench --precision fp32" "compare fp32 with bf16; say bf16" \
    "$BIN" bench --precision fp32
summary
