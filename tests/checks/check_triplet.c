/* check_triplet.c — the sorted triplet algorithm against the enumeration on
 * the same ISA and thread count (kernels/losses/triplet_sorted.c).
 *
 * Shared by the Criterion suite (test_triplet_sorted.c) and the standalone
 * driver that runs NEON under qemu, so: no Criterion, no harness code.
 *
 * What "the same" means, and why it can be this strict: K and every count
 * are integers, and ∂L/∂S = −(count/K)/d is computed by one shared pass, so
 * equal counts give bit-identical G, hence bit-identical dX (the backward is
 * deterministic for a fixed ISA and thread count) and identical gradient
 * statistics, active_frac included (K/T with the same T differs for every
 * K).  Only the loss value is summed differently:
 *     |ΔL| ≤ 1e-6 |L| + 1e-7.
 * Cases: the odd sizes, labels with one class, every sample its own class,
 * 2, 3 and 8 classes; duplicated embeddings (d = 0 and tied distances, which
 * the radix sort and the walk must treat exactly as the enumeration does);
 * D = 1 (every distance is 0 or 2); margins 0, 0.05, 0.1, 1; threads 1, 2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

typedef struct tcase {
    size_t M, D, classes;
    int dup;      /* every third row a copy of an earlier one */
    float margin;
    int threads;
    unsigned long long seed;
} tcase;

typedef struct outcome {
    float L;
    float *dX;
    dml_gradstats gs;
} outcome;

static unsigned long long mix(unsigned long long *s)
{
    unsigned long long z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_batch(const tcase *c, float *X, int32_t *y)
{
    unsigned long long s = c->seed;
    for (size_t i = 0; i < c->M * c->D; i++)
        X[i] = (float)((double)(mix(&s) >> 11) * 0x1p-53 * 2.0 - 1.0);
    for (size_t i = 0; i < c->M; i++) {
        y[i] = (int32_t)(i % c->classes);
        if (c->dup && i % 3 == 2) /* a copy of a row of any class: ties across the sides */
            memcpy(X + i * c->D, X + (mix(&s) % i) * c->D, c->D * sizeof *X);
    }
}

static int run(const dml_kernels *k, const tcase *c, int algorithm, const float *X,
               const int32_t *y, outcome *o, char *why, size_t whylen)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_TRIPLET, c->M, c->classes, c->D, k->isa, c->threads, &st);
    if (!ctx) {
        snprintf(why, whylen, "context: %s", dml_last_error());
        return 1;
    }
    dml_triplet_params p = { c->margin, algorithm };
    st = dml_triplet(ctx, &p, X, y, &o->L, o->dX);
    if (st == DML_OK)
        st = dml_ctx_gradstats(ctx, o->dX, NULL, &o->gs);
    if (st != DML_OK)
        snprintf(why, whylen, "%s: %s", dml_triplet_algorithm_name(algorithm), dml_last_error());
    dml_ctx_destroy(ctx);
    return st != DML_OK;
}

static int same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static int same_stats(const dml_gradstats *a, const dml_gradstats *b)
{
    return same_double(a->grad_x_mean, b->grad_x_mean) && same_double(a->grad_x_max, b->grad_x_max) &&
           same_double(a->pos_top1_share, b->pos_top1_share) && same_double(a->pos_eff_n, b->pos_eff_n) &&
           same_double(a->neg_top1_share, b->neg_top1_share) && same_double(a->neg_eff_n, b->neg_eff_n) &&
           same_double(a->active_frac, b->active_frac) && a->pos_anchors == b->pos_anchors &&
           a->neg_anchors == b->neg_anchors;
}

