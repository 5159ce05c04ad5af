#!/bin/sh
# help_test.sh DMLBENCH — every command answers --help with its usage on
# stdout and exit 0 (whatever else it would need: --loss, files), and every
# option has one spelling: none is written with '_', and the loss parameters
# (generated from the parameter table) are accepted with '-' and refused
# with '_' by both commands that take them, run and train.
set -u
B=$1
fail() { echo "help_test: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dml-help.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

"$B" --help > "$tmp/top" || fail "dmlbench --help exits non-zero"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$tmp/top")
[ "$(echo $cmds | wc -w)" -ge 9 ] || fail "dmlbench --help lists $(echo $cmds | wc -w) commands: $cmds"
for c in $cmds; do
    for h in --help -h; do
        "$B" "$c" "$h" > "$tmp/out" 2> "$tmp/err" || fail "dmlbench $c $h exits $?: $(head -1 "$tmp/err")"
        head -1 "$tmp/out" | grep -q "^usage: dmlbench $c " || fail "dmlbench $c $h: no usage on stdout"
    done
    "$B" "$c" --help --nonsense > /dev/null 2>&1 || fail "dmlbench $c --help --nonsense: not the usage"
    if grep -o -- '--[A-Za-z0-9-]*_[A-Za-z0-9_-]*' "$tmp/out"; then fail "dmlbench $c: an option spelled with '_'"; fi
done
echo "help_test: $(echo $cmds | wc -w) commands answer --help and -h with their usage, exit 0; no option has a '_': ok"

# run: one spelling of a loss parameter
"$B" run --loss proxy_nca --include-positive 1 --M 16 --C 4 --D 8 --reps 1 --warmup 0 > /dev/null ||
    fail "run refuses --include-positive"
if "$B" run --loss proxy_nca --include_positive 1 --M 16 --C 4 --D 8 --reps 1 > /dev/null 2> "$tmp/err"; then
    fail "run accepts --include_positive (a second spelling)"
fi
grep -q "spelled with '-': --include-positive" "$tmp/err" || fail "run: $(cat "$tmp/err")"
# train: the same option, refused or accepted before any data is read
if "$B" train --loss proxy_nca --include_positive 1 --data "$tmp/none" > /dev/null 2> "$tmp/err"; then
    fail "train accepts --include_positive"
fi
grep -q "spelled with '-': --include-positive" "$tmp/err" || fail "train: $(cat "$tmp/err")"
"$B" train --loss proxy_nca --include-positive 1 --data "$tmp/none" > /dev/null 2> "$tmp/err"
if grep -q "option" "$tmp/err" || ! grep -q "$tmp/none" "$tmp/err"; then fail "train --include-positive: $(cat "$tmp/err")"; fi
echo "help_test: run and train take --include-positive and refuse --include_positive: ok"

# info --losses: every loss that run takes, a line each, name TAB title (scripts read it)
"$B" info --losses > "$tmp/losses" || fail "info --losses exits $?"
want=$("$B" run --help | sed -n 's/.*--loss \([a-z_|]*\).*/\1/p' | head -1 | tr '|' '\n')
got=$(cut -f1 "$tmp/losses")
[ -n "$want" ] && [ "$want" = "$got" ] || fail "info --losses names '$(echo $got)', run --help '$(echo $want)'"
awk -F'\t' 'NF != 2 || $2 == "" { exit 1 }' "$tmp/losses" || fail "info --losses: a line is not name<TAB>title"
echo "help_test: info --losses lists the $(echo "$got" | wc -l) losses of run, each with its title: ok"
