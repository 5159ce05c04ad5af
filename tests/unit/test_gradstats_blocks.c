/* test_gradstats_blocks.c — the fused step's gatherers of the gradient
 * statistics (kernels/losses/gradstats_blocks.c) against the readers of a
 * whole G (gradstats_sides.c), on the same G: the G an unfused step leaves
 * in its context, fed to the gatherers block by block.  In order on one
 * thread they must give the same bits (the same terms in the same order);
 * split over two threads, or the blocks in reverse as the two-pass sweep
 * runs them, the same to float64 rounding.  Inside the library: it reaches
 * the context's buffers (dml_internal.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loss_table.h"

static float frand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / (float)(1u << 24) - 0.5f;
}

/* An unfused step of loss on (M, C, D) with `threads` threads: its G whole. */
static dml_ctx *stepped(dml_loss loss, size_t M, size_t C, size_t D, int threads)
{
    dml_params p = dml_params_default(loss);
    size_t R = dml_proxy_rows(&p, C);
    float *X = malloc(M * D * sizeof(float)), *P = malloc(R * D * sizeof(float));
    float *dX = malloc(M * D * sizeof(float)), *dP = malloc(R * D * sizeof(float)), L;
    int32_t *y = malloc(M * sizeof(int32_t));
    unsigned s = 7;
    for (size_t i = 0; i < M * D; i++) X[i] = frand(&s);
    for (size_t i = 0; i < R * D; i++) P[i] = frand(&s);
    for (size_t i = 0; i < M; i++) y[i] = (int32_t)((i * 5 + 1) % (C / 2 + 1));
    dml_ctx *ctx = dml_ctx_create_for(&p, M, C, D, DML_ISA_REF, threads, NULL);
    cr_assert_not_null(ctx);
    cr_assert_eq(dml_ctx_set_fused(ctx, 0), DML_OK);
    cr_assert_eq(dml_loss_step(ctx, &p, X, y, P, &L, dX, dP), DML_OK, "%s", dml_last_error());
    free(X), free(P), free(dX), free(dP), free(y);
    return ctx;
}

/* The whole-G statistics of the step (the sides and shares: no norms). */
static dml_gradstats whole(const dml_ctx *ctx)
{
    dml_gradstats g;
    dml_loss_row_of(ctx->loss)->gstats(ctx, &g);
    return g;
}

/* G fed in blocks of cb rows (by proxy) or columns (by sample); thread t
 * takes the blocks of its half when two; reverse: the blocks backwards. */
static dml_gradstats gathered(dml_ctx *ctx, size_t cb, int reverse)
{
    const size_t M = ctx->M, R = ctx->R, nb = (R + cb - 1) / cb;
    int by_proxy = ctx->loss == DML_LOSS_PROXY_ANCHOR;
    for (int t = 0; t < ctx->threads; t++)
        dml_gs_begin(ctx, t);
    for (size_t n = 0; n < nb; n++) {
        size_t b = reverse ? nb - 1 - n : n, j0 = b * cb, w = R - j0 < cb ? R - j0 : cb;
        int t = (int)(b * (size_t)ctx->threads / nb);
        if (by_proxy)
            dml_gs_proxy_block(ctx, t, ctx->G + j0 * M, M, j0, w);
        else
            dml_gs_sample_block(ctx, t, ctx->G + j0, R, j0, w);
    }
    dml_gs_finish(ctx, by_proxy);
    return ctx->gs;
}

#define SAME_BITS(a, b, f) cr_expect(memcmp(&(a).f, &(b).f, sizeof (a).f) == 0, #f ": %.17g vs %.17g", (double)(a).f, (double)(b).f)
#define CLOSE(a, b, f) cr_expect((isnan((a).f) && isnan((b).f)) || fabs((a).f - (b).f) <= 1e-12 * fabs((b).f), #f ": %.17g vs %.17g", (a).f, (b).f)

static void expect_bits(dml_gradstats g, dml_gradstats w)
{
    SAME_BITS(g, w, pos_top1_share); SAME_BITS(g, w, pos_eff_n);
    SAME_BITS(g, w, neg_top1_share); SAME_BITS(g, w, neg_eff_n);
    SAME_BITS(g, w, active_frac); SAME_BITS(g, w, pos_anchors); SAME_BITS(g, w, neg_anchors);
    SAME_BITS(g, w, proxy_pos_top1_share); SAME_BITS(g, w, proxy_pos_eff_n);
}

static void expect_close(dml_gradstats g, dml_gradstats w)
{
    CLOSE(g, w, pos_top1_share); CLOSE(g, w, pos_eff_n);
    CLOSE(g, w, neg_top1_share); CLOSE(g, w, neg_eff_n);
    CLOSE(g, w, active_frac); CLOSE(g, w, proxy_pos_top1_share); CLOSE(g, w, proxy_pos_eff_n);
    cr_expect(g.pos_anchors == w.pos_anchors && g.neg_anchors == w.neg_anchors);
}

Test(gradstats_blocks, in_order_on_one_thread_the_same_bits)
{
    static const dml_loss losses[] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_PROXY_NCA,
                                       DML_LOSS_SOFT_TRIPLE, DML_LOSS_NORMALIZED_SOFTMAX };
    for (size_t l = 0; l < sizeof losses / sizeof *losses; l++) {
        dml_ctx *ctx = stepped(losses[l], 37, 301, 9, 1);
        dml_gradstats w = whole(ctx);
        cr_expect(w.neg_anchors > 0, "a case with something to count");
        expect_bits(gathered(ctx, 40, 0), w);
        expect_bits(gathered(ctx, ctx->R, 0), w); /* one block */
        expect_close(gathered(ctx, 30, 1), w);    /* the two-pass sweep's order */
        dml_ctx_destroy(ctx);
    }
}

Test(gradstats_blocks, two_threads_to_rounding)
{
    static const dml_loss losses[] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_PROXY_NCA,
                                       DML_LOSS_SOFT_TRIPLE };
    for (size_t l = 0; l < sizeof losses / sizeof *losses; l++) {
        dml_ctx *ctx = stepped(losses[l], 29, 257, 5, 2);
        dml_gradstats w = whole(ctx);
        expect_close(gathered(ctx, 24, 0), w);
        expect_close(gathered(ctx, 24, 1), w);
        dml_ctx_destroy(ctx);
    }
}
