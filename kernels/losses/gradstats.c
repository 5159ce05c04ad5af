/* gradstats.c — the gradient statistics (docs/losses.md, "Gradient statistics"):
 * the norms of the final gradients here, what G = ∂L/∂S says through the
 * hook that the loss's row names (gradstats_sides.c) from the whole G of an
 * unfused step, or as a fused step gathered them (gradstats_blocks.c, when
 * dml_ctx_set_gradstats asked for them).  Not on the timed path. */
#include <math.h>

#include "loss_table.h"

static void row_norms(const float *A, size_t rows, size_t d, double *mean, double *max)
{
    double s = 0, mx = 0;
    for (size_t i = 0; i < rows; i++) {
        double ss = 0;
        for (size_t k = 0; k < d; k++)
            ss += (double)A[i * d + k] * A[i * d + k];
        double n = sqrt(ss);
        s += n;
        if (n > mx) mx = n;
    }
    *mean = s / (double)rows;
    if (max) *max = mx;
}

dml_status dml_ctx_gradstats(const dml_ctx *ctx, const float *dX, const float *dP,
                             dml_gradstats *out)
{
    if (!ctx || !dX || !out)
        return dml_fail(DML_ERR_NULL, "gradstats: context, dX and output must not be NULL");
    if (ctx->sub && ctx->has_grad) /* sampled proxies: the sampled rows' statistics */
        return dml_ctx_gradstats(ctx->sub, dX, ctx->sdP, out);
    const dml_loss_row *row = dml_loss_row_of(ctx->loss);
    int proxies = row->kind == DML_KIND_PROXY;
    if (proxies && !dP)
        return dml_fail(DML_ERR_NULL, "gradstats: dP is NULL for a proxy loss");
    if (!ctx->has_grad)
        return dml_fail(DML_ERR_ARG, "gradstats: the last step ran no backward pass");

    if (ctx->fused && !ctx->gs_valid)
        return dml_fail(DML_ERR_ARG, "gradstats: the fused step holds no G whole and gathers "
                        "them during the step: call dml_ctx_set_gradstats(ctx, 1) before it");
    if (ctx->fused)
        *out = ctx->gs; /* sides, active_frac, proxy_pos; the norms below */
    row_norms(dX, ctx->M, ctx->D, &out->grad_x_mean, &out->grad_x_max);
    out->grad_p_mean = NAN;
    if (proxies)
        row_norms(dP, ctx->R, ctx->D, &out->grad_p_mean, NULL);
    if (!ctx->fused)
        row->gstats(ctx, out);
    return dml_ok();
}

dml_status dml_ctx_set_gradstats(dml_ctx *ctx, int on)
{
    if (!ctx)
        return dml_fail(DML_ERR_NULL, "context is NULL");
    if (on != 0 && on != 1)
        return dml_fail(DML_ERR_ARG, "gradstats = %d: expected 0 or 1", on);
    ctx->gs_on = on;
    if (ctx->sub) /* a sampled context's sub-problem runs the step, and gathers them */
        return dml_ctx_set_gradstats(ctx->sub, on);
    return dml_ok();
}
