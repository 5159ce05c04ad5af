/* stats.h — order statistics of timing samples. */
#ifndef DML_CORE_STATS_H
#define DML_CORE_STATS_H

#include <stddef.h>

typedef struct sample_stats { double min, median, p90, mean; } sample_stats;

/* Sorts v[0..n) and returns its statistics (all NaN when n = 0). */
sample_stats stats_of(double *v, size_t n);

/* Distribution-free confidence interval of the median of sorted v[0..n):
 * indices lo, hi (0-based) with P(v[lo] <= median <= v[hi]) >= 1 - alpha. */
void median_ci_index(size_t n, double alpha, size_t *lo, size_t *hi);

#endif
