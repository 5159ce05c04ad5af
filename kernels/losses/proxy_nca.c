/* proxy_nca.c — Proxy-NCA loss (Movshovitz-Attias et al., ICCV 2017), forward and backward.
 *
 * Each sample is the anchor: the reduction runs along a row of S = X̂P̂ᵀ (over
 * classes), a plain log-sum-exp over the negatives (or over every class with
 * include_positive), with the softmax weights from the same exponentials.
 * Computed in log space, so no sample is dropped when its probability
 * underflows (PML drops such samples).  The same body with the positive
 * always in the denominator is NormalizedSoftmax (normalized_softmax.c). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "loss_table.h"

dml_status dml_proxy_nca(dml_ctx *ctx, const dml_proxy_nca_params *p, const float *X,
                         const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    if (p && (p->proxy_sample != 1.0f || (ctx && ctx->sample_r != 1.0f))) /* proxy_sample.c */
        return dml_sampled_step(ctx, &(dml_params){ .loss = DML_LOSS_PROXY_NCA, .u.nca = *p }, X, y, P,
                                loss, dX, dP);
    dml_status s = dml_check_step(ctx, DML_LOSS_PROXY_NCA, X, y, P, loss);
    if (s != DML_OK) return s;
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if ((s = dml_check_positive("scale", p->scale)) != DML_OK) return s;
    if ((s = dml_check_precision(ctx, p->precision)) != DML_OK) return s;
    if (!p->include_positive && ctx->C < 2)
        return dml_fail(DML_ERR_CLASSES, "Proxy-NCA without the positive in the denominator needs C >= 2 (C = %zu)", ctx->C);
    return dml_softmax_rows(ctx, p->scale, p->include_positive, X, y, P, loss, dX, dP);
}

dml_status dml_softmax_rows(dml_ctx *ctx, float scale, int include_positive, const float *X,
                            const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    if ((dX == NULL) != (dP == NULL))
        return dml_fail(DML_ERR_NULL, "pass both dX and dP, or neither for the forward pass alone");

    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    if (ctx->fused) { /* a two-pass LSE over blocks of proxies (proxy_fused.c) */
        *loss = dml_proxy_nca_fused(ctx, scale, include_positive, X, P, dX, dP, t0);
        return dml_ok();
    }
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_normalize(ctx, P, C, ctx->Pn, ctx->pinv);
    dml_par_gemm(ctx, 0, 1, M, C, D, ctx->Xn, D, ctx->Pn, D, ctx->S, C);

    const float sc = scale, coef = sc / (float)M;
    const dml_lse_side all = { sc, 0.0f, -INFINITY, INFINITY, coef, 0 };
    float *li = ctx->rowv;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M; i++) {
        float out[2];
        /* Labels NULL: column c has label c.  With include_positive no column
         * matches the anchor class -1, so every class is on the "negative"
         * side of the kernel; without it the positive column is left out. */
        int32_t c = include_positive ? -1 : y[i];
        float *g = ctx->G + i * C;
        ctx->k->lse(ctx->S + i * C, C, NULL, c, SIZE_MAX, NULL, &all, out, g);
        li[i] = -sc * ctx->S[i * C + y[i]] + out[1];
        g[y[i]] -= coef;
    }
    double sum = 0;
    for (size_t i = 0; i < M; i++)
        sum += li[i];
    *loss = (float)(sum / (double)M);
    double t1 = dml_forward_done(ctx, t0, 2.0 * (double)M * C * D, dX != NULL);
    if (!dX)
        return dml_ok();

    dml_proxy_backward(ctx, 0, dX, dP, t1);
    return dml_ok();
}

const dml_param_info dml_proxy_nca_param_info[] = {
    { "scale", DML_PARAM_POSITIVE, offsetof(dml_params, u.nca.scale), "S", NULL },
    { "include_positive", DML_PARAM_FLAG, offsetof(dml_params, u.nca.include_positive), "0|1", NULL },
    { "proxy_sample", DML_PARAM_RATIO, offsetof(dml_params, u.nca.proxy_sample), "R", NULL },
    { "precision", DML_PARAM_CHOICE, offsetof(dml_params, u.nca.precision), "fp32|bf16",
      dml_precision_choice },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

dml_status dml_proxy_nca_step(dml_ctx *ctx, const dml_params *p, const float *X,
                              const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    return dml_proxy_nca(ctx, &p->u.nca, X, y, P, loss, dX, dP);
}
