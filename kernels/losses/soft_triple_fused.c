/* soft_triple_fused.c — SoftTriple's fused step: the two-pass sweep of the
 * fused proxy step (fused_sweep.c; Proxy-NCA's, proxy_fused.c) over blocks
 * that hold whole classes (K rows each), so P is read once and ∂L/∂P written
 * once, as for the other proxy losses.
 *
 * Sweep 1, each block: its similarities S (the thread's block, M × cb),
 * then for every sample and every class of the block the centre softmax q
 * (the LSE kernel over the class's K entries; q into the thread's block of
 * G) and the class similarity S' (the thread's M × cb/K in the scratch), and
 * the LSE of the block's class logits λ(S' − δ[c = y]) (ctx->flse, one per
 * block and row); each row's S' of its own class into ctx->fyv.  Between
 * the sweeps, each row's LSE from its block LSEs and its loss term.  Sweep
 * 2, each block (S, q and S' computed again but for the block still in the
 * buffers): π = exp(λ(S' − δ[c = y]) − lse), the gradient w.r.t. S in place
 * of q (soft_triple.c gives the formula), and the two products. */
#include <math.h>
#include <string.h>

#include "fused_sweep.h"

/* The scratch (soft_triple.c, dml_soft_triple_scratch): per thread 3C
 * floats, of which a block's class logits and their weights; then per
 * thread the block's S' (M × the block's classes, stride nc). */
static float *thread_scratch(const dml_ctx *ctx, int t)
{
    return ctx->scratch + (size_t)t * 3 * ctx->C;
}
static float *class_sim(const dml_sweep *w, int t)
{
    const dml_ctx *ctx = w->ctx;
    return thread_scratch(ctx, ctx->threads) + (size_t)t * ctx->M * (w->cb / ctx->K);
}

static void st_forward(dml_sweep *w, int t, const dml_block *k)
{
    dml_ctx *ctx = w->ctx;
    const dml_soft_triple_params *p = w->loss;
    const size_t M = ctx->M, C = ctx->C, K = ctx->K, D = ctx->D, cb = k->cb;
    const dml_kernels *kn = ctx->k;
    if (!k->cb) { /* no classes: the LSE of no member */
        for (size_t i = 0; i < M; i++)
            ctx->flse[k->b * M + i] = -INFINITY;
        return;
    }
    const size_t c0 = k->c0 / K, nc = k->cb / K;
    const dml_lse_side centres = { 1.0f / p->gamma, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    const dml_lse_side classes = { p->la, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    float *u = thread_scratch(ctx, t), *wt = u + C, *Sp = class_sim(w, t), out[2];
    kn->normalize(w->P + k->c0 * D, cb, D, k->Pb, k->pinv);
    kn->gemm(0, 1, M, cb, D, ctx->Xn, D, k->Pb, D, k->S, cb, k->work);
    for (size_t i = 0; i < M; i++) {
        const float *s = k->S + i * cb;
        float *g = k->G + i * cb;
        size_t yi = (size_t)ctx->y[i];
        for (size_t j = 0; j < nc; j++) {
            kn->lse(s + j * K, K, NULL, -1, SIZE_MAX, NULL, &centres, out, g + j * K);
            float sp = 0.0f;
            for (size_t q = 0; q < K; q++)
                sp += g[j * K + q] * s[j * K + q];
            Sp[i * nc + j] = sp;
            u[j] = c0 + j == yi ? sp - p->margin : sp;
        }
        if (k->again) /* sweep 2: the row's LSE is known */
            continue;
        if (yi >= c0 && yi < c0 + nc)
            ctx->fyv[i] = Sp[i * nc + yi - c0];
        kn->lse(u, nc, NULL, -1, SIZE_MAX, NULL, &classes, out, wt);
        ctx->flse[k->b * M + i] = out[1];
    }
}

/* Rows lo..hi: the row's LSE (kept in rowv[M + i]) and its loss term (rowv[i]). */
static void st_rows(dml_sweep *w, size_t lo, size_t hi)
{
    dml_ctx *ctx = w->ctx;
    const dml_soft_triple_params *p = w->loss;
    const size_t M = ctx->M;
    for (size_t i = lo; i < hi; i++) {
        float lse = dml_sweep_row_lse(w, i);
        ctx->rowv[M + i] = lse;
        ctx->rowv[i] = lse - p->la * (ctx->fyv[i] - p->margin);
    }
}

/* The block's G in place: q → (λ/M)(π − [c = y]) q (1 + (s − S')/γ). */
static void st_weights(dml_sweep *w, int t, const dml_block *k)
{
    dml_ctx *ctx = w->ctx;
    const dml_soft_triple_params *p = w->loss;
    const size_t M = ctx->M, K = ctx->K, cb = k->cb;
    const size_t c0 = k->c0 / K, nc = cb / K;
    const float coef = p->la / (float)M, inv_gamma = 1.0f / p->gamma;
    for (size_t i = 0; i < M; i++) {
        const float *s = k->S + i * cb, *Sp = class_sim(w, t) + i * nc;
        float *g = k->G + i * cb, lse = ctx->rowv[M + i];
        size_t yi = (size_t)ctx->y[i];
        for (size_t j = 0; j < nc; j++) {
            int own = c0 + j == yi;
            float pi = expf(p->la * (own ? Sp[j] - p->margin : Sp[j]) - lse);
            float wc = coef * (own ? pi - 1.0f : pi);
            for (size_t q = 0; q < K; q++)
                g[j * K + q] = wc * g[j * K + q] * (1.0f + (s[j * K + q] - Sp[j]) * inv_gamma);
        }
    }
}

static void st_backward(dml_sweep *w, int t, const dml_block *k)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D, cb = k->cb;
    const dml_kernels *kn = ctx->k;
    st_weights(w, t, k);
    dml_sweep_proxy_grad(w, t, k, 1, k->G, cb);
    (k->first ? kn->gemm : kn->gemm_acc)(0, 0, M, D, cb, k->G, cb, k->Pb, D, k->acc, D, k->work);
}

float dml_soft_triple_fused(dml_ctx *ctx, const dml_soft_triple_params *p, const float *X,
                            const float *P, float *dX, float *dP, double t0)
{
    dml_sweep w = dml_sweep_start(ctx, X, P, dX, dP);
    w.loss = p;
    w.fwd_ns = dml_now_ns() - t0;
    static const dml_two_pass st = { st_forward, st_rows, st_backward, NULL }; /* S in sweep 2 too */
    dml_sweep_two_pass(&w, &st);
    double sum = 0;
    for (size_t i = 0; i < ctx->M; i++)
        sum += ctx->rowv[i];
    dml_sweep_record(&w, t0, dX != NULL);
    return (float)(sum / (double)ctx->M);
}
