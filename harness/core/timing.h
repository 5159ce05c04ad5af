/* timing.h — the one timing runner of the harness, on the library's clock
 * (dml_now_ns: wall, dml_thread_cpu_ns: the thread's CPU time; dml.h).
 *
 * What is timed is a callback (a function pointer and its context, as in
 * xxHash's benchfn), so a loss step, a kernel case, the products of a loss
 * and an OpenBLAS call are all timed by the same code: warm-up, calls per
 * sample calibrated to last an epoch, N samples on both clocks, and the
 * min/median/p90 of the per-call times.  Interleaved measurements (A B A B,
 * the way ratios are compared on a shared machine) use the same two steps,
 * timing_calls_for and timing_sample. */
#ifndef DML_CORE_TIMING_H
#define DML_CORE_TIMING_H

#include "core/stats.h"
#include "dml.h"

/* Keeps the compiler from moving or dropping the timed work. */
#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

/* One call of what is timed: 0, or non-zero to stop (the callback keeps the why). */
typedef int (*timed_fn)(void *arg);

/* `calls` consecutive calls; per-call wall and thread-CPU ns (either may be NULL). */
int timing_sample(timed_fn fn, void *arg, long calls, double *wall_ns, double *cpu_ns);

/* Calls per sample so that one sample lasts about epoch_ns of thread CPU
 * time, in [1, max_calls]: estimated from one call, then refined from that
 * many (not when the one call took 4 epochs or more: 1).  *per_call_ns (may
 * be NULL) gets the per-call time of the last estimate. */
int timing_calls_for(timed_fn fn, void *arg, double epoch_ns, long max_calls, long *calls,
                     double *per_call_ns);

typedef struct timing_spec {
    int warmup;       /* untimed calls first */
    int samples;      /* samples wanted */
    int min_samples;  /* kept even when budget_ns allows fewer */
    double epoch_ns;  /* length of a sample; 0: one call a sample, no calibration */
    double budget_ns; /* caps samples x sample length; 0: no cap */
} timing_spec;

typedef struct timing_result {
    sample_stats wall, cpu; /* per call */
    int samples;
    long calls;             /* per sample */
} timing_result;

/* Times fn as spec says.  Returns 0, -1 when out of memory, or the
 * callback's non-zero code. */
int timing_run(timed_fn fn, void *arg, const timing_spec *spec, timing_result *out);

/* The same for n callbacks at once, interleaved sample by sample (A B C A B
 * C ...), so that each sees the same machine state; out[i] for fn[i]. */
int timing_interleaved(timed_fn const *fn, void *const *arg, int n, const timing_spec *spec,
                       timing_result *out);

#endif
