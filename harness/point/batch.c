/* batch.c — seeded class-balanced batches with class structure (see batch.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "point/batch.h"

/* v <- centre + noise·g/sqrt(D), g standard normal (drawn into v first):
 * E|noise part| ~ noise. */
static void noisy_copy(rng *r, const float *centre, size_t D, float noise, float *v)
{
    float s = noise / sqrtf((float)D);
    rng_normals(r, v, D);
    for (size_t k = 0; k < D; k++)
        v[k] = centre[k] + s * v[k];
}

/* Class c's unit centre, the first D normals of its own stream (r is left
 * after them, where its proxies are drawn). */
static void class_centre(uint64_t seed, size_t c, size_t D, rng *r, float *ce)
{
    rng_seed_stream(r, seed, c);
    rng_normals(r, ce, D);
    double ss = 0;
    for (size_t k = 0; k < D; k++)
        ss += (double)ce[k] * ce[k];
    float inv = (float)(1.0 / sqrt(ss > 0 ? ss : 1));
    for (size_t k = 0; k < D; k++)
        ce[k] *= inv;
}

/* Every class's K proxies around its centre.  Each class has its own stream,
 * so the classes are drawn in parallel and the bits do not depend on the
 * number of threads; at C = 10^6, D = 512 this is 10^9 normals, which took
 * a minute on one stream. */
static int make_proxies(const batch_spec *sp, size_t K, float *P)
{
    int bad = 0;
#pragma omp parallel reduction(| : bad)
    {
        float *ce = malloc(sp->D * sizeof(float));
        bad = !ce;
#pragma omp for schedule(static)
        for (size_t c = 0; c < sp->C; c++) {
            if (!ce) continue;
            rng r;
            class_centre(sp->seed, c, sp->D, &r, ce);
            for (size_t k = 0; k < K; k++) /* one draw a proxy: K = 1 draws what it always did */
                noisy_copy(&r, ce, sp->D, sp->proxy_noise, P + (c * K + k) * sp->D);
        }
        free(ce);
    }
    return bad;
}

static batch kept; /* batch_keep's slot: M = 0 when empty */

static int same_spec(const batch_spec *a, const batch_spec *b)
{
    return a->M == b->M && a->C == b->C && a->D == b->D && a->per_class == b->per_class &&
           (a->K ? a->K : 1) == (b->K ? b->K : 1) && a->noise == b->noise &&
           a->proxy_noise == b->proxy_noise && a->seed == b->seed;
}

static double batch_bytes(const batch *b)
{
    return (double)(b->M * b->D + b->C * b->K * b->D + b->M) * 4;
}

double batch_kept_for(const batch_spec *sp)
{
    if (!kept.M) return 0;
    if (sp && same_spec(&kept.spec, sp)) return batch_bytes(&kept);
    batch_free(&kept);
    return 0;
}

void batch_keep(batch *b)
{
    batch_free(&kept);
    free(b->P16);
    b->P16 = NULL;
    kept = *b;
    memset(b, 0, sizeof *b);
}

int batch_make(const batch_spec *sp, batch *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    if (batch_kept_for(sp) > 0) { /* the same spec: the same bits, handed over */
        *b = kept;
        memset(&kept, 0, sizeof kept);
        return 0;
    }
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
    b->spec = *sp;
    b->spec.K = K;
    b->M = sp->M; b->C = sp->C; b->D = sp->D; b->K = K;
    b->X = malloc(sp->M * sp->D * sizeof(float));
    b->P = malloc(sp->C * K * sp->D * sizeof(float));
    b->y = malloc(sp->M * sizeof(int32_t));
    float *ce = malloc(sp->D * sizeof(float));
    int32_t *perm = malloc(sp->C * sizeof(int32_t));
    if (!b->X || !b->P || !b->y || !ce || !perm || make_proxies(sp, K, b->P)) {
        free(ce); free(perm); batch_free(b);
        snprintf(err, errlen, "batch: out of memory");
        return 1;
    }
    /* The batch's classes: the first `classes` of a seeded permutation; its
     * samples around their class's centre, drawn again from its stream. */
    rng r, rc;
    rng_seed(&r, sp->seed);
    for (size_t c = 0; c < sp->C; c++)
        perm[c] = (int32_t)c;
    for (size_t c = 0; c < classes; c++) {
        size_t j = c + (size_t)(rng_uniform(&r) * (double)(sp->C - c));
        int32_t t = perm[c]; perm[c] = perm[j]; perm[j] = t;
    }
    for (size_t i = 0; i < sp->M; i++) {
        int32_t cls = perm[i / sp->per_class];
        b->y[i] = cls;
        if (i % sp->per_class == 0)
            class_centre(sp->seed, (size_t)cls, sp->D, &rc, ce);
        noisy_copy(&r, ce, sp->D, sp->noise, b->X + i * sp->D);
    }
    free(ce);
    free(perm);
    return 0;
}

void batch_free(batch *b)
{
    free(b->X); free(b->P); free(b->y); free(b->P16);
    memset(b, 0, sizeof *b);
}
