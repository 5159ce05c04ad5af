/* multi_similarity.c — Multi-Similarity loss (Wang et al., CVPR 2019) with its
 * miner, forward and backward.
 *
 * S = X̂X̂ᵀ (symmetric, one SYRK).  For anchor i, mining keeps the positives
 * harder than the easiest negative (S_ij − ε < max_neg) and the negatives
 * harder than the hardest positive (S_ij + ε > min_pos); in the LSE kernel
 * that is just a bound on s for each side, so mining needs no mask matrix. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "loss_table.h"

/* max over negatives and min over positives (j != i) of row i; ±inf when empty. */
static void row_extremes(const float *s, const int32_t *y, size_t M, size_t i, float *max_neg,
                         float *min_pos)
{
    float mx = -INFINITY, mn = INFINITY;
    for (size_t j = 0; j < M; j++) {
        if (y[j] != y[i]) {
            if (s[j] > mx) mx = s[j];
        } else if (j != i) {
            if (s[j] < mn) mn = s[j];
        }
    }
    *max_neg = mx;
    *min_pos = mn;
}

dml_status dml_multi_similarity(dml_ctx *ctx, const dml_ms_params *p, const float *X,
                                const int32_t *y, float *loss, float *dX)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_MS, X, y, NULL, loss);
    if (s != DML_OK) return s;
    if ((s = dml_check_params(DML_LOSS_MS, p)) != DML_OK) return s;

    const size_t M = ctx->M, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);

    const float al = p->alpha, be = p->beta, la = p->base, eps = p->epsilon;
    const float coef = 1.0f / (float)M;
    float *li = ctx->rowv;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M; i++) {
        const float *row = ctx->S + i * M;
        dml_lse_side pos = { -al, al * la, -INFINITY, INFINITY, -coef, 1 };
        dml_lse_side neg = { be, -be * la, -INFINITY, INFINITY, coef, 1 };
        if (p->mine) {
            float max_neg, min_pos;
            row_extremes(row, y, M, i, &max_neg, &min_pos);
            pos.hi = max_neg + eps; /* S_ij − ε < max_neg */
            neg.lo = min_pos - eps; /* S_ij + ε > min_pos */
        }
        float out[2];
        ctx->k->lse(row, M, y, y[i], i, &pos, &neg, out, ctx->G + i * M);
        li[i] = out[0] / al + out[1] / be;
    }
    double sum = 0;
    for (size_t i = 0; i < M; i++)
        sum += li[i];
    *loss = (float)(sum / (double)M);
    double t1 = dml_forward_done(ctx, t0, (double)M * M * D /* one triangle of S */, dX != NULL);
    if (!dX)
        return dml_ok();

    dml_pair_backward(ctx, dX, t1);
    return dml_ok();
}

const dml_param_info dml_ms_param_info[] = {
    { "alpha", DML_PARAM_POSITIVE, offsetof(dml_params, u.ms.alpha), "A", NULL },
    { "beta", DML_PARAM_POSITIVE, offsetof(dml_params, u.ms.beta), "B", NULL },
    { "base", DML_PARAM_ANY, offsetof(dml_params, u.ms.base), "L", NULL },
    { "epsilon", DML_PARAM_NONNEG, offsetof(dml_params, u.ms.epsilon), "E", NULL },
    { "mine", DML_PARAM_FLAG, offsetof(dml_params, u.ms.mine), "0|1", NULL },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

/* Pair losses take no proxies: P and dP are ignored. */
dml_status dml_ms_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                       const float *P, float *loss, float *dX, float *dP)
{
    (void)P, (void)dP;
    return dml_multi_similarity(ctx, &p->u.ms, X, y, loss, dX);
}
