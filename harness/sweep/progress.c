/* progress.c — the progress line of a sweep: the study's points done,
 * elapsed, its ETA, and the ETA of everything this process runs (the
 * remaining studies too), from the points' time model at the FLOP rates
 * calibrated on the points done so far (eta.c).  On a terminal
 * it rewrites itself; in a log (a shard under GNU parallel or Slurm), one
 * line every 10 s at most, and a shard also keeps its latest line (after
 * every point) in a progress file, which scripts/engine.sh summarises. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/timing.h"
#include "sweep/study.h"

static struct {
    const study *studies;
    int n;
    char file[FILEIO_PATH_MAX];
} run;

void progress_begin(const study *studies, int n, const char *file)
{
    run.studies = studies;
    run.n = n;
    snprintf(run.file, sizeof run.file, "%s", file ? file : "");
}

/* The seconds still to run in the studies after st. */
static double left_after(const study *st)
{
    double s = 0;
    for (int i = 0; i < run.n; i++)
        if (&run.studies[i] > st) s += eta_left(&run.studies[i]);
    return s;
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

/* Seconds between two lines in a log: 10, or DML_PROGRESS_SECONDS (0: a
 * line every point, as tests/shell/eta_test.sh reads them). */
static double log_every(void)
{
    static double every = -1;
    if (every < 0) {
        const char *e = getenv("DML_PROGRESS_SECONDS");
        char *end;
        double v = e ? strtod(e, &end) : 10;
        every = e && (end == e || *end || !(v >= 0)) ? 10 : v;
    }
    return every;
}

void progress(const study *st, size_t done, double elapsed_s, int final)
{
    static double last = -1e9;
    static const study *shown = NULL;
    int tty = isatty(2);
    double now = dml_now_ns() / 1e9;
    char el[32], eta[32], all[32], pts[96], line[512];
    fmt_dur(elapsed_s, el, sizeof el);
    double left = final ? 0 : eta_left(st);
    fmt_dur(left, eta, sizeof eta);
    fmt_dur(left + left_after(st), all, sizeof all);
    if (st->passes > 1)
        snprintf(pts, sizeof pts, "%zu/%zu point-passes (%zu points x %d passes)", done, st->todo, st->n, st->passes);
    else
        snprintf(pts, sizeof pts, "%zu/%zu points", done, st->n);
    snprintf(line, sizeof line, "[%s] %s  elapsed %s  ETA %s  (all studies here: ETA %s)\n", st->name, pts, el,
             eta, all);
    keep_in_file(line); /* every point: the engine's summary is never staler than one */
    if (!final && !tty && now - last < log_every() && shown == st) return;
    shown = st;
    last = now;
    fprintf(stderr, "%s%.*s%s", tty ? "\r\033[K" : "", (int)strlen(line) - 1, line, tty && !final ? "" : "\n");
    fflush(stderr);
}
