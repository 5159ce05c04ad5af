#!/usr/bin/env bash
# deps_lock_test.sh — scripts/deps.sh when another apt or dpkg holds the
# lock: it says it is waiting, waits, then installs (apt-get is given
# DPkg::Lock::Timeout too); held past the wait, it gives up with one line.
# apt-get, dpkg-query and sudo are fakes on PATH (nothing is installed); the
# lock is a file that python3 holds with fcntl, as apt does, named to deps.sh
# by DML_APT_LOCKS.  Run from the repository root.
NAME=deps-lock
. "$(dirname "$0")/lib.sh"
DEPS=scripts/deps.sh
mkdir -p "$W/bin"
held='ino=$(stat -c %i "$FAKE_LOCK"); grep -q ":$ino " /proc/locks'
cat > "$W/bin/apt-get" <<FAKE
#!/bin/sh
echo "apt-get \$*" >> "$W/apt.log"
case "\$*" in *DPkg::Lock::Timeout=*) while $held; do sleep 1; done; exit 0 ;; esac
if $held; then echo "E: Could not get lock \$FAKE_LOCK" >&2; exit 100; fi
FAKE
printf '#!/bin/sh\nexit 1\n' > "$W/bin/dpkg-query"
printf '#!/bin/sh\nexec "$@"\n' > "$W/bin/sudo"
chmod +x "$W/bin/"*
export FAKE_LOCK=$W/lock DML_APT_LOCKS=$W/lock PATH="$W/bin:$PATH"
: > "$W/lock"
hold() { python3 -c 'import fcntl, sys, time; f = open(sys.argv[1], "w"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[1] + ".held", "w"); time.sleep(float(sys.argv[2]))' "$W/lock" "$1" & 
         while [ ! -e "$W/lock.held" ]; do sleep 0.1; done; rm -f "$W/lock.held"; }

hold 4
DML_APT_WAIT=60 timeout 60 sh "$DEPS" test > "$W/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "deps.sh installs once the lock is free" || bad "deps.sh exit $rc: $(tr '\n' '|' < "$W/out")"
grep -q "waiting for the apt/dpkg lock" "$W/out" && ok "it says it is waiting" || bad "no word of waiting: $(tr '\n' '|' < "$W/out")"
grep -q "DPkg::Lock::Timeout=" "$W/apt.log" 2>/dev/null && ok "apt-get waits too (DPkg::Lock::Timeout)" || bad "apt-get without a lock timeout"
wait
hold 30
DML_APT_WAIT=3 timeout 60 sh "$DEPS" test > "$W/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "still held after 3 s" "$W/out" && ok "held past the wait: one line, exit 1" \
    || bad "held past the wait: exit $rc: $(tr '\n' '|' < "$W/out")"
kill %1 2>/dev/null; wait
summary
