#!/bin/sh
# columns_test.sh RESULTS — the column check (plots/columns_check.sh) proves
# itself on RESULTS (a sweep's output, QUICK or not):
#   1. it refuses threads_scaling as committed before issue 20 (awk '$33',
#      meant total_min_ms, read bwd_p90_ms once a column was added), kept as
#      tests/shell/fixtures/threads_scaling_by_position.gp;
#   2. it passes the figure as it is now;
#   3. that figure draws every loss at speedup 1 at one thread.
set -u
R=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dml-colstest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "columns_test: FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/old"
cp "$here/fixtures/threads_scaling_by_position.gp" "$tmp/old/threads_scaling.gp"
if sh plots/columns_check.sh "$R" threads_scaling "$tmp/old" 2> "$tmp/old.err"; then
    fail "the check passed threads_scaling reading \$33 by position"
fi
grep -q 'reads a column by position' "$tmp/old.err" || { cat "$tmp/old.err" >&2; fail "the check failed for another reason"; }
echo "columns_test: the by-position threads_scaling is refused: ok"

sh plots/columns_check.sh "$R" threads_scaling >/dev/null || fail "plots/threads_scaling.gp does not pass the check"
echo "columns_test: plots/threads_scaling.gp passes: ok"

gnuplot -e "R='$R'; OUT='$tmp/ts'; TABLE=1" plots/threads_scaling.gp 2>/dev/null
# Curves after the first ("ideal"): the point at 1 thread must be 1.
awk '/^# Curve [0-9]+ of/ { c = $3 } c > 0 && NF == 3 && $1 + 0 == 1 { n++; if ($2 < 0.999999 || $2 > 1.000001) { print "curve " c ": " $2 " at 1 thread"; bad = 1 } }
     END { if (!n) { print "no point at 1 thread"; bad = 1 }; exit bad }' "$tmp/ts.tab" >&2 ||
    fail "threads_scaling does not draw speedup 1 at one thread"
echo "columns_test: threads_scaling draws 1.0 at one thread for every loss: ok"
