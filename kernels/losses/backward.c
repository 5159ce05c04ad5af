/* backward.c — how every step ends: the forward phase's record, and the
 * backward passes the losses share (a proxy loss from G by ∂L/∂X̂ = G P̂ and
 * ∂L/∂P̂ = Gᵀ X̂; a pair loss from G + Gᵀ), each through the normalisation. */
#include "dml_internal.h"

double dml_forward_done(dml_ctx *ctx, double t0, double flops, int backward)
{
    double t1 = dml_now_ns();
    ctx->fwd_ns = t1 - t0;
    ctx->fwd_flops = flops;
    ctx->has_grad = backward;
    ctx->bwd_ns = 0;
    ctx->bwd_flops = 0;
    return t1;
}

void dml_proxy_backward(dml_ctx *ctx, int g_by_class, float *dX, float *dP, double t1)
{
    const size_t M = ctx->M, R = ctx->R, D = ctx->D;
    /* G is M×R, or R×M when g_by_class (Gᵀ, Proxy-Anchor's layout). */
    size_t ldg = g_by_class ? M : R;
    dml_par_gemm(ctx, g_by_class, 0, M, D, R, ctx->G, ldg, ctx->Pn, D, dX, D);  /* G P̂ */
    dml_par_gemm(ctx, !g_by_class, 0, R, D, M, ctx->G, ldg, ctx->Xn, D, dP, D); /* Gᵀ X̂ */
    dml_par_normalize_backward(ctx, ctx->Xn, ctx->xinv, dX, M);
    dml_par_normalize_backward(ctx, ctx->Pn, ctx->pinv, dP, R);
    ctx->bwd_ns = dml_now_ns() - t1;
    ctx->bwd_flops = 4.0 * (double)M * R * D;
}

void dml_pair_backward(dml_ctx *ctx, float *dX, double t1)
{
    const size_t M = ctx->M, D = ctx->D;
    /* ∂L/∂X̂ = (G + Gᵀ) X̂: S is symmetric, so each entry feeds both rows. */
    dml_par_sym_sum(ctx, ctx->G, M, ctx->H);
    dml_par_gemm(ctx, 0, 0, M, D, M, ctx->H, M, ctx->Xn, D, dX, D);
    dml_par_normalize_backward(ctx, ctx->Xn, ctx->xinv, dX, M);
    ctx->bwd_ns = dml_now_ns() - t1;
    ctx->bwd_flops = 2.0 * (double)M * M * D;
}
