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
# A speed ratio (timed, not counted) of a kernel the part does not test that
# fails gets one more run of that part, whose verdict stands: a burst of load
# on a shared machine can hold for the check's own re-measurements (CI saw
# normalize avx2 at 5.8x against 7.3x three times in a row, and 7.2x after).
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

# only_timed ROWS: 0 when every row given is a speed ratio (timed, so a burst
# of load on a shared machine can fail it), 1 when one is a count.
only_timed() {
    printf '%s\n' "$1" | grep -v ' speedup/ref ' | grep -q . && return 1
    return 0
}

# The slowed build's rows that fail but are not the slowed kernel's.
slowed_others() {
    grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* FAIL ' "$1" |
        awk -v op="$op" -v isa="$isa" '!($2 == isa && ($1 == op || $1 ~ /^proxy_/))'
}

echo "bench-check-proof: 1/3 build with $SLOW slowed down ($SLOW_BUILD), bench-check must fail naming it"
if must_fail "$log" "on a build with $SLOW slowed down" BUILD="$SLOW_BUILD" DML_SLOWDOWN="$SLOW"; then
    fails=$(grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* FAIL ' "$log")
    if [ -z "$fails" ]; then
        echo "bench-check-proof: FAILED — bench-check failed, but no row says FAIL (log: $log)"
        exit 1
    fi
    # the proxy steps call that kernel: their counted rows on that ISA may fail too
    others=$(slowed_others "$log")
    # Another kernel's speed ratio failing is the machine, not the check,
    # unless it fails again: one more run, whose rows then stand.
    if [ -n "$others" ] && only_timed "$others"; then
        echo "bench-check-proof: speed ratios of other kernels failed too (below); once more, in case that was a burst of load:"
        printf '%s\n' "$others" | sed 's/^/    /'
        must_fail "$log" "on a build with $SLOW slowed down (second run)" BUILD="$SLOW_BUILD" DML_SLOWDOWN="$SLOW" || exit 1
        others=$(slowed_others "$log")
    fi
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
nlog="$SLOW_BUILD/bench-check-normal.log"
if ! $MAKE --no-print-directory BUILD="$NORMAL_BUILD" bench-check >"$nlog" 2>&1; then
    grep -E ' FAIL |^bench-check: ' "$nlog"
    nfails=$(grep -E '^[A-Za-z_]+ +[a-z0-9]+ +.* FAIL ' "$nlog")
    # as in part 1: speed ratios alone get one more run, whose verdict stands
    if [ -z "$nfails" ] || ! only_timed "$nfails" ||
       { echo "bench-check-proof: only speed ratios failed; once more, in case that was a burst of load"
         ! $MAKE --no-print-directory BUILD="$NORMAL_BUILD" bench-check >"$nlog" 2>&1; }; then
        grep -E ' FAIL |^bench-check: ' "$nlog"
        echo "bench-check-proof: FAILED — bench-check fails on the normal build (log: $nlog)"
        exit 1
    fi
fi
echo "bench-check-proof: ok — the normal build passes"
[ $warned -eq 0 ] || echo "bench-check-proof: passed with a warning: part 1 did not bite against $BASE (recorded on another setup)"
