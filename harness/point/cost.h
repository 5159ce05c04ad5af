/* cost.h — what one point implies before it runs: the memory of its batch,
 * context and gradients, and a lower bound on the time of one step (its
 * products at twice the fastest rate measured on an AVX-512 core here, its
 * triplets at six times the enumeration's).  A study is refused when a point
 * cannot fit in the memory this process may use, or when its pilot step
 * cannot fit in max_seconds (sweep/limits.c); `run` refuses the memory. */
#ifndef DML_POINT_COST_H
#define DML_POINT_COST_H

#include "point/point.h"

/* Bytes a loss point allocates (batch, gradients, timings, and the context
 * as the library counts it: dml_ctx_resident_bytes); the one estimate of a
 * point's memory, for the study's load-time check, `run` and point_fits. */
double point_bytes(const point_spec *sp);
/* Seconds one step (and the batch it needs) takes at the least. */
double point_step_seconds(const point_spec *sp);
/* The bytes this process may allocate: the machine's memory, bounded by
 * ulimit -v and -d. */
double memory_available(void);
/* "3.2 GB" into buf. */
const char *bytes_text(double bytes, char *buf, size_t len);

#endif