/* 0 when sorted equals enumerate on case c (as the header says). */
static int compare_case(const dml_kernels *k, const tcase *c, char *why, size_t whylen)
{
    size_t n = c->M * c->D;
    float *X = malloc(n * sizeof *X), *dE = malloc(n * sizeof *X), *dS = malloc(n * sizeof *X);
    int32_t *y = malloc(c->M * sizeof *y);
    int bad = !X || !dE || !dS || !y;
    if (bad)
        snprintf(why, whylen, "out of memory");
    outcome e = { .dX = dE }, s = { .dX = dS };
    if (!bad) {
        make_batch(c, X, y);
        bad = run(k, c, DML_TRIPLET_ENUMERATE, X, y, &e, why, whylen) ||
              run(k, c, DML_TRIPLET_SORTED, X, y, &s, why, whylen);
    }
    char where[160];
    snprintf(where, sizeof where, "M=%zu D=%zu classes=%zu dup=%d m=%g threads=%d", c->M, c->D,
             c->classes, c->dup, (double)c->margin, c->threads);
    size_t first = n;
    for (size_t i = 0; !bad && i < n && first == n; i++)
        if (memcmp(&dE[i], &dS[i], sizeof *dE) != 0)
            first = i;
    if (bad) {
        /* why[] already says it */
    } else if (!(fabsf(e.L - s.L) <= 1e-6f * fabsf(e.L) + 1e-7f)) {
        snprintf(why, whylen, "%s: loss %.9g (sorted) vs %.9g (enumerate)", where, (double)s.L,
                 (double)e.L);
        bad = 1;
    } else if (!same_double(e.gs.active_frac, s.gs.active_frac)) {
        snprintf(why, whylen, "%s: active_frac %.17g (sorted) vs %.17g: K differs", where,
                 s.gs.active_frac, e.gs.active_frac);
        bad = 1;
    } else if (first < n) {
        snprintf(why, whylen, "%s: dX[%zu] %.9g (sorted) vs %.9g (enumerate)", where, first,
                 (double)dS[first], (double)dE[first]);
        bad = 1;
    } else if (!same_stats(&e.gs, &s.gs)) {
        snprintf(why, whylen, "%s: gradient statistics differ", where);
        bad = 1;
    }
    free(X); free(dE); free(dS); free(y);
    return bad;
}

static int odd_sizes(const dml_kernels *k, char *why, size_t whylen)
{
    static const size_t Ms[] = { 1, 2, 3, 7, 15, 16, 17, 31, 63, 65, 97 };
    static const size_t Ds[] = { 1, 5, 33 };
    static const float margins[] = { 0.0f, 0.05f, 0.1f, 1.0f };
    unsigned long long seed = 1;
    for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++) {
        size_t M = Ms[a];
        size_t classes[] = { 1, M, 2, 3, 8 }; /* one class; every sample its own */
        for (size_t b = 0; b < sizeof Ds / sizeof *Ds; b++)
            for (size_t l = 0; l < sizeof classes / sizeof *classes; l++)
                for (int dup = 0; dup <= 1; dup++)
                    for (size_t g = 0; g < sizeof margins / sizeof *margins; g++)
                        for (int threads = 1; threads <= 2; threads++) {
                            tcase c = { M, Ds[b], classes[l], dup, margins[g], threads, seed++ };
                            if (compare_case(k, &c, why, whylen))
                                return 1;
                        }
    }
    return 0;
}

/* Sides longer than the insertion-sort cut-off, so every radix pass runs:
 * 2 classes of 100 (positives sorted by radix too), and the batch study's
 * 8 classes; duplicates make keys span from +0 to 2, the widest range. */
static int radix_sizes(const dml_kernels *k, char *why, size_t whylen)
{
    static const tcase cases[] = {
        { 200, 7, 2, 0, 0.1f, 1, 101 }, { 200, 7, 2, 1, 0.1f, 2, 102 },
        { 200, 1, 2, 0, 0.05f, 1, 103 }, { 640, 64, 8, 1, 0.1f, 2, 104 },
        { 640, 64, 8, 0, 1.0f, 1, 105 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (compare_case(k, &cases[i], why, whylen))
            return 1;
    return 0;
}

/* The comparison must be able to fail: a sorted run at a margin one float
 * step away must be told apart from the enumeration somewhere on a grid
 * whose hinges sit exactly on a margin boundary (D = 1: d ∈ {0, 2}, so with
 * m = 0, d_ap = d_an = 0 or 2 gives v = 0 exactly, inactive). */
static int detects_a_difference(const dml_kernels *k, char *why, size_t whylen)
{
    tcase c = { 17, 1, 3, 0, 0.0f, 1, 7 };
    size_t n = c.M * c.D;
    float X[17], dE[17], dS[17];
    int32_t y[17];
    make_batch(&c, X, y);
    outcome e = { .dX = dE }, s = { .dX = dS };
    if (run(k, &c, DML_TRIPLET_ENUMERATE, X, y, &e, why, whylen))
        return 1;
    c.margin = nextafterf(0.0f, 1.0f);
    if (run(k, &c, DML_TRIPLET_SORTED, X, y, &s, why, whylen))
        return 1;
    if (same_double(e.gs.active_frac, s.gs.active_frac) && memcmp(dE, dS, n * sizeof *dE) == 0) {
        snprintf(why, whylen, "margins 0 and 1e-45 gave the same K and gradients: the check is blind");
        return 1;
    }
    return 0;
}

const dml_check dml_triplet_checks[] = {
    { "sorted_equals_enumerate_odd_sizes", odd_sizes },
    { "sorted_equals_enumerate_radix_sizes", radix_sizes },
    { "comparison_detects_a_difference", detects_a_difference },
    { NULL, NULL },
};
