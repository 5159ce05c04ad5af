#!/bin/sh
# bench-check-proof.sh — proof that `make bench-check` bites (make bench-check-proof).
#
# 1. Builds the library in its own directory with one kernel deliberately
#    slowed down (DML_SLOWDOWN, a test-only switch: kernels/cpu/slowdown.h makes
#    that dispatch-table entry run its kernel twice) and asserts that
#    bench-check fails, and that every failing row names that kernel.
# 2. Runs the counting of the proxy steps with the fusion undone (DML_FUSED=0
#    in the environment of that callgrind run only: the "fused" rows count the
#    context's default step, which is then unfused) and asserts that
#    bench-check fails through the fusion gate, naming the fused rows and only
#    them.  The gate compares rows of the same run, so this part holds
#    whatever machine recorded the baseline.
# 3. Asserts that bench-check passes on the normal build.
# The baseline is the committed one (results/baseline/bench-check.tsv), or
# BENCH_BASELINE.
set -u
MAKE=${MAKE:-make}
SLOW_BUILD=${SLOW_BUILD:-build-slow}
NORMAL_BUILD=${BUILD:-build}
BASE=${BENCH_BASELINE:-results/baseline/bench-check.tsv}
# The kernel to slow: lse of the first SIMD ISA valgrind can count (avx2 on x86).
isas=$($MAKE --no-print-directory -s BUILD="$NORMAL_BUILD" all >/dev/null 2>&1 && "$NORMAL_BUILD/dmlbench" info --isas)
case " $isas " in
  *" avx2 "*) SLOW=${SLOWDOWN:-lse_avx2} ;;
  *" neon "*) SLOW=${SLOWDOWN:-lse_neon} ;;
  *) echo "bench-check-proof: no SIMD ISA here ($isas); nothing to slow down — skipped"; exit 0 ;;
esac
op=${SLOW%_*}
isa=${SLOW##*_}
mkdir -p "$SLOW_BUILD"
log="$SLOW_BUILD/bench-check-proof.log"

# must_fail LOG WHAT MAKE-ARGS...: runs make with those arguments into LOG,
# shows its FAIL / WARN rows and summary, and stops the proof if it passed.
# Sets warned=1 instead when it passed only because the baseline was
# recorded on another setup (its regressions are then warnings by design).
warned=0
must_fail() {
    mlog=$1 mwhat=$2
    shift 2
    $MAKE --no-print-directory "$@" bench-check >"$mlog" 2>&1
    mrc=$?
    grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* (FAIL|WARN) ' "$mlog" | sed 's/^/    /'
    grep '^bench-check: ' "$mlog" | sed 's/^/    /'
    [ $mrc -ne 0 ] && return 0
    if grep -q '^bench-check: WARNING: .* not gated because the baseline was recorded differently' "$mlog"; then
        echo "bench-check-proof: WARN — bench-check only warned $mwhat: the baseline ($BASE) was recorded on another setup; re-record it with make bench-baseline to make this part bite"
        warned=1
        return 1
    fi
    echo "bench-check-proof: FAILED — bench-check passed $mwhat (log: $mlog)"
    exit 1
}

echo "bench-check-proof: 1/3 build with $SLOW slowed down ($SLOW_BUILD), bench-check must fail naming it"
if must_fail "$log" "on a build with $SLOW slowed down" BUILD="$SLOW_BUILD" DML_SLOWDOWN="$SLOW"; then
    fails=$(grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* FAIL ' "$log")
    if [ -z "$fails" ]; then
        echo "bench-check-proof: FAILED — bench-check failed, but no row says FAIL (log: $log)"
        exit 1
    fi
    # the proxy steps call that kernel: their counted rows on that ISA may fail too
    others=$(printf '%s\n' "$fails" | awk -v op="$op" -v isa="$isa" '!($2 == isa && ($1 == op || $1 ~ /^proxy_/))')
    if [ -n "$others" ]; then
        echo "bench-check-proof: FAILED — rows other than $op $isa failed too:"
        printf '%s\n' "$others"
        exit 1
    fi
    if ! grep -q "^bench-check: FAIL: .*$op $isa" "$log"; then
        echo "bench-check-proof: FAILED — the summary line does not name $op $isa (log: $log)"
        exit 1
    fi
    echo "bench-check-proof: ok — the slowed build fails and names $op $isa"
fi

echo "bench-check-proof: 2/3 the fusion undone (DML_FUSED=0 for the step counts), bench-check must fail naming the fused steps"
ulog="$SLOW_BUILD/bench-check-unfused.log"
must_fail "$ulog" "with the fused step unfused" BUILD="$NORMAL_BUILD" \
    BENCH_DIR="$SLOW_BUILD/unfused-counts" STEP_COUNT_ENV=DML_FUSED=0
for loss in proxy_anchor proxy_nca; do
    if ! grep -q "^bench-check: FAIL: the fused step is not fused.*${loss}_fused" "$ulog"; then
        echo "bench-check-proof: FAILED — the fusion gate does not name ${loss}_fused (log: $ulog)"
        exit 1
    fi
done
others=$(grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* FAIL ' "$ulog" | awk '$1 !~ /_fused$/')
if [ -n "$others" ]; then
    echo "bench-check-proof: FAILED — rows other than the fused steps failed too:"
    printf '%s\n' "$others"
    exit 1
fi
echo "bench-check-proof: ok — with the fusion undone bench-check fails and names the fused steps"

echo "bench-check-proof: 3/3 normal build ($NORMAL_BUILD), bench-check must pass"
if ! $MAKE --no-print-directory BUILD="$NORMAL_BUILD" bench-check >"$SLOW_BUILD/bench-check-normal.log" 2>&1; then
    grep -E ' FAIL |^bench-check: ' "$SLOW_BUILD/bench-check-normal.log"
    echo "bench-check-proof: FAILED — bench-check fails on the normal build (log: $SLOW_BUILD/bench-check-normal.log)"
    exit 1
fi
echo "bench-check-proof: ok — the normal build passes"
[ $warned -eq 0 ] || echo "bench-check-proof: passed with a warning: part 1 did not bite against $BASE (recorded on another setup)"
