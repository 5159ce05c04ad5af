/* stream.c — a triad over arrays far larger than the last-level cache, so
 * every byte comes from memory: the bandwidth roof of the roofline.  The
 * arrays are first touched by the threads that use them (each its slice, as
 * the timed loop), so that their pages sit near those threads. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/stream.h"
#include "core/memuse.h"
#include "core/stats.h"
#include "core/timing.h"

/* The largest cache the kernel reports for cpu0 (sysfs), in bytes; 0 unknown. */
static size_t llc_size(void)
{
    size_t best = 0;
    for (int i = 0; i < 8; i++) {
        char path[96], unit = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        unsigned long v = 0;
        int n = fscanf(f, "%lu%c", &v, &unit);
        fclose(f);
        size_t b = n >= 1 ? v * (unit == 'M' ? 1024UL * 1024 : unit == 'K' ? 1024UL : 1UL) : 0;
        if (b > best) best = b;
    }
    return best;
}

size_t stream_array_bytes(int quick, size_t *llc_bytes)
{
    size_t llc = llc_size(), min = 64UL << 20;
    size_t want = llc * (quick ? 2 : 4);
    if (want < min) want = min;
    char why[64];
    size_t avail = (size_t)mem_available_bytes(why, sizeof why);
    if (avail && want > avail / 8) want = avail / 8 > min ? avail / 8 : min;
    if (llc_bytes) *llc_bytes = llc;
    return want & ~(size_t)4095;
}

static void triad(float *restrict a, const float *restrict b, const float *restrict c, size_t n,
                  float s)
{
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] + s * c[i];
}

/* Slices of 32 MiB an array: each is timed alone, so that a pass that a
 * neighbour's process interrupts loses one slice, not the pass.  Each thread
 * times its share of a slice on its own CPU clock, and the slice's rate is
 * the sum of the threads' rates: on a machine shared with other processes
 * the wall clock counts the time a thread waited for a core.  (When the
 * threads did not run at the same moment the sum is above what they would
 * get together: it is a roof, the docs say so.) */
#define SLICE_FLOATS ((size_t)8 << 20)

static double slice_rate(float *a, const float *b, const float *c, size_t m, float s, int threads)
{
    double g = 0;
#pragma omp parallel num_threads(threads) reduction(+ : g)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        size_t lo = m * (size_t)t / (size_t)nt, hi = m * (size_t)(t + 1) / (size_t)nt;
        double t0 = dml_thread_cpu_ns();
        triad(a + lo, b + lo, c + lo, hi - lo, s);
        COMPILER_BARRIER();
        double dt = dml_thread_cpu_ns() - t0;
        g += dt > 0 ? 3.0 * (double)((hi - lo) * sizeof(float)) / dt : 0;
    }
    return g;
}

static void pass(float *a, const float *b, const float *c, size_t n, float s, int threads,
                 double *best, double *t, size_t *nt)
{
    for (size_t lo = 0; lo < n; lo += SLICE_FLOATS) {
        size_t m = n - lo < SLICE_FLOATS ? n - lo : SLICE_FLOATS;
        double g = slice_rate(a + lo, b + lo, c + lo, m, s, threads);
        if (g > *best) *best = g;
        if (t) t[(*nt)++] = g;
    }
}

int stream_triad(size_t bytes, int threads, int runs, stream_result *out)
{
    size_t n = bytes / sizeof(float), slices = (n + SLICE_FLOATS - 1) / SLICE_FLOATS, nt = 0;
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    double *t = malloc(slices * (size_t)(runs > 0 ? runs : 1) * sizeof *t), best = 0, warm = 0;
    if (!a || !b || !c || !t) {
        free(a); free(b); free(c); free(t);
        return 1;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++)
        a[i] = 0.0f, b[i] = 1.0f, c[i] = 2.0f;
    pass(a, b, c, n, 0.5f, threads, &warm, NULL, &nt); /* warm: clocks up, pages mapped */
    for (int r = 0; r < runs; r++)
        pass(a, b, c, n, 0.5f + (float)r, threads, &best, t, &nt);
    sample_stats s = stats_of(t, nt);
    *out = (stream_result){ .array_bytes = n * sizeof(float), .threads = threads,
                            .gbps = best, .median_gbps = s.median };
    /* a value the compiler cannot drop */
    if (a[n / 2] < 0) fprintf(stderr, "stream: impossible value\n");
    free(a); free(b); free(c); free(t);
    return 0;
}
