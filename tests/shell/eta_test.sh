#!/bin/bash
# eta_test.sh DMLBENCH [STUDY.txt...] — the sweep's "all studies here: ETA"
# against the time the run really took.  Runs the timing studies on their
# quick grids (default: experiments/*.txt but the learning ones) with a
# progress line after every point (DML_PROGRESS_SECONDS=0), stamps each line
# with the time it arrived, and, once the first few points are done (the
# ETA's FLOP rate is calibrated on them: harness/sweep/eta.c), holds every
# line's ETA to within 2x of the time that was in fact left (a few seconds
# of slack for the rounding of short remainders).
#   ETA_TEST_LOG=FILE keeps the stamped lines.
set -u
B=${1:?usage: eta_test.sh DMLBENCH [STUDY.txt...]}
shift
if [ $# -eq 0 ]; then
    set -- $(ls experiments/*.txt | grep -v '/learn_')
fi
tmp=$(mktemp -d /tmp/eta_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=${ETA_TEST_LOG:-$tmp/log}

start=$(date +%s.%N)
DML_PROGRESS_SECONDS=0 "$B" sweep --quick --out "$tmp/out" "$@" 2>&1 >/dev/null |
    while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$log"
rc=${PIPESTATUS[0]}
end=$(date +%s.%N)
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { echo "eta_test: FAIL: the sweep exited $rc"; tail -5 "$log"; exit 1; }

# A line: "<stamp> [study] d/n points ... (all studies here: ETA h:mm:ss)".
awk -v start="$start" -v end="$end" -v skip="${ETA_TEST_SKIP:-8}" '
function secs(t,    a, n) { n = split(t, a, ":"); return n == 3 ? a[1] * 3600 + a[2] * 60 + a[3] : a[1] * 60 + a[2] }
/ points? / && /all studies here: ETA/ {
    st = $2; split($3, dn, "/")
    if (st != cur) { before += last; cur = st }
    last = dn[1]; done = before + dn[1]
    eta = $0; sub(/.*all studies here: ETA /, "", eta); sub(/\).*/, "", eta)
    if (eta ~ /-/ || done < skip) next
    want = end - $1; got = secs(eta); n++
    r = (got + 3) / (want + 3); if (r < 1) r = 1 / r
    if (r > worst) { worst = r; wl = sprintf("%s %s: ETA %s s, %.1f s were left", st, $3, got, want) }
    if (got > 2 * want + 3 || got < want / 2 - 3) { bad++; if (bad <= 5) printf "eta_test: off by more than 2x: %s (%s points done): ETA %d s, %.1f s left\n", st, $3, got, want }
}
END {
    if (n == 0) { print "eta_test: FAIL: no progress line after the first " skip " points"; exit 1 }
    printf "eta_test: %d lines after the first %d points, the run took %.0f s; worst %.2fx (%s)\n", n, skip, end - start, worst, wl
    if (bad) { printf "eta_test: FAIL: %d of %d ETAs off by more than 2x\n", bad, n; exit 1 }
    print "eta_test: every ETA within 2x of the time left: ok"
}' "$log"
