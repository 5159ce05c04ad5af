/* progress.c — the progress line of a sweep: points done, elapsed, ETA from
 * the points' cost estimates.  On a terminal it rewrites itself; in a log,
 * one line every 10 s at most. */
#include <math.h>
#include <unistd.h>

#include "core/timing.h"
#include "sweep/study.h"

static void fmt_dur(double s, char *out, size_t len)
{
    if (!isfinite(s) || s < 0) { snprintf(out, len, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

void progress(const study *st, size_t done, double elapsed_s, double done_cost, double left_cost,
              int final)
{
    static double last = -1e9;
    static const study *shown = NULL;
    int tty = isatty(2);
    double now = dml_now_ns() / 1e9;
    if (!final && !tty && now - last < 10 && shown == st) return;
    shown = st;
    last = now;
    char el[32], eta[32];
    fmt_dur(elapsed_s, el, sizeof el);
    fmt_dur(final ? 0 : done_cost > 0 ? elapsed_s * left_cost / done_cost : NAN, eta, sizeof eta);
    if (st->passes > 1)
        fprintf(stderr, "%s[%s] %zu/%zu point-passes (%zu points x %d passes)  elapsed %s  ETA %s%s",
                tty ? "\r\033[K" : "", st->name, done, st->todo, st->n, st->passes, el, eta,
                tty && !final ? "" : "\n");
    else
        fprintf(stderr, "%s[%s] %zu/%zu points  elapsed %s  ETA %s%s", tty ? "\r\033[K" : "", st->name, done,
                st->n, el, eta, tty && !final ? "" : "\n");
    fflush(stderr);
}
