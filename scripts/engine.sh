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
#                    sbatch options in $SBATCH_ARGS; each task asks for as many
#                    CPUs as the studies' most threaded point needs (sbatch -c
#                    T, T from `dmlbench sweep --threads-needed`; a -c in
#                    SBATCH_ARGS wins); while the array runs, every
#                    $PROGRESS_EVERY s (30) a line a shard from the progress
#                    file its sweep keeps (SHARD_DIR/progress.K-of-N)
#   ENGINE=parallel  GNU parallel, local jobs or ssh hosts ($SSHLOGINFILE, which
#                    needs this checkout at the same path on every host, on a
#                    shared file system); --joblog and --resume-failed; output
#                    line by line as it comes, each line tagged [shard K/N].
#                    Local jobs ($PARALLEL_JOBS, default nproc / T) are each
#                    pinned to their share of the CPUs (taskset), as Slurm pins
#                    a task, so a T-thread point finds its T cores
#
# The shards go to $SHARD_DIR (default OUT/shards/), which starts empty
# unless RESUME=1 (then finished shards are kept and unfinished ones resume
# from their rows).
#
# Exit status: 0, 3 when a loss is off its expected order (as `dmlbench
# sweep`), 1 on any other failure.
set -eu

[ $# -ge 4 ] && [ "$4" = "--" ] || {
    echo "usage: scripts/engine.sh slurm|parallel SHARDS OUT -- SWEEP_ARGS..." >&2; exit 2; }
ENGINE=$1 SHARDS=$2 OUT=$3
shift 4
case $SHARDS in ''|*[!0-9]*|0) echo "engine.sh: SHARDS must be a positive integer, not '$SHARDS'" >&2; exit 2 ;; esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DMLBENCH:-$REPO/build/dmlbench}
SH=${SHARD_DIR:-$OUT/shards}
[ -n "${RESUME:-}" ] || rm -rf "$SH"
mkdir -p "$SH"
SH=$(cd "$SH" && pwd)
[ -x "$BIN" ] || { echo "engine.sh: $BIN not built (make all)" >&2; exit 1; }

# The sweep arguments, quoted once for the job scripts.
ARGS=""
for a in "$@"; do
    case $a in /*) ;; -*) ;; *) a=$REPO/$a ;; esac # definitions by absolute path
    ARGS="$ARGS '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"
done

# The CPUs a task needs: the most threads a point of these studies asks for.
# shellcheck disable=SC2086
TASK_CPUS=$(eval "\"\$BIN\" sweep --threads-needed $ARGS") || {
    echo "engine.sh: cannot read the studies (dmlbench sweep --threads-needed)" >&2; exit 1; }

# A shard is finished when its task wrote status 0 (the task's last act).
failed_shards() {
    k=0
    while [ "$k" -lt "$SHARDS" ]; do
        [ "$(cat "$SH/status.$k-of-$SHARDS" 2>/dev/null)" = 0 ] || printf '%s ' "$k"
        k=$((k + 1))
    done | sed 's/ $//'
}

# The command of one task, K as $1 (the sweep bounds a point's threads by the
# cores the task was given: SLURM_CPUS_PER_TASK and its CPU affinity).  With
# a GNU parallel job slot S of J local jobs as $2 $3, the task is pinned to
# slot S's share of this host's CPUs, so that two jobs never share a core.
cat > "$SH/task.sh" <<EOF
#!/bin/sh
# written by scripts/engine.sh: one shard of the sweep
k=\$1
rm -f "$SH/status.\$k-of-$SHARDS"
cd "$REPO"
pin=""
if [ -n "\${2:-}" ] && [ -n "\${3:-}" ]; then
    p=\$(nproc); per=\$((p / \$3)); [ \$per -ge 1 ] || per=1
    lo=\$(( (\$2 - 1) * per % p )); hi=\$((lo + per - 1))
    pin="taskset -c \$lo-\$hi"
fi
\$pin "$BIN" sweep --shard "\$k/$SHARDS" --resume --out "$SH" $ARGS
rc=\$?
echo \$rc > "$SH/status.\$k-of-$SHARDS"
exit \$rc
EOF
chmod +x "$SH/task.sh"

# One line a shard: finished, its latest progress line, or not started yet.
summarise() {
    k=0
    while [ "$k" -lt "$SHARDS" ]; do
        st=$(cat "$SH/status.$k-of-$SHARDS" 2>/dev/null || true)
        if [ -n "$st" ]; then line="finished (status $st)"
        elif [ -s "$SH/progress.$k-of-$SHARDS" ]; then line=$(cat "$SH/progress.$k-of-$SHARDS")
        else line="not started yet"; fi
        echo "engine.sh: $ENGINE: [shard $k/$SHARDS] $line" >&2
        k=$((k + 1))
    done
}

# Waits for pid $1, summarising the shards every PROGRESS_EVERY seconds.
wait_summarising() {
    every=${PROGRESS_EVERY:-30} n=0
    while kill -0 "$1" 2>/dev/null; do
        sleep 1
        n=$((n + 1))
        if [ "$n" -ge "$every" ]; then summarise; n=0; fi
    done
    wait "$1" || true
}

run_slurm() { # $1: array index list
    command -v sbatch >/dev/null 2>&1 || { echo "engine.sh: sbatch not found (sh scripts/deps.sh slurm)" >&2; exit 1; }
    # sbatch --wait returns when every task of the array has ended, with
    # non-zero when one failed: the status files say which.
    cat > "$SH/array.sh" <<EOF
#!/bin/sh
#SBATCH --job-name=dmlbench-sweep
#SBATCH --output=$SH/slurm-%A_%a.out
exec "$SH/task.sh" "\$SLURM_ARRAY_TASK_ID"
EOF
    cpus="-c $TASK_CPUS"
    case " ${SBATCH_ARGS:-} " in *" -c"*|*" --cpus-per-task"*) cpus="" ;; esac
    # shellcheck disable=SC2086
    sbatch --wait --array="$1" $cpus ${SBATCH_ARGS:-} "$SH/array.sh" &
    wait_summarising $!
}

run_parallel() { # $1: "first" or "again"
    command -v parallel >/dev/null 2>&1 || { echo "engine.sh: GNU parallel not found (sh scripts/deps.sh parallel)" >&2; exit 1; }
    jobs=${PARALLEL_JOBS:-$(( $(nproc) / TASK_CPUS ))}
    [ "$jobs" -ge 1 ] || jobs=1
    set -- "$1" --joblog "$SH/joblog" --halt never --line-buffer --tagstring "[shard {}/$SHARDS]"
    [ "$1" = again ] && set -- "$@" --resume-failed
    shift
    # --resume-failed reruns the jobs the joblog records as failed; the task
    # list stays every shard, so that parallel matches the joblog's lines.
    if [ -n "${SSHLOGINFILE:-}" ]; then
        seq 0 $((SHARDS - 1)) | parallel "$@" --sshloginfile "$SSHLOGINFILE" "$SH/task.sh" {} || true
    else
        seq 0 $((SHARDS - 1)) | parallel "$@" -j "$jobs" "$SH/task.sh" {} {%} "$jobs" || true
    fi
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
