/* precision.c — the `precision` parameter in the harness (precision.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "point/params.h"
#include "point/precision.h"

int precision_is_bf16(const dml_params *p)
{
    int i = param_name_index("precision");
    double v = i < 0 ? NAN : param_value(p, i);
    return v == (double)DML_PRECISION_BF16;
}

int precision_copy(const dml_params *p, const float *P, size_t n, uint16_t **P16, char *err,
                   size_t errlen)
{
    *P16 = NULL;
    if (!precision_is_bf16(p))
        return 0;
    *P16 = malloc((n ? n : 1) * sizeof **P16);
    if (!*P16) {
        snprintf(err, errlen, "out of memory (the bf16 copy of P)");
        return 1;
    }
    dml_bf16_round(P, n, *P16);
    return 0;
}

dml_status precision_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                          const float *P, const uint16_t *P16, float *loss, float *dX, float *dP)
{
    return P16 ? dml_loss_step_bf16(ctx, p, X, y, P16, loss, dX, dP)
               : dml_loss_step(ctx, p, X, y, P, loss, dX, dP);
}
