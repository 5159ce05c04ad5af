/* products.c — the products of a loss's step, run alone: what a benchmark
 * subtracts from the step to see what the loss itself adds.  They are the
 * very calls the losses make (same kernels, threads, shapes and buffers of
 * the context), so the time of "the products alone" can never drift from
 * what the step runs.  The per-loss detail lives here, by ctx->loss. */
#include "dml_internal.h"

dml_status dml_ctx_forward_products(dml_ctx *ctx, const float *X, const float *P)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (!X) return dml_fail(DML_ERR_NULL, "embeddings X are NULL");
    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    switch (ctx->loss) {
    case DML_LOSS_PROXY_ANCHOR: /* Sᵀ = P̂X̂ᵀ (C×M): a proxy's column of S is a row */
    case DML_LOSS_PROXY_NCA:    /* S = X̂P̂ᵀ (M×C): a sample's row */
        if (!P) return dml_fail(DML_ERR_NULL, "proxies P are NULL");
        dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
        dml_par_normalize(ctx, P, C, ctx->Pn, ctx->pinv);
        if (ctx->loss == DML_LOSS_PROXY_ANCHOR)
            dml_par_gemm(ctx, 0, 1, C, M, D, ctx->Pn, D, ctx->Xn, D, ctx->S, M);
        else
            dml_par_gemm(ctx, 0, 1, M, C, D, ctx->Xn, D, ctx->Pn, D, ctx->S, C);
        break;
    case DML_LOSS_MS:
    case DML_LOSS_TRIPLET: /* S = X̂X̂ᵀ, one SYRK */
        dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
        dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);
        break;
    default:
        return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)ctx->loss);
    }
    return dml_ok();
}

dml_status dml_ctx_backward_products(dml_ctx *ctx, float *dX, float *dP)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (!dX) return dml_fail(DML_ERR_NULL, "gradient dX is NULL");
    if (!ctx->has_grad) /* G (and H) hold nothing yet: products of garbage time garbage */
        return dml_fail(DML_ERR_ARG, "no step with a backward pass has run on this context");
    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    switch (ctx->loss) {
    case DML_LOSS_PROXY_ANCHOR: /* from Gᵀ (C×M), as dml_proxy_backward(ctx, 1, ...) */
    case DML_LOSS_PROXY_NCA: {  /* from G (M×C), as dml_proxy_backward(ctx, 0, ...) */
        if (!dP) return dml_fail(DML_ERR_NULL, "gradient dP is NULL");
        int by_class = ctx->loss == DML_LOSS_PROXY_ANCHOR;
        size_t ldg = by_class ? M : C;
        dml_par_gemm(ctx, by_class, 0, M, D, C, ctx->G, ldg, ctx->Pn, D, dX, D);  /* G P̂ */
        dml_par_gemm(ctx, !by_class, 0, C, D, M, ctx->G, ldg, ctx->Xn, D, dP, D); /* Gᵀ X̂ */
        break;
    }
    case DML_LOSS_MS:
    case DML_LOSS_TRIPLET: /* (G + Gᵀ) X̂, from H as dml_pair_backward leaves it */
        dml_par_gemm(ctx, 0, 0, M, D, M, ctx->H, M, ctx->Xn, D, dX, D);
        break;
    default:
        return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)ctx->loss);
    }
    return dml_ok();
}
