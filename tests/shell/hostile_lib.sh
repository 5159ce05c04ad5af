# hostile_lib.sh — sourced by the hostile-input suites (hostile_test.sh:
# issue 12; hostile2_test.sh: issue 19): BIN (the first argument), a work
# directory W removed on exit, the counters, and expect: a command's exit
# status and its one-line message, under timeout and ulimit -v.
set -u
BIN=$(realpath "${1:-build/dmlbench}")
W=$(mktemp -d /tmp/dmlbench-hostile.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
VLIM=${HOSTILE_NO_VLIMIT:+unlimited}
VLIM=${VLIM:-4000000}

# expect NAME RC REGEX CMD... : CMD exits RC, and (RC != 0) its stderr is one
# line matching REGEX, with no raw control byte in it.
expect() {
    local name=$1 want=$2 re=$3; shift 3
    (ulimit -v "$VLIM"; exec timeout -s KILL 60 "$@") > "$W/out" 2> "$W/err"
    local rc=$?
    local lines; lines=$(grep -c "^dmlbench: " "$W/err")
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, want $want: $(head -c 300 "$W/err" | tr '\n' '|')"
    elif [ "$want" -ne 0 ] && { [ "$lines" -ne 1 ] || ! grep -qE -- "$re" "$W/err"; }; then
        bad "$name: stderr ($lines lines) does not match /$re/: $(head -c 300 "$W/err" | tr '\n' '|')"
    elif LC_ALL=C grep -q '[[:cntrl:]]' "$W/err" && [ "$want" -ne 0 ]; then
        bad "$name: a raw control byte in the message"
    else
        ok "$name"
    fi
}
def() { local f="$W/$1.txt"; shift; printf '%s\n' "$@" > "$f"; echo "$f"; }
tiny="M 16|C 4|D 4|reps 3|warmup 0|max_seconds 0.01"
tinydef() { local f="$W/$1.txt"; shift; { printf 'study %s\n' "$(basename "$f" .txt)"; printf '%s\n' "$@"; echo "$tiny" | tr '|' '\n'; } > "$f"; echo "$f"; }
