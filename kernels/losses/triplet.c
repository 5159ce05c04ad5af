/* triplet.c — triplet margin loss over all triplets (PML TripletMarginLoss
 * defaults: every valid triplet, mean over the active ones), forward and backward.
 *
 * This enumerates every (a, p, n) and is the O(M³) reference of the complexity
 * study; it must stay that way.  Distances come from S on unit vectors:
 * d = sqrt(max(0, 2 − 2S)).  Each active triplet adds 1/K to ∂L/∂d_ap and
 * subtracts it from ∂L/∂d_an; ∂d/∂S = −1/d (0 where d = 0). */
#include <math.h>
#include <string.h>

#include "dml_internal.h"

dml_status dml_triplet(dml_ctx *ctx, const dml_triplet_params *p, const float *X,
                       const int32_t *y, float *loss, float *dX)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_TRIPLET, X, y, NULL, loss);
    if (s != DML_OK) return s;
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if ((s = dml_check_margin("margin", p->margin)) != DML_OK) return s;

    const size_t M = ctx->M, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);

    float *dist = ctx->H, *cnt = ctx->G; /* G holds ∂L/∂d counts until the end */
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++) {
        float v = 2.0f - 2.0f * ctx->S[i];
        dist[i] = sqrtf(v > 0.0f ? v : 0.0f);
        cnt[i] = 0.0f;
    }

    const float m = p->margin;
    double total = 0, active = 0, sum = 0;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1) if (ctx->threads > 1) reduction(+ : total, active, sum)
    for (size_t a = 0; a < M; a++) {
        const float *da = dist + a * M;
        float *ca = cnt + a * M; /* row a is written by this anchor only */
        for (size_t pp = 0; pp < M; pp++) {
            if (pp == a || y[pp] != y[a])
                continue;
            for (size_t n = 0; n < M; n++) {
                if (y[n] == y[a])
                    continue;
                total += 1;
                float v = da[pp] - da[n] + m;
                if (v > 0.0f) {
                    active += 1;
                    sum += v;
                    ca[pp] += 1.0f;
                    ca[n] -= 1.0f;
                }
            }
        }
    }
    *loss = active > 0 ? (float)(sum / active) : 0.0f;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++) {
        float g = 0.0f;
        if (cnt[i] != 0.0f && dist[i] > 0.0f)
            g = -(float)(cnt[i] / active) / dist[i]; /* ∂L/∂d · ∂d/∂S */
        ctx->G[i] = g;
    }
    double t1 = dml_forward_done(ctx, t0, (double)M * M * D, dX != NULL);
    ctx->active = active;
    ctx->candidates = total;
    if (!dX)
        return dml_ok();

    dml_pair_backward(ctx, dX, t1);
    return dml_ok();
}
