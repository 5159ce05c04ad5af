/* gradstats_blocks.c — the gradient statistics of a fused step, gathered
 * block by block while each block's G is in cache (the fused step never
 * holds G whole).  The same terms as gradstats_sides.c reads from a whole G:
 * fed the blocks in order on one thread, the same bits (tests/unit/
 * test_gradstats_blocks.c).  Proxy-Anchor's sweep is in that order; the
 * two-pass sweep's second half runs each thread's blocks in reverse, so a
 * sample's sums over its row (and the sums over anchors) add the same terms
 * in another order, as do the threads' parts: float64, so they differ in
 * the last bits.  Only when the context asks (dml_ctx_set_gradstats): it
 * costs a pass over every entry of G in double precision. */
#include <string.h>

#include "gradstats_acc.h"
#include "loss_table.h"

void dml_gs_begin(dml_ctx *ctx, int t)
{
    dml_gs_part *g = &ctx->gsp[t];
    member_acc *rp = g->rp, *rn = g->rn;
    memset(g, 0, sizeof *g);
    memset(rp, 0, ctx->M * sizeof *rp);
    memset(rn, 0, ctx->M * sizeof *rn);
    g->rp = rp;
    g->rn = rn;
}

/* Rows r0.. of G by proxy (Proxy-Anchor's Sᵀ layout): each a proxy, the
 * anchor, over the M samples; n rows of stride ld. */
void dml_gs_proxy_block(dml_ctx *ctx, int t, const float *G, size_t ld, size_t r0, size_t n)
{
    dml_gs_part *g = &ctx->gsp[t];
    const size_t M = ctx->M, K = ctx->K ? ctx->K : 1;
    double nonzero = 0; /* a count: exact in any order; here, off the threads' shared lines */
    for (size_t r = 0; r < n; r++) {
        const float *row = G + r * ld;
        int32_t cls = (int32_t)((r0 + r) / K);
        member_acc mp = { 0 }, mn = { 0 };
        for (size_t j = 0; j < M; j++) {
            member_add(ctx->y[j] == cls ? &mp : &mn, row[j]);
            nonzero += row[j] != 0.0f;
        }
        side_close(&g->pos, &mp);
        side_close(&g->neg, &mn);
    }
    g->nonzero += nonzero;
}

/* Columns j0.. of G by sample (M rows, stride ld): each sample's members so
 * far, and each proxy's column over the samples of its class. */
void dml_gs_sample_block(dml_ctx *ctx, int t, const float *G, size_t ld, size_t j0, size_t n)
{
    dml_gs_part *g = &ctx->gsp[t];
    const size_t M = ctx->M, K = ctx->K ? ctx->K : 1;
    double nonzero = 0;
    for (size_t i = 0; i < M; i++) {
        const float *row = G + i * ld;
        size_t cls = (size_t)ctx->y[i];
        for (size_t j = 0; j < n; j++) {
            member_add((j0 + j) / K == cls ? &g->rp[i] : &g->rn[i], row[j]);
            nonzero += row[j] != 0.0f;
        }
    }
    g->nonzero += nonzero;
    for (size_t j = 0; j < n; j++) {
        member_acc m = { 0 };
        for (size_t i = 0; i < M; i++)
            if ((size_t)ctx->y[i] == (j0 + j) / K)
                member_add(&m, G[i * ld + j]);
        side_close(&g->col, &m);
    }
}

/* The samples' sides, each sample's members summed over the threads in order. */
static void sample_sides(const dml_ctx *ctx, side_acc *pos, side_acc *neg)
{
    for (size_t i = 0; i < ctx->M; i++) {
        member_acc mp = ctx->gsp[0].rp[i], mn = ctx->gsp[0].rn[i];
        for (int t = 1; t < ctx->threads; t++) {
            member_merge(&mp, &ctx->gsp[t].rp[i]);
            member_merge(&mn, &ctx->gsp[t].rn[i]);
        }
        side_close(pos, &mp);
        side_close(neg, &mn);
    }
}

void dml_gs_finish(dml_ctx *ctx, int by_proxy)
{
    side_acc pos = ctx->gsp[0].pos, neg = ctx->gsp[0].neg, col = ctx->gsp[0].col;
    double nonzero = ctx->gsp[0].nonzero;
    for (int t = 1; t < ctx->threads; t++) {
        side_merge(&pos, &ctx->gsp[t].pos);
        side_merge(&neg, &ctx->gsp[t].neg);
        side_merge(&col, &ctx->gsp[t].col);
        nonzero += ctx->gsp[t].nonzero;
    }
    if (!by_proxy)
        sample_sides(ctx, &pos, &neg);
    dml_gradstats *out = &ctx->gs;
    sides_out(out, &pos, &neg);
    out->active_frac = nonzero / ((double)ctx->M * (double)ctx->R);
    out->proxy_pos_top1_share = by_proxy ? out->pos_top1_share : mean_or_nan(col.top1, col.anchors);
    out->proxy_pos_eff_n = by_proxy ? out->pos_eff_n : mean_or_nan(col.eff, col.anchors);
    ctx->gs_valid = 1;
}
