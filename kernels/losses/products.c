/* products.c — the products of a loss's step, run alone: what a benchmark
 * subtracts from the step to see what the loss itself adds.  They are the
 * very calls the losses make (same kernels, threads, shapes and buffers of
 * the context), so the time of "the products alone" can never drift from
 * what the step runs.  Which products a loss runs follows from the layout
 * of S in its row of the table. */
#include "loss_table.h"

/* A sampled context has no products of its own: they are its sub-problem's. */
static dml_status not_sampled(const dml_ctx *ctx)
{
    if (ctx->sample_r == 1.0f) return DML_OK;
    return dml_fail(DML_ERR_ARG, "the products alone of a sampled step (proxy_sample = %g) are "
                    "not measured: they are those of a context of its sampled classes",
                    (double)ctx->sample_r);
}

dml_status dml_ctx_forward_products(dml_ctx *ctx, const float *X, const float *P)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (not_sampled(ctx) != DML_OK) return DML_ERR_ARG;
    if (!X) return dml_fail(DML_ERR_NULL, "embeddings X are NULL");
    const size_t M = ctx->M, R = ctx->R, D = ctx->D;
    dml_s_layout layout = dml_loss_row_of(ctx->loss)->layout;
    switch (layout) {
    case DML_S_PROXY_ROWS:  /* Sᵀ = P̂X̂ᵀ (R×M): a proxy's column of S is a row */
    case DML_S_SAMPLE_ROWS: /* S = X̂P̂ᵀ (M×R): a sample's row */
        if (!P) return dml_fail(DML_ERR_NULL, "proxies P are NULL");
        dml_status st = dml_ctx_whole_buffers(ctx); /* a fused context makes them now */
        if (st != DML_OK) return st;
        dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
        dml_par_normalize(ctx, P, R, ctx->Pn, ctx->pinv);
        if (layout == DML_S_PROXY_ROWS)
            dml_par_gemm(ctx, 0, 1, R, M, D, ctx->Pn, D, ctx->Xn, D, ctx->S, M);
        else
            dml_par_gemm(ctx, 0, 1, M, R, D, ctx->Xn, D, ctx->Pn, D, ctx->S, R);
        break;
    case DML_S_PAIRS: /* S = X̂X̂ᵀ, one SYRK */
        dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
        dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);
        break;
    }
    return dml_ok();
}

dml_status dml_ctx_backward_products(dml_ctx *ctx, float *dX, float *dP)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (not_sampled(ctx) != DML_OK) return DML_ERR_ARG;
    if (!dX) return dml_fail(DML_ERR_NULL, "gradient dX is NULL");
    if (!ctx->has_grad) /* G (and H) hold nothing yet: products of garbage time garbage */
        return dml_fail(DML_ERR_ARG, "no step with a backward pass has run on this context");
    const size_t M = ctx->M, R = ctx->R, D = ctx->D;
    dml_s_layout layout = dml_loss_row_of(ctx->loss)->layout;
    switch (layout) {
    case DML_S_PROXY_ROWS:    /* from Gᵀ (R×M), as dml_proxy_backward(ctx, 1, ...) */
    case DML_S_SAMPLE_ROWS: { /* from G (M×R), as dml_proxy_backward(ctx, 0, ...) */
        if (!dP) return dml_fail(DML_ERR_NULL, "gradient dP is NULL");
        dml_status st = dml_ctx_whole_buffers(ctx); /* after a fused step: G at zero */
        if (st != DML_OK) return st;
        int by_class = layout == DML_S_PROXY_ROWS;
        size_t ldg = by_class ? M : R;
        dml_par_gemm(ctx, by_class, 0, M, D, R, ctx->G, ldg, ctx->Pn, D, dX, D);  /* G P̂ */
        dml_par_gemm(ctx, !by_class, 0, R, D, M, ctx->G, ldg, ctx->Xn, D, dP, D); /* Gᵀ X̂ */
        break;
    }
    case DML_S_PAIRS: /* (G + Gᵀ) X̂, from H as dml_pair_backward leaves it */
        dml_par_gemm(ctx, 0, 0, M, D, M, ctx->H, M, ctx->Xn, D, dX, D);
        break;
    }
    return dml_ok();
}
