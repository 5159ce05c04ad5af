/* parse.c — strict number parsing (see parse.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "core/parse.h"

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

int parse_double(const char *s, double *out)
{
    if (!s || !*s) return 1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v)) return 1;
    *out = v;
    return 0;
}
