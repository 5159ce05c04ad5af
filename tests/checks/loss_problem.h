/* loss_problem.h — a random loss problem and one step on it, shared by the
 * Criterion suites of the losses (test_losses.c, test_loss_errors.c). */
#ifndef DML_TESTS_LOSS_PROBLEM_H
#define DML_TESTS_LOSS_PROBLEM_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/rng.h"
#include "dml.h"

typedef struct problem {
    dml_params params;
    size_t M, C, D;     /* P has C rows, or C·K for SoftTriple (its default K unless reset) */
    float *X, *P;
    int32_t *y;
} problem;

/* Rows of P for the problem's parameters (C, or C·K), at least C. */
static inline size_t proxy_rows(const problem *p)
{
    size_t R = dml_proxy_rows(&p->params, p->C);
    return R > p->C ? R : p->C;
}

/* Random raw embeddings (not unit: normalisation is part of what is tested),
 * labels cycling over `classes` of the C classes; P as many rows as params
 * take. */
static inline problem make_problem_for(dml_params params, size_t M, size_t C, size_t D,
                                       size_t classes, uint64_t seed)
{
    problem p = { params, M, C, D, NULL, NULL, NULL };
    size_t R = proxy_rows(&p);
    p.X = malloc(M * D * sizeof(float));
    p.P = malloc(R * D * sizeof(float));
    p.y = malloc(M * sizeof(int32_t));
    cr_assert(p.X && p.P && p.y);
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < M * D; i++) p.X[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < R * D; i++) p.P[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < M; i++) p.y[i] = (int32_t)(i % classes);
    return p;
}

static inline problem make_problem(dml_loss loss, size_t M, size_t C, size_t D, size_t classes,
                                   uint64_t seed)
{
    return make_problem_for(dml_params_default(loss), M, C, D, classes, seed);
}

static inline void free_problem(problem *p)
{
    free(p->X); free(p->P); free(p->y);
}

/* One step; dX/dP may be NULL for the forward pass alone. */
static inline dml_status step(const problem *p, dml_isa isa, int threads, float *L, float *dX, float *dP)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create_for(&p->params, p->M, p->C, p->D, isa, threads, &st);
    if (!ctx) return st;
    st = dml_loss_step(ctx, &p->params, p->X, p->y, p->P, L, dX, dP);
    dml_ctx_destroy(ctx);
    return st;
}

static inline int has_proxies(const problem *p)
{
    return dml_loss_kind_of(p->params.loss) == DML_KIND_PROXY;
}

/* Floats of P (and dP) for a proxy loss, 0 for a pair loss. */
static inline size_t proxy_floats(const problem *p) { return has_proxies(p) ? proxy_rows(p) * p->D : 0; }

#endif
