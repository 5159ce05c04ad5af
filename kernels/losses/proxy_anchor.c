/* proxy_anchor.c — Proxy-Anchor loss (Kim et al., CVPR 2020), forward and backward.
 *
 * Each proxy is an anchor over the whole batch, so the reductions run over
 * samples.  We compute Sᵀ = P̂X̂ᵀ (C×M) to make each proxy's column of S a
 * contiguous row, and one masked LSE⁺ call per proxy yields both of its terms
 * and its row of Gᵀ = (∂L/∂S)ᵀ from the same exponentials.  Masks come from
 * the labels (y_i == c); no one-hot matrix exists. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "loss_table.h"

dml_status dml_proxy_anchor(dml_ctx *ctx, const dml_proxy_anchor_params *p, const float *X,
                            const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    if (p && (p->proxy_sample != 1.0f || (ctx && ctx->sample_r != 1.0f))) /* proxy_sample.c */
        return dml_sampled_step(ctx, &(dml_params){ .loss = DML_LOSS_PROXY_ANCHOR, .u.pa = *p }, X, y, P,
                                loss, dX, dP);
    dml_status s = dml_check_step(ctx, DML_LOSS_PROXY_ANCHOR, X, y, P, loss);
    if (s != DML_OK) return s;
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if ((s = dml_check_positive("alpha", p->alpha)) != DML_OK) return s;
    if ((s = dml_check_margin("delta", p->delta)) != DML_OK) return s;
    if ((s = dml_check_precision(ctx, p->precision)) != DML_OK) return s;
    if ((dX == NULL) != (dP == NULL))
        return dml_fail(DML_ERR_NULL, "pass both dX and dP, or neither for the forward pass alone");

    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    memset(ctx->seen, 0, C);
    size_t n_pos = 0; /* |P⁺|: proxies with a positive in the batch */
    for (size_t i = 0; i < M; i++) {
        n_pos += !ctx->seen[y[i]];
        ctx->seen[y[i]] = 1;
    }

    const float a = p->alpha, ad = p->alpha * p->delta;
    const dml_lse_side pos = { -a, ad, -INFINITY, INFINITY, -a / (float)n_pos, 1 };
    const dml_lse_side neg = { a, ad, -INFINITY, INFINITY, a / (float)C, 1 };
    if (ctx->fused) { /* the same reductions, block by block (proxy_fused.c) */
        *loss = dml_proxy_anchor_fused(ctx, &pos, &neg, X, P, dX, dP, t0);
        return dml_ok();
    }

    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_normalize(ctx, P, C, ctx->Pn, ctx->pinv);
    dml_par_gemm(ctx, 0, 1, C, M, D, ctx->Pn, D, ctx->Xn, D, ctx->S, M); /* Sᵀ */

    float *lse = ctx->rowv; /* pos_c, neg_c pairs */
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t c = 0; c < C; c++)
        ctx->k->lse(ctx->S + c * M, M, y, (int32_t)c, SIZE_MAX, &pos, &neg, lse + 2 * c,
                    ctx->G + c * M);
    double pos_sum = 0, neg_sum = 0;
    for (size_t c = 0; c < C; c++) {
        if (ctx->seen[c])
            pos_sum += lse[2 * c];
        neg_sum += lse[2 * c + 1];
    }
    *loss = (float)(pos_sum / (double)n_pos + neg_sum / (double)C);
    double t1 = dml_forward_done(ctx, t0, 2.0 * (double)M * C * D, dX != NULL);
    if (!dX)
        return dml_ok();

    /* ∂L/∂X̂ = G P̂ and ∂L/∂P̂ = Gᵀ X̂ from Gᵀ, then through the normalisation. */
    dml_proxy_backward(ctx, 1, dX, dP, t1);
    return dml_ok();
}

const dml_param_info dml_proxy_anchor_param_info[] = {
    { "alpha", DML_PARAM_POSITIVE, offsetof(dml_params, u.pa.alpha), "A", NULL },
    { "delta", DML_PARAM_NONNEG, offsetof(dml_params, u.pa.delta), "D", NULL },
    { "proxy_sample", DML_PARAM_RATIO, offsetof(dml_params, u.pa.proxy_sample), "R", NULL },
    { "precision", DML_PARAM_CHOICE, offsetof(dml_params, u.pa.precision), "fp32|bf16",
      dml_precision_choice },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

dml_status dml_proxy_anchor_step(dml_ctx *ctx, const dml_params *p, const float *X,
                                 const int32_t *y, const float *P, float *loss, float *dX,
                                 float *dP)
{
    return dml_proxy_anchor(ctx, &p->u.pa, X, y, P, loss, dX, dP);
}
