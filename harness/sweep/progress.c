/* progress.c — the progress line of a sweep: the study's points done,
 * elapsed, its ETA, and the ETA of everything this process runs (the
 * remaining studies too), from the points' cost estimates.  On a terminal
 * it rewrites itself; in a log (a shard under GNU parallel or Slurm), one
 * line every 10 s at most, and a shard also keeps its latest line (after
 * every point) in a progress file, which scripts/engine.sh summarises. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/timing.h"
#include "sweep/study.h"

static struct {
    const study *studies;
    int n;
    double t0, done_before; /* cost of the points finished in earlier studies */
    char file[FILEIO_PATH_MAX];
} run;

void progress_begin(const study *studies, int n, const char *file)
{
    run.studies = studies;
    run.n = n;
    run.t0 = dml_now_ns() / 1e9;
    run.done_before = 0;
    snprintf(run.file, sizeof run.file, "%s", file ? file : "");
}

/* The cost still to run in the studies after st. */
static double cost_after(const study *st)
{
    double c = 0;
    for (int i = 0; i < run.n; i++) {
        if (&run.studies[i] <= st) continue;
        for (size_t p = 0; p < run.studies[i].n; p++) {
            int left = run.studies[i].passes - run.studies[i].pts[p].passes_done;
            if (left > 0) c += left * run.studies[i].pts[p].cost;
        }
    }
    return c;
}

static void fmt_dur(double s, char *out, size_t len)
{
    if (!isfinite(s) || s < 0) { snprintf(out, len, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

static void keep_in_file(const char *line)
{
    if (!run.file[0]) return;
    char err[256];
    write_file_atomic(run.file, line, strlen(line), err, sizeof err); /* progress only: a failure stops nothing */
}

void progress(const study *st, size_t done, double elapsed_s, double done_cost, double left_cost,
              int final)
{
    static double last = -1e9;
    static const study *shown = NULL;
    int tty = isatty(2);
    double now = dml_now_ns() / 1e9;
    char el[32], eta[32], all[32], pts[96], line[512];
    fmt_dur(elapsed_s, el, sizeof el);
    fmt_dur(final ? 0 : done_cost > 0 ? elapsed_s * left_cost / done_cost : NAN, eta, sizeof eta);
    double done_all = run.done_before + done_cost, left_all = (final ? 0 : left_cost) + cost_after(st);
    fmt_dur(done_all > 0 ? (now - run.t0) * left_all / done_all : NAN, all, sizeof all);
    if (st->passes > 1)
        snprintf(pts, sizeof pts, "%zu/%zu point-passes (%zu points x %d passes)", done, st->todo, st->n, st->passes);
    else
        snprintf(pts, sizeof pts, "%zu/%zu points", done, st->n);
    snprintf(line, sizeof line, "[%s] %s  elapsed %s  ETA %s  (all studies here: ETA %s)\n", st->name, pts, el,
             eta, all);
    if (final) run.done_before += done_cost;
    keep_in_file(line); /* every point: the engine's summary is never staler than one */
    if (!final && !tty && now - last < 10 && shown == st) return;
    shown = st;
    last = now;
    fprintf(stderr, "%s%.*s%s", tty ? "\r\033[K" : "", (int)strlen(line) - 1, line, tty && !final ? "" : "\n");
    fflush(stderr);
}
