/* parse.c — strict number parsing (see parse.h): the whole string is the
 * number, no blank before or after it, no sign on an unsigned one, decimal
 * only, in range.  (CRLF line ends are the line reader's business.) */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

/* A number starts with a digit, or a sign (if allowed) and a digit. */
static int bad_start(const char *s, int sign_ok)
{
    if (!s || !*s) return 1;
    if (sign_ok && *s == '-') s++; /* no "+5": a number is written without it */
    return !isdigit((unsigned char)*s) && !(sign_ok > 1 && *s == '.');
}

int parse_int(const char *s, long lo, long hi, long *out)
{
    if (bad_start(s, 1)) return 1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 1;
    *out = v;
    return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
    if (bad_start(s, 0)) return 1;
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

/* strtod over the whole of s, decimal only ("1", "-0.5", ".5", "1e-3"; not
 * " 1", "0x10", "inf", "nan"): 1 when s is not such a number; *range says
 * whether strtod reported ERANGE. */
static int strtod_all(const char *s, double *v, int *range)
{
    if (bad_start(s, 2) || strpbrk(s, "xX")) return 1;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    *range = errno == ERANGE;
    return *end != 0;
}

int parse_float(const char *s, float *out)
{
    double v;
    int range;
    /* an underflow to 0 or a denormal is fine; an overflow is not */
    if (strtod_all(s, &v, &range) || (range && fabs(v) > 1) || !isfinite(v) || fabs(v) > 3.4e38) return 1;
    *out = (float)v;
    return 0;
}

int parse_double(const char *s, double *out)
{
    double v;
    int range;
    if (strtod_all(s, &v, &range) || range || !isfinite(v)) return 1;
    *out = v;
    return 0;
}
