/* parse.h — strict number parsing for the CLI and the file readers: the
 * whole string must be a number in range.  Each returns 0 on success and
 * leaves *out alone otherwise. */
#ifndef DML_CORE_PARSE_H
#define DML_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

int parse_size(const char *s, size_t *out);
int parse_int(const char *s, long lo, long hi, long *out);
int parse_float(const char *s, float *out);   /* finite, within float range */
int parse_double(const char *s, double *out); /* finite */
int parse_u64(const char *s, uint64_t *out);

#endif
