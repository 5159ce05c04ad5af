/* csv.h — the one reader of CSV fields in the harness (the results CSVs that
 * --resume, fit and merge read).  Fields are separated by commas and never
 * quoted: the writer puts no comma, quote or newline inside a field (the
 * host name is stripped of them, keys and names have none).  A line ends at
 * its '\n' or at the NUL after it; nothing here writes past what it is
 * given, and a field too long for its buffer is an error, never cut. */
#ifndef DML_CORE_CSV_H
#define DML_CORE_CSV_H

#include <stddef.h>

/* The fields of the line at s (up to its '\n' or NUL). */
size_t csv_count(const char *s);

/* Splits a line (already without its line end) at its commas, in place:
 * f[0..n) the fields.  Returns n, or -1 when the line has more than max. */
int csv_split(char *line, char **f, int max);

/* Field i (0-based) of the line at s into out: 0, 1 when the line has no
 * field i, 2 when the field does not fit in len (out is then ""). */
int csv_get(const char *s, int i, char *out, size_t len);

/* The index of column name in a header line, or -1. */
int csv_find(const char *header, const char *name);

#endif
