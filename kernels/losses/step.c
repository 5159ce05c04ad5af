/* step.c — one entry point for every loss, through its row of the table,
 * and the step with the proxies' SGD update inside the fused sweep. */
#include <math.h>

#include "loss_table.h"

dml_status dml_loss_step(dml_ctx *ctx, const dml_params *params, const float *X,
                         const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    if (!params)
        return dml_fail(DML_ERR_NULL, "parameters are NULL");
    const dml_loss_row *r = dml_loss_row_of(params->loss);
    if (!r)
        return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)params->loss);
    return r->step(ctx, params, X, y, P, loss, dX, dP);
}

/* The loss's own step with the context told to update P as it sweeps
 * (fused_sweep.c, dml_sweep_proxy_grad); the step's checks want a dP, and
 * get the context's block buffer, which the sweep then uses as such. */
dml_status dml_loss_step_sgd(dml_ctx *ctx, const dml_params *params, const float *X,
                             const int32_t *y, float *P, float lr, float *loss, float *dX)
{
    if (!ctx || !params)
        return dml_fail(DML_ERR_NULL, "context or parameters are NULL");
    const dml_loss_row *r = dml_loss_row_of(params->loss);
    if (!r)
        return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)params->loss);
    if (r->kind != DML_KIND_PROXY || !ctx->fused)
        return dml_fail(DML_ERR_ARG, "%s: the in-step proxy update needs the fused step of a proxy loss",
                        r->name);
    if (!dX || !P)
        return dml_fail(DML_ERR_NULL, "the in-step proxy update needs P and dX");
    if (!isfinite(lr) || lr < 0)
        return dml_fail(DML_ERR_PARAM, "lr = %g: must be finite and >= 0", (double)lr);
    ctx->sgd_P = P;
    ctx->sgd_lr = lr;
    /* a sampled step updates the sampled rows from its sub-step's block
     * (proxy_sample_step.c), the rows not sampled are left as they are */
    float *dP = ctx->sample_r != 1.0f ? ctx->sdP : ctx->fdpb;
    dml_status st = r->step(ctx, params, X, y, P, loss, dX, dP);
    ctx->sgd_P = NULL;
    return st;
}
