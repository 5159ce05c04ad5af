#!/bin/sh
# engine.sh ENGINE SHARDS OUT -- SWEEP_ARGS... — a sweep past one machine.
#
# The suite splits and merges; the engine schedules.  Each of SHARDS tasks runs
# `dmlbench sweep --shard K/SHARDS` (K = 0 .. SHARDS-1: a deterministic share of
# every study's points, chosen by point key and balanced by the cost model)
# into OUT/shards/; the tasks whose shard did not finish are run once more;
# then `dmlbench merge` joins the shards into OUT/<study>.csv and .json,
# checking that every point is there exactly once and that all shards come
# from one commit, build and definition, and runs the complexity check.
#
#   ENGINE=slurm     one array job (sbatch --array=0-(SHARDS-1) --wait); extra
#                    sbatch options in $SBATCH_ARGS; a task's threads follow
#                    SLURM_CPUS_PER_TASK (sbatch -c N)
#   ENGINE=parallel  GNU parallel, local jobs or ssh hosts ($SSHLOGINFILE, which
#                    needs this checkout at the same path on every host, on a
#                    shared file system); --joblog and --resume-failed
#
# Exit status: 0, 3 when a loss is off its expected order (as `dmlbench
# sweep`), 1 on any other failure.
set -eu

[ $# -ge 4 ] && [ "$4" = "--" ] || {
    echo "usage: harness/engine.sh slurm|parallel SHARDS OUT -- SWEEP_ARGS..." >&2; exit 2; }
ENGINE=$1 SHARDS=$2 OUT=$3
shift 4
case $SHARDS in ''|*[!0-9]*|0) echo "engine.sh: SHARDS must be a positive integer, not '$SHARDS'" >&2; exit 2 ;; esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DMLBENCH:-$REPO/build/dmlbench}
SH=$OUT/shards
mkdir -p "$SH"
SH=$(cd "$SH" && pwd)
[ -x "$BIN" ] || { echo "engine.sh: $BIN not built (make all)" >&2; exit 1; }

# The sweep arguments, quoted once for the job scripts.
ARGS=""
for a in "$@"; do
    case $a in /*) ;; -*) ;; *) a=$REPO/$a ;; esac # definitions by absolute path
    ARGS="$ARGS '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"
done

# A shard is finished when its task wrote status 0 (the task's last act).
failed_shards() {
    k=0
    while [ "$k" -lt "$SHARDS" ]; do
        [ "$(cat "$SH/status.$k-of-$SHARDS" 2>/dev/null)" = 0 ] || printf '%s ' "$k"
        k=$((k + 1))
    done
}

# The command of one task, K as $1 (the sweep bounds a point's threads by the
# cores the task was given: SLURM_CPUS_PER_TASK and its CPU affinity).
cat > "$SH/task.sh" <<EOF
#!/bin/sh
# written by harness/engine.sh: one shard of the sweep
k=\$1
rm -f "$SH/status.\$k-of-$SHARDS"
cd "$REPO"
"$BIN" sweep --shard "\$k/$SHARDS" --resume --out "$SH" $ARGS
rc=\$?
echo \$rc > "$SH/status.\$k-of-$SHARDS"
exit \$rc
EOF
chmod +x "$SH/task.sh"

run_slurm() { # $1: array index list
    command -v sbatch >/dev/null 2>&1 || { echo "engine.sh: sbatch not found (sh harness/deps.sh slurm)" >&2; exit 1; }
    cat > "$SH/array.sh" <<EOF
#!/bin/sh
#SBATCH --job-name=dmlbench-sweep
#SBATCH --output=$SH/slurm-%A_%a.out
exec "$SH/task.sh" "\$SLURM_ARRAY_TASK_ID"
EOF
    # shellcheck disable=SC2086
    sbatch --wait --array="$1" ${SBATCH_ARGS:-} "$SH/array.sh" || true
}

run_parallel() { # $1: "first" or "again"
    command -v parallel >/dev/null 2>&1 || { echo "engine.sh: GNU parallel not found (sh harness/deps.sh parallel)" >&2; exit 1; }
    set -- "$1" --joblog "$SH/joblog" --halt never
    [ "$1" = again ] && set -- "$@" --resume-failed
    [ -n "${SSHLOGINFILE:-}" ] && set -- "$@" --sshloginfile "$SSHLOGINFILE"
    [ -z "${SSHLOGINFILE:-}" ] && set -- "$@" -j "${PARALLEL_JOBS:-$(nproc)}"
    shift
    seq 0 $((SHARDS - 1)) | parallel "$@" "$SH/task.sh" {} || true
}

submit() { # $1: "first" or "again", $2: the shards to run
    list=$(echo "$2" | tr ' ' '\n' | grep . | paste -sd, -)
    echo "engine.sh: $ENGINE: running shard(s) $list of $SHARDS" >&2
    case $ENGINE in
    slurm) run_slurm "$list" ;;
    parallel) run_parallel "$1" ;;
    *) echo "engine.sh: unknown engine '$ENGINE' (slurm or parallel)" >&2; exit 2 ;;
    esac
}

todo=$(failed_shards)
[ -n "$todo" ] && submit first "$todo"
todo=$(failed_shards)
if [ -n "$todo" ]; then
    echo "engine.sh: shard(s) $todo did not finish; running them once more" >&2
    submit again "$todo"
    todo=$(failed_shards)
fi
if [ -n "$todo" ]; then
    echo "engine.sh: shard(s) $todo failed twice; see $SH (status.*, slurm-*.out or joblog)" >&2
    exit 1
fi

rc=0
"$BIN" merge --out "$OUT" "$SH"/*.shard-*-of-"$SHARDS".csv || rc=$?
exit $rc
