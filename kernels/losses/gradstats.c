/* gradstats.c — the gradient statistics (README, "Gradient statistics"), from the G = ∂L/∂S and
 * the final gradients of the last step.  Not on the timed path. */
#include <math.h>

#include "dml_internal.h"

typedef struct side_acc {
    double top1, eff;
    size_t anchors;
} side_acc;

typedef struct member_acc {
    double sum, max, sq;
    size_t n;
} member_acc;

static void member_add(member_acc *m, float g)
{
    double a = fabs((double)g);
    if (a == 0.0)
        return;
    m->sum += a;
    m->sq += a * a;
    if (a > m->max) m->max = a;
    m->n++;
}

static void side_close(side_acc *s, const member_acc *m)
{
    if (m->n < 2)
        return;
    s->top1 += m->max / m->sum;
    s->eff += m->sum * m->sum / m->sq;
    s->anchors++;
}

static double mean_or_nan(double v, size_t n)
{
    return n ? v / (double)n : NAN;
}

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
    int proxies = dml_loss_has_proxies(ctx->loss);
    if (proxies && !dP)
        return dml_fail(DML_ERR_NULL, "gradstats: dP is NULL for a proxy loss");
    if (!ctx->has_grad)
        return dml_fail(DML_ERR_ARG, "gradstats: the last step ran no backward pass");

    const size_t M = ctx->M, C = ctx->C;
    const int32_t *y = ctx->y;
    row_norms(dX, M, ctx->D, &out->grad_x_mean, &out->grad_x_max);
    out->grad_p_mean = NAN;
    if (proxies)
        row_norms(dP, C, ctx->D, &out->grad_p_mean, NULL);

    /* Rows of the stored G are the anchors. */
    size_t rows = ctx->loss == DML_LOSS_PROXY_ANCHOR ? C : M;
    size_t cols = ctx->loss == DML_LOSS_PROXY_NCA ? C : M;
    side_acc pos = { 0 }, neg = { 0 };
    double nonzero = 0;
    for (size_t r = 0; r < rows; r++) {
        const float *g = ctx->G + r * cols;
        int32_t cls = ctx->loss == DML_LOSS_PROXY_ANCHOR ? (int32_t)r : y[r];
        member_acc mp = { 0 }, mn = { 0 };
        for (size_t j = 0; j < cols; j++) {
            int32_t lab = ctx->loss == DML_LOSS_PROXY_NCA ? (int32_t)j : y[j];
            int is_pair = ctx->loss == DML_LOSS_MS || ctx->loss == DML_LOSS_TRIPLET;
            if (is_pair && j == r)
                continue;
            member_add(lab == cls ? &mp : &mn, g[j]);
            nonzero += g[j] != 0.0f;
        }
        side_close(&pos, &mp);
        side_close(&neg, &mn);
    }
    out->pos_top1_share = mean_or_nan(pos.top1, pos.anchors);
    out->pos_eff_n = mean_or_nan(pos.eff, pos.anchors);
    out->neg_top1_share = mean_or_nan(neg.top1, neg.anchors);
    out->neg_eff_n = mean_or_nan(neg.eff, neg.anchors);
    out->pos_anchors = pos.anchors;
    out->neg_anchors = neg.anchors;

    switch (ctx->loss) {
    case DML_LOSS_TRIPLET:
        out->active_frac = ctx->candidates > 0 ? ctx->active / ctx->candidates : NAN;
        break;
    case DML_LOSS_MS:
        out->active_frac = M > 1 ? nonzero / ((double)M * (double)(M - 1)) : NAN;
        break;
    default:
        out->active_frac = nonzero / ((double)M * (double)C);
    }

    out->proxy_pos_top1_share = out->proxy_pos_eff_n = NAN;
    if (ctx->loss == DML_LOSS_PROXY_ANCHOR) {
        out->proxy_pos_top1_share = out->pos_top1_share;
        out->proxy_pos_eff_n = out->pos_eff_n;
    } else if (ctx->loss == DML_LOSS_PROXY_NCA) {
        side_acc col = { 0 };
        for (size_t c = 0; c < C; c++) {
            member_acc m = { 0 };
            for (size_t i = 0; i < M; i++)
                if ((size_t)y[i] == c)
                    member_add(&m, ctx->G[i * C + c]);
            side_close(&col, &m);
        }
        out->proxy_pos_top1_share = mean_or_nan(col.top1, col.anchors);
        out->proxy_pos_eff_n = mean_or_nan(col.eff, col.anchors);
    }
    return dml_ok();
}
