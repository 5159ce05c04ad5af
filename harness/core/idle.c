/* idle.c — was the machine idle while we measured (see idle.h). */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/idle.h"
#include "core/timing.h"

static int read_stat(idle_mark *m)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return 1;
    unsigned long long v[8] = { 0 };
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 8) return 1;
    /* user nice system idle iowait irq softirq steal */
    m->steal = v[7];
    m->busy = v[0] + v[1] + v[2] + v[5] + v[6];
    m->total = m->busy + v[3] + v[4] + v[7];
    return 0;
}

void idle_mark_now(idle_mark *m)
{
    *m = (idle_mark){ 0 };
    FILE *f = fopen("/proc/loadavg", "r");
    int ok = f && fscanf(f, "%lf %lf %lf", &m->load[0], &m->load[1], &m->load[2]) == 3;
    if (f) fclose(f);
    m->ok = ok && !read_stat(m);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        m->self_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    m->wall_s = dml_now_ns() / 1e9;
}

void idle_between(const idle_mark *a, const idle_mark *b, idle_report *r)
{
    *r = (idle_report){ 0 };
    r->ok = a->ok && b->ok && b->total > a->total;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    r->cpus = cpus > 0 ? (int)cpus : 1;
    for (int i = 0; i < 3; i++) r->load_start[i] = a->load[i], r->load_end[i] = b->load[i];
    if (!r->ok) return;
    double ticks = (double)(b->total - a->total), hz = (double)sysconf(_SC_CLK_TCK);
    r->steal_frac = (double)(b->steal - a->steal) / ticks;
    double others = (double)(b->busy - a->busy) / hz - (b->self_s - a->self_s);
    r->others_frac = others > 0 ? others * hz / ticks : 0;
    r->idle = r->others_frac * r->cpus < 0.10 && r->steal_frac < 0.02;
}

void idle_describe(const idle_report *r, char *out, unsigned long len)
{
    if (!r->ok) {
        snprintf(out, len, "idle: unknown (/proc/stat, /proc/loadavg unreadable)");
        return;
    }
    snprintf(out, len, "idle: %s (load average %.2f -> %.2f; other processes %.0f %% and steal "
             "%.1f %% of %d CPUs' time during the run)", r->idle ? "yes" : "NO, shared",
             r->load_start[0], r->load_end[0], 100 * r->others_frac, 100 * r->steal_frac, r->cpus);
}
