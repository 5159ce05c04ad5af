#!/bin/sh
# bench_check_proof_test.sh — the retry rule of scripts/bench-check-proof.sh,
# on a stand-in for make that prints chosen bench-check rows (no timing, no
# valgrind: under a second).  A speed ratio of another kernel that fails once
# is a burst of load and gets one more run; one that fails again, or any
# instruction count, fails the proof.
#   sh tests/shell/bench_check_proof_test.sh build/dmlbench
set -u
BIN=${1:-build/dmlbench}
dir=$(mktemp -d /tmp/dml_proof_test.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/make" <<'FAKE'
#!/bin/sh
# MODE: what the slowed build's run prints besides lse; NORMAL: the normal build's
st=$FAKE_DIR/calls
ratio="normalize            avx2    rows=180 D=512     speedup/ref          7.28x  5.83x [5.62, 6.10]           -20.0%  FAIL    "
count="gemm                 avx2    M=1 C=2 D=3        instructions        100  200                            +100.0%  FAIL    "
case "$*" in *" all"*) exit 0;; esac
case "$*" in
  *DML_SLOWDOWN=*)
    n=$(($(cat "$st.slow" 2>/dev/null || echo 0) + 1)); echo $n > "$st.slow"
    echo "lse                  avx2    rows=50 n=1000     instructions        543968  1088795                     +100.2%  FAIL    "
    case "$MODE" in once) [ $n -eq 1 ] && echo "$ratio";; twice) echo "$ratio";; count) echo "$count";; esac
    echo "bench-check: FAIL: slower than the baseline: lse avx2 (instructions)"
    exit 2;;
  *STEP_COUNT_ENV=*)
    echo "bench-check: FAIL: the fused step is not fused: proxy_anchor_fused avx2, proxy_nca_fused avx2"
    exit 2;;
  *)
    n=$(($(cat "$st.normal" 2>/dev/null || echo 0) + 1)); echo $n > "$st.normal"
    case "$NORMAL" in once) [ $n -eq 1 ] && { echo "$ratio"; exit 2; };; twice) echo "$ratio"; exit 2;;
                      count) echo "$count"; exit 2;; esac
    exit 0;;
esac
FAKE
chmod +x "$dir/make"
pass=0 fail=0
# expect RC MODE NORMAL WHAT
expect() {
    rm -f "$dir"/calls.*
    FAKE_DIR=$dir MODE=$2 NORMAL=$3 MAKE="$dir/make" SLOWDOWN=lse_avx2 BUILD="$(dirname "$BIN")" \
        SLOW_BUILD="$dir/slow" sh scripts/bench-check-proof.sh > "$dir/out" 2>&1
    rc=$?
    if [ $rc -eq "$1" ]; then pass=$((pass + 1)); echo "  ok   $4"
    else fail=$((fail + 1)); echo "  FAIL $4 (exit $rc, wanted $1)"; sed 's/^/       /' "$dir/out"; fi
}
if ! "$BIN" info --isas | grep -qE 'avx2|neon'; then
    echo "bench_check_proof_test: no SIMD ISA here: the proof skips, nothing to test"; exit 0
fi
expect 0 none none   "nothing else fails: the proof passes"
expect 0 once none   "another kernel's speed ratio fails once: rerun, passes"
expect 1 twice none  "another kernel's speed ratio fails twice: the proof fails"
expect 1 count none  "another kernel's instruction count fails: the proof fails at once"
expect 0 none once   "the normal build's speed ratio fails once: rerun, passes"
expect 1 none twice  "the normal build's speed ratio fails twice: the proof fails"
expect 1 none count  "the normal build's instruction count fails: the proof fails"
echo "bench_check_proof_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
