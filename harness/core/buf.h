/* buf.h — growable text and arrays.  Both exit on out-of-memory with one
 * line: a harness that cannot grow a results table has nothing to report. */
#ifndef DML_CORE_BUF_H
#define DML_CORE_BUF_H

#include <stddef.h>

typedef struct sbuf { char *s; size_t n, cap; } sbuf;

/* Appends printf-formatted text (b->s stays NUL-terminated). */
void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes room for element n of *v (elements of `size` bytes, capacity *cap,
 * first growth to `first`), zeroes it and returns it. */
void *grow_slot(void *v_ptr, size_t *cap, size_t n, size_t size, size_t first);

#endif
