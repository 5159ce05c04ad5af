/* bf16.c — precision bf16 (dml.h, "bf16 proxies"; docs/scale.md): the
 * rounding to and from bf16, the check of a bf16 P, and the step that reads
 * it.  The step itself is the fused step of the loss with two kernels swapped
 * (fused_sweep.c: the block's normalisation and its S product). */
#include <string.h>

#include "loss_table.h"

const char *dml_precision_name(dml_precision p)
{
    return p == DML_PRECISION_FP32 ? "fp32" : p == DML_PRECISION_BF16 ? "bf16" : "unknown";
}

dml_status dml_precision_parse(const char *name, dml_precision *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "precision name is NULL");
    for (int p = DML_PRECISION_FP32; p <= DML_PRECISION_BF16; p++)
        if (strcmp(name, dml_precision_name((dml_precision)p)) == 0) {
            *out = (dml_precision)p;
            return DML_OK;
        }
    return dml_fail(DML_ERR_ARG, "unknown precision '%s' (expected fp32 or bf16)", name);
}

const char *dml_precision_choice(int v)
{
    return v == DML_PRECISION_FP32 || v == DML_PRECISION_BF16 ? dml_precision_name((dml_precision)v)
                                                              : NULL;
}

dml_status dml_check_precision(const dml_ctx *ctx, int precision)
{
    if (precision != DML_PRECISION_FP32 && precision != DML_PRECISION_BF16)
        return dml_fail(DML_ERR_PARAM, "precision = %d: must be 0 (fp32) or 1 (bf16)", precision);
    if (precision == DML_PRECISION_BF16 && !ctx->P16)
        return dml_fail(DML_ERR_ARG, "precision bf16 takes P in bf16: call dml_loss_step_bf16");
    return DML_OK;
}

/* Round to nearest, ties to even, on the bits: add 0x7FFF plus the lowest
 * kept bit, then drop the low half.  A finite value that rounds past the
 * largest bf16 carries into the exponent and becomes ±inf, as IEEE rounding
 * does; a NaN keeps its sign and top payload and is made quiet, so it cannot
 * round into an infinity. */
void dml_bf16_round(const float *x, size_t n, uint16_t *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        if ((u & 0x7FFFFFFFu) > 0x7F800000u)
            out[i] = (uint16_t)((u >> 16) | 0x0040u);
        else
            out[i] = (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
    }
}

void dml_bf16_widen(const uint16_t *x, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)x[i] << 16;
        memcpy(out + i, &u, sizeof u);
    }
}

dml_status dml_check_finite_bf16(const char *name, const uint16_t *A, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows * cols; i++)
        if ((A[i] & 0x7F80u) == 0x7F80u) { /* every exponent bit: ±inf or NaN */
            float f;
            dml_bf16_widen(A + i, 1, &f);
            return dml_fail(DML_ERR_NONFINITE, "%s[%zu][%zu] = %g is not finite", name, i / cols,
                            i % cols, (double)f);
        }
    return DML_OK;
}

/* The losses whose fused step has the bf16 kernels: one proxy a class, S
 * reduced by class (Proxy-Anchor) or by sample (Proxy-NCA and its body,
 * NormalizedSoftmax).  SoftTriple's centres are not wired. */
static int has_bf16(dml_loss loss)
{
    return loss == DML_LOSS_PROXY_ANCHOR || loss == DML_LOSS_PROXY_NCA ||
           loss == DML_LOSS_NORMALIZED_SOFTMAX;
}

dml_status dml_loss_step_bf16(dml_ctx *ctx, const dml_params *params, const float *X,
                              const int32_t *y, const uint16_t *P, float *loss, float *dX,
                              float *dP)
{
    if (!ctx || !params)
        return dml_fail(DML_ERR_NULL, "%s is NULL", ctx ? "parameters" : "context");
    if (!has_bf16(params->loss))
        return dml_fail(DML_ERR_ARG, "precision bf16: %s has no bf16 step (Proxy-Anchor, "
                        "Proxy-NCA and NormalizedSoftmax have)", dml_loss_name(params->loss));
    if (!ctx->fused)
        return dml_fail(DML_ERR_ARG, "precision bf16 runs the fused step only; this context "
                        "is unfused (leave DML_FUSED unset, or fused 1)");
    if (ctx->sample_r != 1.0f || dml_sample_ratio(params) != 1.0f) /* the sample gathers float32 rows */
        return dml_fail(DML_ERR_ARG, "precision bf16 with proxy_sample < 1 is not built: the "
                        "sampled step gathers rows of a float32 P");
    if (!P)
        return dml_fail(DML_ERR_NULL, "proxies P are NULL");
    const dml_loss_row *r = dml_loss_row_of(params->loss);
    ctx->P16 = P;
    dml_status s = r->step(ctx, params, X, y, NULL, loss, dX, dP);
    ctx->P16 = NULL;
    return s;
}

dml_precision dml_ctx_precision(const dml_ctx *ctx)
{
    return ctx ? ctx->precision : DML_PRECISION_FP32;
}
