/* normalized_softmax.c — NormalizedSoftmax loss (Zhai & Wu, BMVC 2019), forward
 * and backward: PML's NormalizedSoftmaxLoss(temperature).
 *
 *   L = (1/M) Σ_i CE(S_i· / τ, y_i),   S = X̂P̂ᵀ (one proxy a class)
 *
 * which is Proxy-NCA with scale 1/τ and the positive in the denominator: the
 * same body (proxy_nca.c, dml_softmax_rows), so the same kernels, the same
 * fused step and the same gradient G = (softmax − onehot)/(Mτ). */
#include <stddef.h>

#include "loss_table.h"

dml_status dml_normalized_softmax(dml_ctx *ctx, const dml_normalized_softmax_params *p,
                                  const float *X, const int32_t *y, const float *P, float *loss,
                                  float *dX, float *dP)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_NORMALIZED_SOFTMAX, X, y, P, loss);
    if (s != DML_OK) return s;
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if ((s = dml_check_positive("temperature", p->temperature)) != DML_OK) return s;
    /* 1/τ overflows for τ below ~3e-39: refused like any infinite scale */
    if ((s = dml_check_positive("1/temperature", 1.0f / p->temperature)) != DML_OK) return s;
    if ((s = dml_check_precision(ctx, p->precision)) != DML_OK) return s;
    return dml_softmax_rows(ctx, 1.0f / p->temperature, 1, X, y, P, loss, dX, dP);
}

const dml_param_info dml_normalized_softmax_param_info[] = {
    { "temperature", DML_PARAM_POSITIVE, offsetof(dml_params, u.ns.temperature), "T", NULL },
    { "precision", DML_PARAM_CHOICE, offsetof(dml_params, u.ns.precision), "fp32|bf16",
      dml_precision_choice },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

dml_status dml_normalized_softmax_step(dml_ctx *ctx, const dml_params *p, const float *X,
                                       const int32_t *y, const float *P, float *loss, float *dX,
                                       float *dP)
{
    return dml_normalized_softmax(ctx, &p->u.ns, X, y, P, loss, dX, dP);
}
