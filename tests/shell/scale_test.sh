#!/usr/bin/env bash
# scale_test.sh [BIN] — the large-C regime's refusals, each one line and a
# non-zero exit before anything big is allocated: a point that would not fit
# the memory left (here an address-space limit, RLIMIT_AS), in `run` and in a
# sweep (before its first point); the unfused step above its cap on S, by flag and by DML_FUSED=0.
# A point that fits under the same limit runs.  Ends with "N passed, N failed".
NAME=scale_test
. "$(dirname "$0")/lib.sh"

# one_line NAME PATTERN CMD...: CMD exits 1 with one stderr line matching PATTERN
# (a sweep's progress lines aside: its error lines are those that start "dmlbench: ")
one_line() {
    local name=$1 pat=$2; shift 2
    "$@" > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(grep -c '^dmlbench: ' "$W/stderr")
    grep '^dmlbench: ' "$W/stderr" > "$W/err1"; mv "$W/err1" "$W/stderr"
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$W/stderr"; then
        ok "$name: $(cat "$W/stderr")"
    else
        bad "$name: exit $rc, $lines line(s), expected /$pat/: $(cat "$W/stderr")"
    fi
}
# under an address-space limit of 3 GB: P and its gradient alone are 4.1 GB
limited() { (ulimit -v 3000000; "$@"); }

# The address-space cases: a sanitizer build (SCALE_NO_VLIMIT=1, set by make test-san)
# reserves terabytes of shadow address space, so no ulimit -v can hold it; the plain
# build of make test runs them.
if [ -z "${SCALE_NO_VLIMIT:-}" ]; then
# (sweep/limits.c, from branch hostile, refuses first at load time, with its own
# estimate; point_fits, per point, is the second line of defence)
one_line "run, C = 1e6, D = 512 under 3 GB" "C.*1000000.*D.*512 needs about [0-9.]* GB" \
    limited "$BIN" run --loss proxy_anchor --C 1000000 --D 512 --reps 1
printf 'study big\nlosses proxy_nca\nC 1000 1000000\nM 180\nD 512\nreps 1\nwarmup 0\npasses 1\nmax_seconds 0.1\n' > "$W/big.txt"
one_line "sweep, its second point" "^dmlbench: .*big.txt.*C=1000000;D=512.* needs about [0-9.]* GB" \
    limited "$BIN" sweep --out "$W/big" "$W/big.txt"
if ls "$W/big"/big*.csv > /dev/null 2>&1; then
    bad "the refused study wrote $(ls "$W/big"): its first point ran"
else
    ok "the refused study ran none of its points (checked before the first)"
fi
fi
one_line "unfused by flag at C = 1e6" "unfused step refused at M = 180, C = 1000000: S and G would be 720 MB each (cap 256 MiB); the fused step" \
    "$BIN" run --loss proxy_nca --C 1000000 --D 4 --reps 1 --fused 0
one_line "unfused by DML_FUSED=0 at C = 4e5" "unfused step refused at M = 180, C = 400000: S and G would be 288 MB each" \
    env DML_FUSED=0 "$BIN" run --loss proxy_anchor --C 400000 --D 4 --reps 1
if [ -z "${SCALE_NO_VLIMIT:-}" ]; then
if limited "$BIN" run --loss proxy_anchor --C 1000 --D 128 --reps 1 > /dev/null 2> "$W/stderr"; then
    ok "a point that fits runs under the same limit"
else
    bad "a point that fits did not run: $(cat "$W/stderr")"
fi
fi
summary
