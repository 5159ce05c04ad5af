/* step.c — one entry point for the four losses, for code that treats them alike. */
#include "dml_internal.h"

dml_status dml_loss_step(dml_ctx *ctx, const dml_params *params, const float *X,
                         const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    if (!params)
        return dml_fail(DML_ERR_NULL, "parameters are NULL");
    switch (params->loss) {
    case DML_LOSS_PROXY_ANCHOR:
        return dml_proxy_anchor(ctx, &params->u.pa, X, y, P, loss, dX, dP);
    case DML_LOSS_PROXY_NCA:
        return dml_proxy_nca(ctx, &params->u.nca, X, y, P, loss, dX, dP);
    case DML_LOSS_MS:
        return dml_multi_similarity(ctx, &params->u.ms, X, y, loss, dX);
    case DML_LOSS_TRIPLET:
        return dml_triplet(ctx, &params->u.triplet, X, y, loss, dX);
    default:
        return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)params->loss);
    }
}
