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
    size_t M, C, D, K;      /* P: C·K rows */
    float *X, *P;
    int32_t *y;
    uint16_t *P16;          /* precision bf16: P rounded (point/precision.h); else NULL */
} batch;

/* Returns 0, or 1 with err set. */
int batch_make(const batch_spec *spec, batch *b, char *err, size_t errlen);
void batch_free(batch *b);

#endif
