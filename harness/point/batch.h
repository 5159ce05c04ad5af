/* batch.h — the seeded class-balanced batch every point is measured on:
 * `per_class` samples from each of ceil(M / per_class) classes drawn without
 * replacement from C (the last class may have fewer); class centres uniform
 * on the unit sphere; a sample is its centre plus Gaussian noise of expected
 * norm `noise`; a proxy is its class centre plus noise of expected norm
 * `proxy_noise` (K proxies a class, each so: P has C·K rows, class-major,
 * for SoftTriple's centres).  `noise` is the difficulty: 0 puts every
 * sample on its centre, 1 makes noise as large as the centre. */
#ifndef DML_POINT_BATCH_H
#define DML_POINT_BATCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct batch_spec {
    size_t M, C, D, per_class;
    size_t K;               /* proxies a class; 0 is taken as 1 */
    float noise, proxy_noise;
    uint64_t seed;
} batch_spec;

typedef struct batch {
    batch_spec spec;        /* what it was drawn from (K as drawn: at least 1) */
    size_t M, C, D, K;      /* P: C·K rows */
    float *X, *P;
    int32_t *y;
    uint16_t *P16;          /* precision bf16: P rounded (point/precision.h); else NULL */
} batch;

/* Returns 0, or 1 with err set.  A batch put back with batch_keep is
 * handed out again, not drawn again, when the spec is the same. */
int batch_make(const batch_spec *spec, batch *b, char *err, size_t errlen);
void batch_free(batch *b);

/* One batch kept between its users, bits unchanged (its users only read
 * it): a sweep point's steps and its products timed alone use the same
 * batch, a study's points often share one, and at C = 10^6 the
 * proxies take as long to draw as several steps take to run.  One slot,
 * for one thread of callers: batch_keep frees what it held before and b's
 * bf16 copy, and leaves b empty. */
void batch_keep(batch *b);
/* Frees the kept batch unless it is spec's (NULL: frees it); returns the bytes it still
 * holds for spec (0: none), which a memory check counts as already had. */
double batch_kept_for(const batch_spec *spec);

#endif
