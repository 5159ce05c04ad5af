/* step.c — one entry point for every loss, through its row of the table. */
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
