/* stream.h — the memory bandwidth of this machine, measured: a triad
 * (a[i] = b[i] + s·c[i], as STREAM's) over three arrays far larger than the
 * last-level cache, on one thread and on all, in the same run as the FMA peak. */
#ifndef DML_BENCH_STREAM_H
#define DML_BENCH_STREAM_H

#include <stddef.h>

typedef struct stream_result {
    size_t array_bytes;  /* each of the three arrays */
    size_t llc_bytes;    /* the last-level cache the size was chosen against (0: unknown) */
    int threads;
    double gbps;         /* best 32 MiB slice: 3 × its bytes / its time, 1e9 bytes a second */
    double median_gbps;  /* median slice */
} stream_result;

/* The size of each array: four times the LLC (at least 64 MiB), at most an
 * eighth of the memory left (core/memuse.h) each; quick: 2 × the LLC. */
size_t stream_array_bytes(int quick, size_t *llc_bytes);

/* Runs the triad `runs` times on `threads` threads over arrays of `bytes`
 * each (first touch by the same threads).  0, or 1 when out of memory. */
int stream_triad(size_t bytes, int threads, int runs, stream_result *out);

#endif
