/* gradstats_sides.c — the hooks of the gradient statistics that rows of the
 * table name: how the anchors, their positive and negative members and the
 * candidate entries lie in the stored G for each layout of S.  Each fills
 * pos_*, neg_*, active_frac and proxy_pos_* of out. */
#include <math.h>

#include "gradstats_acc.h"
#include "loss_table.h"

/* How G is read: its rows are the anchors (proxies or samples), its columns
 * the members (samples, proxies, or samples again for pairs). */
typedef enum { BY_PROXY, BY_SAMPLE, PAIRS } g_shape;

/* The positive and negative sides of every anchor; returns the number of
 * non-zero entries of G that count as candidates. */
static double sides(const dml_ctx *ctx, g_shape shape, dml_gradstats *out)
{
    const size_t M = ctx->M, K = ctx->K ? ctx->K : 1;
    const size_t rows = shape == BY_PROXY ? ctx->R : M, cols = shape == BY_SAMPLE ? ctx->R : M;
    const int32_t *y = ctx->y;
    side_acc pos = { 0 }, neg = { 0 };
    double nonzero = 0;
    for (size_t r = 0; r < rows; r++) {
        const float *g = ctx->G + r * cols;
        int32_t cls = shape == BY_PROXY ? (int32_t)(r / K) : y[r];
        member_acc mp = { 0 }, mn = { 0 };
        for (size_t j = 0; j < cols; j++) {
            int32_t lab = shape == BY_SAMPLE ? (int32_t)(j / K) : y[j];
            if (shape == PAIRS && j == r)
                continue;
            member_add(lab == cls ? &mp : &mn, g[j]);
            nonzero += g[j] != 0.0f;
        }
        side_close(&pos, &mp);
        side_close(&neg, &mn);
    }
    sides_out(out, &pos, &neg);
    out->proxy_pos_top1_share = out->proxy_pos_eff_n = NAN;
    return nonzero;
}

/* Proxy-Anchor: the proxies are the anchors, so pos_* is what each proxy sees. */
void dml_gstats_proxy_rows(const dml_ctx *ctx, dml_gradstats *out)
{
    double nonzero = sides(ctx, BY_PROXY, out);
    out->active_frac = nonzero / ((double)ctx->M * (double)ctx->R);
    out->proxy_pos_top1_share = out->pos_top1_share;
    out->proxy_pos_eff_n = out->pos_eff_n;
}

/* Samples are the anchors (one positive class each); the proxies' view is
 * each proxy's column of G over the samples of its class. */
void dml_gstats_sample_rows(const dml_ctx *ctx, dml_gradstats *out)
{
    const size_t M = ctx->M, R = ctx->R, K = ctx->K;
    double nonzero = sides(ctx, BY_SAMPLE, out);
    out->active_frac = nonzero / ((double)M * (double)R);
    side_acc col = { 0 };
    for (size_t c = 0; c < R; c++) {
        member_acc m = { 0 };
        for (size_t i = 0; i < M; i++)
            if ((size_t)ctx->y[i] == c / K)
                member_add(&m, ctx->G[i * R + c]);
        side_close(&col, &m);
    }
    out->proxy_pos_top1_share = mean_or_nan(col.top1, col.anchors);
    out->proxy_pos_eff_n = mean_or_nan(col.eff, col.anchors);
}

/* Multi-Similarity: every ordered pair i ≠ j is a candidate. */
void dml_gstats_pairs(const dml_ctx *ctx, dml_gradstats *out)
{
    const size_t M = ctx->M;
    double nonzero = sides(ctx, PAIRS, out);
    out->active_frac = M > 1 ? nonzero / ((double)M * (double)(M - 1)) : NAN;
}

/* Triplet: the candidates are triplets, counted by the step itself. */
void dml_gstats_triplets(const dml_ctx *ctx, dml_gradstats *out)
{
    sides(ctx, PAIRS, out);
    out->active_frac = ctx->candidates > 0 ? ctx->active / ctx->candidates : NAN;
}
