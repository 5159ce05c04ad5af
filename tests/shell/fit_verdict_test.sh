#!/bin/sh
# fit_verdict_test.sh DMLBENCH — the complexity verdict on a busy machine:
# a series on its order is "ok" (exit 0); one clearly off (k = 1.48 ± 0.02
# for an O(M) loss) is "OFF" (exit 3); one outside its band only as far as
# its scatter reaches (k = 1.35 ± 0.19: points disturbed by a neighbour) is
# "noisy", too noisy to judge, and exits 0 rather than fail the sweep.
set -u
B=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dml-fitv.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "fit_verdict_test: FAIL: $*" >&2; exit 1; }
# csv NAME "M:ms ..." — Proxy-Anchor's batch rows with these step times
csv() {
    { echo "study,point,kind,name,M,threads,algorithm,cpu_min_ms,specific_min_ms,total_min_ms"
      i=0; for p in $2; do echo "batch,$i,loss,proxy_anchor,${p%:*},1,,${p#*:},${p#*:},${p#*:}"; i=$((i + 1)); done
    } > "$tmp/$1.csv"
}
csv ok "128:1 256:2 512:4 1024:8"
csv off "128:1 256:3 512:8 1024:22"
csv noisy "128:1 256:3.4 512:5 1024:20"
for c in ok:0:ok off:3:OFF noisy:0:noisy; do
    n=${c%%:*} want=${c#*:}; want=${want%%:*} verdict=${c##*:}
    "$B" fit --out "$tmp/$n.cx" "$tmp/$n.csv" > "$tmp/$n.out" 2>&1
    rc=$?
    [ "$rc" = "$want" ] || fail "$n: exit $rc, expected $want: $(cat "$tmp/$n.out")"
    v=$(awk -F, 'NR == 2 { print $11 }' "$tmp/$n.cx")
    [ "$v" = "$verdict" ] || fail "$n: verdict '$v', expected '$verdict'"
done
grep -q "too noisy to judge" "$tmp/noisy.out" || fail "noisy: the report does not say it is too noisy to judge"
echo "fit_verdict_test: ok, OFF (exit 3) and noisy (too noisy to judge, exit 0) told apart: ok"
