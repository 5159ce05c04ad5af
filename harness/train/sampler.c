/* sampler.c — seeded class-balanced batches (train.h for the rule).  The
 * generator is its own xoshiro256** stream, so the batches depend only on the
 * seed and the labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "train/train.h"

static uint64_t next(sampler *s)
{
    rng r;
    memcpy(r.s, s->rng, sizeof r.s);
    uint64_t v = rng_next(&r);
    memcpy(s->rng, r.s, sizeof r.s);
    return v;
}

/* Uniform in [0, n) without modulo bias (Lemire's multiply-shift rejection). */
static size_t below(sampler *s, size_t n)
{
    uint64_t x = next(s);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = -(uint64_t)n % n;
        while (lo < t) {
            x = next(s);
            m = (__uint128_t)x * n;
            lo = (uint64_t)m;
        }
    }
    return (size_t)(m >> 64);
}

static void shuffle(sampler *s, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = below(s, i);
        size_t t = a[i - 1]; a[i - 1] = a[j]; a[j] = t;
    }
}

int sampler_init(sampler *s, const int32_t *y, size_t n, int classes, size_t M, uint64_t seed,
                 char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (classes < 1 || M < 1) {
        snprintf(err, errlen, "sampler: needs at least one class and M >= 1");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= classes) {
            snprintf(err, errlen, "sampler: label %d of item %zu is outside [0, %d)", y[i], i, classes);
            return 1;
        }
    s->M = M;
    s->classes = classes;
    s->count = calloc((size_t)classes, sizeof(size_t));
    s->start = calloc((size_t)classes, sizeof(size_t));
    s->pos = calloc((size_t)classes, sizeof(size_t));
    s->pick = calloc((size_t)classes, sizeof(int));
    s->order = malloc(n * sizeof(size_t));
    if (!s->count || !s->start || !s->pos || !s->pick || !s->order) {
        sampler_free(s);
        snprintf(err, errlen, "sampler: out of memory");
        return 1;
    }
    for (size_t i = 0; i < n; i++) s->count[y[i]]++;
    for (int c = 0; c < classes; c++) {
        if (!s->count[c]) {
            snprintf(err, errlen, "sampler: class %d has no training item (labels must be dense)", c);
            sampler_free(s);
            return 1;
        }
        if (c) s->start[c] = s->start[c - 1] + s->count[c - 1];
    }
    memset(s->pos, 0, (size_t)classes * sizeof(size_t));
    size_t *fill = calloc((size_t)classes, sizeof(size_t));
    if (!fill) { sampler_free(s); snprintf(err, errlen, "sampler: out of memory"); return 1; }
    for (size_t i = 0; i < n; i++) s->order[s->start[y[i]] + fill[y[i]]++] = i;
    free(fill);
    rng r;
    rng_seed(&r, seed);
    memcpy(s->rng, r.s, sizeof r.s);
    for (int c = 0; c < classes; c++) shuffle(s, s->order + s->start[c], s->count[c]);
    return 0;
}

void sampler_free(sampler *s)
{
    free(s->count); free(s->start); free(s->pos); free(s->order); free(s->pick);
    memset(s, 0, sizeof *s);
}

/* The next item of class c, reshuffling its order when it is used up. */
static size_t draw(sampler *s, int c)
{
    if (s->pos[c] == s->count[c]) {
        shuffle(s, s->order + s->start[c], s->count[c]);
        s->pos[c] = 0;
    }
    return s->order[s->start[c] + s->pos[c]++];
}

void sampler_next(sampler *s, const int32_t *y, size_t *idx, int32_t *labels)
{
    size_t want = s->per_class ? s->M / s->per_class : s->M;
    if (want < 1) want = 1;
    size_t nc = want < (size_t)s->classes ? want : (size_t)s->classes;
    /* the batch's classes: a partial Fisher–Yates over all classes (also when
     * all are taken, so which classes get the M mod nc extra items varies) */
    for (int c = 0; c < s->classes; c++) s->pick[c] = c;
    for (size_t i = 0; i < nc; i++) {
        size_t j = i + below(s, (size_t)s->classes - i);
        int t = s->pick[i]; s->pick[i] = s->pick[j]; s->pick[j] = t;
    }
    size_t K = s->M / nc, extra = s->M % nc, out = 0;
    for (size_t i = 0; i < nc; i++)
        for (size_t k = 0; k < K + (i < extra); k++) {
            idx[out] = draw(s, s->pick[i]);
            labels[out] = y[idx[out]];
            out++;
        }
}
