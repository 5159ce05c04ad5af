/* validate.c — the checks of a step's inputs against its context, made
 * before anything is written (moved out of context.c, which had grown past
 * its size). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dml_internal.h"

dml_status dml_check_positive(const char *name, float v)
{
    if (!(v > 0.0f) || !isfinite(v))
        return dml_fail(DML_ERR_PARAM, "%s = %g: must be positive and finite", name, (double)v);
    return DML_OK;
}

dml_status dml_check_ratio(const char *name, float v)
{
    if (!(v > 0.0f && v <= 1.0f))
        return dml_fail(DML_ERR_PARAM, "%s = %g: must be in (0, 1]", name, (double)v);
    return DML_OK;
}

dml_status dml_check_margin(const char *name, float v)
{
    if (!(v >= 0.0f) || !isfinite(v))
        return dml_fail(DML_ERR_MARGIN, "%s = %g: must be non-negative and finite", name, (double)v);
    return DML_OK;
}

/* 1 when some A[i] is NaN or ±inf.  On the bits: a non-finite float has
 * every exponent bit set, and only then does adding 1 to the exponent field
 * carry into bit 31.  Written with the compiler's generic vectors (SSE2 or
 * NEON, whatever the baseline has: gcc -O2 does not vectorise the plain loop),
 * as the scalar isfinite loop over X and P was 8 % of a C = 100 step. */
typedef uint32_t dml_u32x4 __attribute__((vector_size(16)));

static int any_nonfinite(const float *A, size_t n)
{
    const dml_u32x4 expo = { 0x7F800000u, 0x7F800000u, 0x7F800000u, 0x7F800000u };
    const dml_u32x4 one = { 0x00800000u, 0x00800000u, 0x00800000u, 0x00800000u };
    dml_u32x4 acc0 = { 0 }, acc1 = { 0 }, acc2 = { 0 }, acc3 = { 0 };
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        dml_u32x4 v[4];
        memcpy(v, A + i, sizeof v); /* no alignment or aliasing assumed */
        acc0 |= (v[0] & expo) + one, acc1 |= (v[1] & expo) + one;
        acc2 |= (v[2] & expo) + one, acc3 |= (v[3] & expo) + one;
    }
    dml_u32x4 acc = acc0 | acc1 | acc2 | acc3;
    uint32_t all = acc[0] | acc[1] | acc[2] | acc[3];
    for (; i < n; i++) {
        uint32_t u;
        memcpy(&u, A + i, sizeof u);
        all |= (u & 0x7F800000u) + 0x00800000u;
    }
    return (all & 0x80000000u) != 0;
}

/* any_nonfinite over the context's threads: at C = 11318 P is 5.8 M floats,
 * and a serial check would be a serial 1–2 % of a two-thread step. */
static int any_nonfinite_par(const float *A, size_t n, int threads)
{
    if (threads == 1 || n < ((size_t)1 << 16))
        return any_nonfinite(A, n);
    int bad = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(| : bad)
    for (int t = 0; t < threads; t++) {
        size_t lo = n * (size_t)t / (size_t)threads, hi = n * (size_t)(t + 1) / (size_t)threads;
        bad |= any_nonfinite(A + lo, hi - lo);
    }
    return bad;
}

static dml_status check_finite(const char *name, const float *A, size_t rows, size_t cols,
                               int threads)
{
    if (!any_nonfinite_par(A, rows * cols, threads))
        return DML_OK;
    for (size_t i = 0; i < rows * cols; i++) /* find it, for the message */
        if (!isfinite(A[i]))
            return dml_fail(DML_ERR_NONFINITE, "%s[%zu][%zu] = %g is not finite", name, i / cols,
                            i % cols, (double)A[i]);
    return DML_OK;
}

dml_status dml_check_step(const dml_ctx *ctx, dml_loss loss, const float *X, const int32_t *y,
                          const float *P, const float *loss_out)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (!X) return dml_fail(DML_ERR_NULL, "embeddings X are NULL");
    if (!y) return dml_fail(DML_ERR_NULL, "labels y are NULL");
    if (!loss_out) return dml_fail(DML_ERR_NULL, "loss output is NULL");
    if (ctx->loss != loss)
        return dml_fail(DML_ERR_SHAPE, "context was made for %s, called for %s",
                        dml_loss_name(ctx->loss), dml_loss_name(loss));
    int proxies = ctx->R > 0; /* the context's loss is `loss`: checked above */
    if (proxies && !P && !ctx->P16) return dml_fail(DML_ERR_NULL, "proxies P are NULL");
    for (size_t i = 0; i < ctx->M; i++)
        if (y[i] < 0 || (size_t)y[i] >= ctx->C)
            return dml_fail(DML_ERR_LABEL, "label %d at index %zu is outside [0, %zu)", (int)y[i], i,
                            ctx->C);
    dml_status s = check_finite("X", X, ctx->M, ctx->D, ctx->threads);
    if (s == DML_OK && proxies)
        s = ctx->P16 ? dml_check_finite_bf16("P", ctx->P16, ctx->R, ctx->D)
                     : check_finite("P", P, ctx->R, ctx->D, ctx->threads);
    return s;
}

