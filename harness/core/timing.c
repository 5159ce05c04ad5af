/* timing.c — the timing runner (see timing.h), on the library's clock. */
#include <math.h>
#include <stdlib.h>

#include "core/timing.h"

int timing_sample(timed_fn fn, void *arg, long calls, double *wall_ns, double *cpu_ns)
{
    double c0 = dml_thread_cpu_ns(), w0 = dml_now_ns();
    for (long i = 0; i < calls; i++) {
        int rc = fn(arg);
        COMPILER_BARRIER();
        if (rc) return rc;
    }
    double w1 = dml_now_ns(), c1 = dml_thread_cpu_ns();
    if (wall_ns) *wall_ns = (w1 - w0) / (double)calls;
    if (cpu_ns) *cpu_ns = (c1 - c0) / (double)calls;
    return 0;
}

static long calls_to_fill(double epoch_ns, double per_call, long max_calls)
{
    double n = ceil(epoch_ns / (per_call > 1 ? per_call : 1));
    return n < 1 ? 1 : n > (double)max_calls ? max_calls : (long)n;
}

int timing_calls_for(timed_fn fn, void *arg, double epoch_ns, long max_calls, long *calls,
                     double *per_call_ns)
{
    double t;
    int rc = timing_sample(fn, arg, 1, NULL, &t);
    if (rc) return rc;
    /* One call, cold, already fills four epochs: a warm one fills one at
     * least, so a sample is one call and a second calibration call (a whole
     * loss step at C = 10^6) would tell nothing more. */
    if (t >= 4 * epoch_ns) {
        *calls = 1;
        if (per_call_ns) *per_call_ns = t;
        return 0;
    }
    long n = calls_to_fill(epoch_ns, t, max_calls);
    if ((rc = timing_sample(fn, arg, n, NULL, &t))) return rc;
    *calls = calls_to_fill(epoch_ns, t, max_calls);
    if (per_call_ns) *per_call_ns = t;
    return 0;
}

/* Warm-up and calibration of one callback; the samples its budget allows. */
static int prepare(timed_fn fn, void *arg, const timing_spec *sp, long *calls, int *samples)
{
    double t0 = dml_now_ns(); /* the warm-up stays within the budget too */
    for (int w = 0; w < sp->warmup && !(sp->budget_ns > 0 && dml_now_ns() - t0 > sp->budget_ns); w++) {
        int rc = fn(arg);
        if (rc) return rc;
    }
    double one = 0;
    *calls = 1;
    if (sp->epoch_ns > 0) {
        int rc = timing_calls_for(fn, arg, sp->epoch_ns, 1000000, calls, &one);
        if (rc) return rc;
    }
    *samples = sp->samples;
    double fit = sp->budget_ns / ((one > 1 ? one : 1) * (double)*calls);
    if (sp->budget_ns > 0 && sp->epoch_ns > 0 && fit < *samples)
        *samples = fit < sp->min_samples ? sp->min_samples : (int)fit;
    return 0;
}

int timing_interleaved(timed_fn const *fn, void *const *arg, int n, const timing_spec *spec,
                       timing_result *out)
{
    long *calls = malloc((size_t)n * sizeof *calls);
    int *want = malloc((size_t)n * sizeof *want), most = 0, rc = 0;
    if (!calls || !want) { free(calls); free(want); return -1; }
    for (int i = 0; i < n && !rc; i++) {
        rc = prepare(fn[i], arg[i], spec, &calls[i], &want[i]);
        if (want[i] > most) most = want[i];
    }
    double *v = rc ? NULL : malloc(2 * (size_t)n * (size_t)(most ? most : 1) * sizeof *v);
    if (!rc && !v) rc = -1;
    for (int s = 0; s < most && !rc; s++) /* sample s of every callback, in turn */
        for (int i = 0; i < n && !rc; i++)
            if (s < want[i])
                rc = timing_sample(fn[i], arg[i], calls[i], &v[(2 * i) * most + s],
                                   &v[(2 * i + 1) * most + s]);
    for (int i = 0; i < n && !rc; i++) {
        out[i].wall = stats_of(&v[(2 * i) * most], (size_t)want[i]);
        out[i].cpu = stats_of(&v[(2 * i + 1) * most], (size_t)want[i]);
        out[i].samples = want[i];
        out[i].calls = calls[i];
    }
    free(v); free(calls); free(want);
    return rc;
}

int timing_run(timed_fn fn, void *arg, const timing_spec *spec, timing_result *out)
{
    return timing_interleaved(&fn, &arg, 1, spec, out);
}
