/* batch.c — seeded class-balanced batches with class structure (see batch.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "point/batch.h"

/* v ← centre + noise·g/√D with g standard normal: E‖noise part‖ ≈ noise. */
static void noisy_copy(rng *r, const float *centre, size_t D, float noise, float *v)
{
    float s = noise / sqrtf((float)D);
    for (size_t k = 0; k < D; k++)
        v[k] = centre[k] + s * (float)rng_normal(r);
}

int batch_make(const batch_spec *sp, batch *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    if (sp->M == 0 || sp->C == 0 || sp->D == 0 || sp->per_class == 0) {
        snprintf(err, errlen, "batch: M, C, D and per-class must be positive");
        return 1;
    }
    size_t classes = (sp->M + sp->per_class - 1) / sp->per_class;
    if (classes > sp->C) {
        snprintf(err, errlen, "batch: M = %zu with %zu per class needs %zu classes, but C = %zu",
                 sp->M, sp->per_class, classes, sp->C);
        return 1;
    }
    size_t K = sp->K ? sp->K : 1;
    if (sp->M > SIZE_MAX / sp->D / sizeof(float) || sp->C > SIZE_MAX / sp->D / sizeof(float) / K) {
        snprintf(err, errlen, "batch: sizes overflow");
        return 1;
    }
    b->M = sp->M; b->C = sp->C; b->D = sp->D; b->K = K;
    b->X = malloc(sp->M * sp->D * sizeof(float));
    b->P = malloc(sp->C * K * sp->D * sizeof(float));
    b->y = malloc(sp->M * sizeof(int32_t));
    float *centres = malloc(sp->C * sp->D * sizeof(float));
    int32_t *perm = malloc(sp->C * sizeof(int32_t));
    if (!b->X || !b->P || !b->y || !centres || !perm) {
        free(centres); free(perm); batch_free(b);
        snprintf(err, errlen, "batch: out of memory");
        return 1;
    }
    rng r;
    rng_seed(&r, sp->seed);
    for (size_t c = 0; c < sp->C; c++) {
        float *ce = centres + c * sp->D;
        double ss = 0;
        for (size_t k = 0; k < sp->D; k++) {
            ce[k] = (float)rng_normal(&r);
            ss += (double)ce[k] * ce[k];
        }
        float inv = (float)(1.0 / sqrt(ss > 0 ? ss : 1));
        for (size_t k = 0; k < sp->D; k++)
            ce[k] *= inv;
        for (size_t k = 0; k < K; k++) /* one draw a proxy: K = 1 draws what it always did */
            noisy_copy(&r, ce, sp->D, sp->proxy_noise, b->P + (c * K + k) * sp->D);
    }
    /* The batch's classes: the first `classes` of a seeded permutation. */
    for (size_t c = 0; c < sp->C; c++)
        perm[c] = (int32_t)c;
    for (size_t c = 0; c < classes; c++) {
        size_t j = c + (size_t)(rng_uniform(&r) * (double)(sp->C - c));
        int32_t t = perm[c]; perm[c] = perm[j]; perm[j] = t;
    }
    for (size_t i = 0; i < sp->M; i++) {
        int32_t cls = perm[i / sp->per_class];
        b->y[i] = cls;
        noisy_copy(&r, centres + (size_t)cls * sp->D, sp->D, sp->noise, b->X + i * sp->D);
    }
    free(centres);
    free(perm);
    return 0;
}

void batch_free(batch *b)
{
    free(b->X); free(b->P); free(b->y); free(b->P16);
    memset(b, 0, sizeof *b);
}
