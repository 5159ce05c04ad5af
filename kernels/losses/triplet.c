/* triplet.c — triplet margin loss over all triplets (PML TripletMarginLoss
 * defaults: every valid triplet, mean over the active ones), forward and backward.
 *
 * The default algorithm enumerates every (a, p, n) and is the O(M³) reference
 * of the complexity study; it must stay that way.  DML_TRIPLET_SORTED
 * (triplet_sorted.c) computes the same counts in O(M² log M) from the same
 * distances; the passes before and after the counts are shared, so the two
 * differ in nothing else.  Distances come from S on unit vectors:
 * d = sqrt(max(0, 2 − 2S)).  Each active triplet adds 1/K to ∂L/∂d_ap and
 * subtracts it from ∂L/∂d_an; ∂d/∂S = −1/d (0 where d = 0). */
#include <math.h>
#include <string.h>

#include "triplet_internal.h"

static const char *const algorithm_names[DML_TRIPLET_ALGORITHM_COUNT] = { "enumerate", "sorted" };

const char *dml_triplet_algorithm_name(dml_triplet_algorithm a)
{
    return (a >= 0 && a < DML_TRIPLET_ALGORITHM_COUNT) ? algorithm_names[a] : "unknown";
}

dml_status dml_triplet_algorithm_parse(const char *name, dml_triplet_algorithm *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "triplet algorithm name is NULL");
    for (int i = 0; i < DML_TRIPLET_ALGORITHM_COUNT; i++)
        if (strcmp(name, algorithm_names[i]) == 0) {
            *out = (dml_triplet_algorithm)i;
            return dml_ok();
        }
    return dml_fail(DML_ERR_ARG, "unknown triplet algorithm '%s' (expected enumerate or sorted)",
                    name);
}

/* The O(M³) reference: every (a, p, n), counts accumulated into cnt. */
static dml_triplet_tally enumerate_counts(dml_ctx *ctx, const float *dist, float m, float *cnt)
{
    const size_t M = ctx->M;
    const int32_t *y = ctx->y;
    double total = 0, active = 0, sum = 0;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1) if (ctx->threads > 1) reduction(+ : total, active, sum)
    for (size_t a = 0; a < M; a++) {
        const float *da = dist + a * M;
        float *ca = cnt + a * M; /* row a is written by this anchor only */
        memset(ca, 0, M * sizeof *ca);
        for (size_t pp = 0; pp < M; pp++) {
            if (pp == a || y[pp] != y[a])
                continue;
            for (size_t n = 0; n < M; n++) {
                if (y[n] == y[a])
                    continue;
                total += 1;
                if (dml_triplet_active(da[pp], da[n], m)) {
                    active += 1;
                    sum += dml_triplet_hinge(da[pp], da[n], m);
                    ca[pp] += 1.0f;
                    ca[n] -= 1.0f;
                }
            }
        }
    }
    dml_triplet_tally t = { total, active, sum };
    return t;
}

static dml_status check_params(const dml_ctx *ctx, const dml_triplet_params *p)
{
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    dml_status s = dml_check_margin("margin", p->margin);
    if (s != DML_OK) return s;
    if (p->algorithm != DML_TRIPLET_ENUMERATE && p->algorithm != DML_TRIPLET_SORTED)
        return dml_fail(DML_ERR_ARG, "triplet algorithm %d: expected %d (enumerate) or %d (sorted)",
                        p->algorithm, DML_TRIPLET_ENUMERATE, DML_TRIPLET_SORTED);
    if (p->algorithm == DML_TRIPLET_SORTED && !dml_triplet_sorted_fits(ctx->M))
        return dml_fail(DML_ERR_SHAPE, "triplet algorithm sorted: M = %zu exceeds what its "
                        "per-thread scratch (the context's work buffer) holds", ctx->M);
    return DML_OK;
}

dml_status dml_triplet(dml_ctx *ctx, const dml_triplet_params *p, const float *X,
                       const int32_t *y, float *loss, float *dX)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_TRIPLET, X, y, NULL, loss);
    if (s != DML_OK) return s;
    if ((s = check_params(ctx, p)) != DML_OK) return s;

    const size_t M = ctx->M, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);

    float *dist = ctx->H, *cnt = ctx->G; /* G holds ∂L/∂d counts until the end */
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++) {
        float v = 2.0f - 2.0f * ctx->S[i];
        dist[i] = sqrtf(v > 0.0f ? v : 0.0f); /* ≥ +0: the sorted algorithm orders the bits */
    }

    dml_triplet_tally t = p->algorithm == DML_TRIPLET_SORTED
                              ? dml_triplet_sorted_counts(ctx, dist, p->margin, cnt)
                              : enumerate_counts(ctx, dist, p->margin, cnt);
    const double active = t.active;
    *loss = active > 0 ? (float)(t.sum / active) : 0.0f;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++) {
        float g = 0.0f;
        if (cnt[i] != 0.0f && dist[i] > 0.0f)
            g = -(float)(cnt[i] / active) / dist[i]; /* ∂L/∂d · ∂d/∂S */
        ctx->G[i] = g;
    }
    double t1 = dml_forward_done(ctx, t0, (double)M * M * D, dX != NULL);
    ctx->active = active;
    ctx->candidates = t.total;
    if (!dX)
        return dml_ok();

    dml_pair_backward(ctx, dX, t1);
    return dml_ok();
}
