/* util.c — errors, strict number parsing, random numbers, timing, statistics. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmlbench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

const char *lib_error(dml_status st)
{
    const char *d = dml_last_error();
    return d && *d ? d : dml_strerror(st);
}

int parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s) return 1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 1;
    *out = v;
    return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-') return 1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 1;
    *out = v;
    return 0;
}

int parse_size(const char *s, size_t *out)
{
    uint64_t v;
    if (parse_u64(s, &v) || v > SIZE_MAX) return 1;
    *out = (size_t)v;
    return 0;
}

int parse_float(const char *s, float *out)
{
    if (!s || !*s) return 1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE && fabs(v) > 1) return 1;
    if (*end || !isfinite(v) || fabs(v) > 3.4e38) return 1;
    *out = (float)v;
    return 0;
}

/* xoshiro256** seeded through splitmix64: fast, and the same stream everywhere. */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng *r)
{
    double u = rng_uniform(r), v = rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

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
