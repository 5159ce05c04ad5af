/* stats.c — min, median, p90, mean; the median's confidence interval. */
#include <math.h>
#include <stdlib.h>

#include "core/stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

sample_stats stats_of(double *v, size_t n)
{
    sample_stats s = { NAN, NAN, NAN, NAN };
    if (n == 0) return s;
    qsort(v, n, sizeof *v, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += v[i];
    s.min = v[0];
    s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    s.p90 = v[(size_t)ceil(0.9 * (double)n) - 1];
    s.mean = sum / (double)n;
    return s;
}

void median_ci_index(size_t n, double alpha, size_t *lo, size_t *hi)
{
    /* Order statistics (j, n-1-j) cover the median with probability
     * 1 - 2 P(Bin(n, 1/2) <= j); take the largest j that keeps it >= 1 - alpha. */
    *lo = 0;
    *hi = n ? n - 1 : 0;
    if (n < 2) return;
    double cdf = 0, pmf = pow(0.5, (double)n); /* P(Bin = 0) */
    for (size_t j = 0; j < n / 2; j++) {
        cdf += pmf;                       /* P(Bin <= j) */
        if (2 * cdf > alpha) break;
        *lo = j;
        *hi = n - 1 - j;
        pmf = pmf * (double)(n - j) / (double)(j + 1);
    }
}
