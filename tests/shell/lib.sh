# lib.sh — sourced by the shell tests: BIN (the first argument, default
# build/dmlbench), a work directory W removed on exit, ok/bad counters and
# the closing line.  Set NAME first (the work directory's and summary's name).
set -u
BIN=${1:-build/dmlbench}
W=$(mktemp -d "/tmp/$NAME.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# summary: "NAME: N passed, N failed"; the exit status
summary() { echo "$NAME: $pass passed, $fail failed"; [ $fail -eq 0 ]; }
