/* proxy_fused.c — the fused step of the proxy losses (docs/losses.md, "The fused proxy step").
 *
 * The unfused step makes about eight passes over the C×D proxies (normalise:
 * read P, write P̂; each of the three products packs or writes a C×D operand;
 * the normalisation's backward reads ∂L/∂P̂ and P̂ and writes ∂L/∂P), with only
 * M rows of work to amortise each; at C = 11318 P is 23 MB and every pass goes
 * to memory.  Here the proxies are swept in blocks of at most DML_FUSED_BLOCK
 * rows whose normalised copy, similarities and weights stay in the thread's
 * L2 (or close to it), and everything a block touches is done before the next
 * one is read:
 *
 *   normalise the block (norms once, P̂ into a per-thread buffer, never to memory)
 *   S block = P̂ X̂ᵀ, then its LSE⁺ reductions and weights G while it is in L2
 *   ∂L/∂P block = G_blk X̂ through the normalisation's backward, in the
 *     product's epilogue (gemm_packed_nb: each 12-row panel while in L1)
 *   ∂L/∂X̂ += G_blk P̂ block (gemm_acc, in place; one accumulator per thread)
 *
 * Proxy-Anchor reduces each proxy's column of S over the batch, which lies
 * wholly inside a block: one sweep.  Proxy-NCA reduces each sample's row over
 * every class, which spans all blocks: a two-pass LSE.  Sweep 1 computes each
 * block's S and, per row, the block's own LSE and weights exp(z − lse_blk)
 * (the kernel's one exp per entry); the row's LSE is then the LSE of its block
 * LSEs, and sweep 2 rescales each block's weights by exp(lse_blk − lse) before
 * its products.  Nothing of size M × C is kept between the sweeps but the
 * block LSEs (M × blocks): sweep 2 runs each thread's blocks in reverse, so
 * the first one's P̂, S and G are still in the thread's buffers; the others
 * it computes again from P (the same calls, so the same bits) rather than
 * writing S and G out whole in sweep 1 and reading them back.  Where the
 * first weights of every block fit in DML_FUSED_KEEP_MAX_BYTES (M × C at
 * moderate C), they are kept instead, and sweep 2 only normalises each block
 * of P again: the recomputation made the fused step 0.8× the unfused one at
 * C = 1 000 and 11 318 (idle Sapphire Rapids-class guest, 2026-12-06).
 *
 * Every kernel is called through the context's table; nothing here knows an
 * ISA.  What the fused steps share (the plan, the blocks, the two-pass sweep):
 * fused_sweep.c; SoftTriple's fused step: soft_triple_fused.c. */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "fused_sweep.h"

/* ------------------------------------------------------- Proxy-Anchor */

/* One block: Sᵀ rows c0.. (the thread's block, cb × M), their LSE⁺ and
 * weights, then ∂L/∂P rows c0.. and this block's share of ∂L/∂X̂. */
static void pa_block(dml_sweep *w, int t, const dml_block *k, double *t_last)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D;
    const dml_kernels *kn = ctx->k;
    float *S = k->S, *G = k->G;
    dml_sweep_normalize(w, k);
    kn->gemm_packed(0, 1, k->cb, M, D, k->Pb, D, ctx->Xn, D, ctx->fxp1, S, M, k->work, 0);
    for (size_t r = 0; r < k->cb; r++)
        kn->lse(S + r * M, M, ctx->y, (int32_t)(k->c0 + r), SIZE_MAX, &w->pos, &w->neg,
                ctx->rowv + 2 * (k->c0 + r), G + r * M);
    dml_sweep_tick(t, t_last, &w->fwd_ns);
    if (!w->dX)
        return;
    if (ctx->gs_on)
        dml_gs_proxy_block(ctx, t, G, M, k->c0, k->cb);
    dml_sweep_proxy_grad(w, t, k, 0, G, M);
    (k->first ? kn->gemm : kn->gemm_acc)(1, 0, M, D, k->cb, G, M, k->Pb, D, k->acc, D, k->work);
    dml_sweep_tick(t, t_last, &w->bwd_ns);
}

/* ---------------------------------------------------------- Proxy-NCA */

/* Sweep 1 of one block: S columns c0.. (the thread's block, M × cb), and for
 * each row the block's LSE (ctx->flse[b·M + i]: block-major, so two threads'
 * blocks never share a cache line but at their ends), its similarity to its
 * own class if the block holds it (ctx->fyv) and weights exp(z − lse_blk)
 * in G.  Again in sweep 2 (k->again), without the LSEs. */
static void nca_block_forward(dml_sweep *w, int t, const dml_block *k)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D, cb = k->cb;
    const dml_kernels *kn = ctx->k;
    (void)t;
    if (!k->cb) { /* no proxies: an empty block, whose LSE is that of no member */
        for (size_t i = 0; i < M; i++)
            ctx->flse[k->b * M + i] = -INFINITY;
        return;
    }
    dml_sweep_normalize(w, k);
    kn->gemm(0, 1, M, cb, D, ctx->Xn, D, k->Pb, D, k->S, cb, k->work);
    for (size_t i = 0; i < M; i++) {
        /* Column j of the block has label c0 + j: the positive is left out
         * (without include_positive) only in the block that holds it. */
        size_t yi = (size_t)ctx->y[i];
        int own = yi >= k->c0 && yi < k->c0 + cb;
        int32_t c = !w->include_positive && own ? (int32_t)(yi - k->c0) : -1;
        float out[2];
        kn->lse(k->S + i * cb, cb, NULL, c, SIZE_MAX, NULL, &w->neg, out, k->G + i * cb);
        if (k->again)
            continue;
        ctx->flse[k->b * M + i] = out[1];
        if (own)
            ctx->fyv[i] = k->S[i * cb + yi - k->c0];
    }
}

/* Between the sweeps, rows lo..hi: each row's LSE from its block LSEs, its loss
 * term, and the factors coef·exp(lse_blk − lse) that sweep 2 applies. */
static void nca_rows_finish(dml_sweep *w, size_t lo, size_t hi)
{
    dml_ctx *ctx = w->ctx;
    const float scale = w->scale, coef = w->coef;
    const size_t M = ctx->M, nb = w->nb;
    for (size_t i = lo; i < hi; i++) {
        float *L = ctx->flse + i; /* L[b·M]: block b */
        float lse = dml_sweep_row_lse(w, i);
        ctx->rowv[i] = -scale * ctx->fyv[i] + lse;
        for (size_t b = 0; b < nb; b++)
            L[b * M] = L[b * M] == -INFINITY ? 0.0f : coef * expf(L[b * M] - lse);
    }
}

/* The final weights of one block in place: e · factor, 0 where that would be
 * subnormal (as the LSE kernels flush them), minus coef at the positive.
 * In the compiler's generic 4-lane vectors: gcc -O2 leaves the plain loop
 * scalar, and it touches every entry of S once more (2 % of the step). */
typedef float dml_f32x4 __attribute__((vector_size(16)));
typedef int32_t dml_i32x4 __attribute__((vector_size(16)));

static void scale_row(float *g, size_t n, float f)
{
    const float floor = f > 0.0f ? FLT_MIN / f : INFINITY;
    const dml_f32x4 fv = { f, f, f, f }, lo = { floor, floor, floor, floor };
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        dml_f32x4 e;
        memcpy(&e, g + j, sizeof e);
        dml_i32x4 keep = e >= lo; /* all ones where kept */
        dml_f32x4 w = e * fv;
        dml_i32x4 bits;
        memcpy(&bits, &w, sizeof bits);
        bits &= keep;
        memcpy(g + j, &bits, sizeof bits);
    }
    for (; j < n; j++)
        g[j] = g[j] >= floor ? g[j] * f : 0.0f;
}

static void nca_block_weights(dml_sweep *w, const dml_block *k, float coef)
{
    dml_ctx *ctx = w->ctx;
    for (size_t i = 0; i < ctx->M; i++) {
        float *g = k->G + i * k->cb;
        scale_row(g, k->cb, ctx->flse[k->b * ctx->M + i]);
        size_t yi = (size_t)ctx->y[i];
        if (yi >= k->c0 && yi < k->c0 + k->cb)
            g[yi - k->c0] -= coef;
    }
}

int dml_fused_keeps_weights(dml_loss loss)
{
    return loss == DML_LOSS_PROXY_NCA || loss == DML_LOSS_NORMALIZED_SOFTMAX; /* dml_softmax_rows */
}

/* Sweep 2 of a block whose first weights were kept: its P̂ again. */
static void nca_block_refill(dml_sweep *w, int t, const dml_block *k)
{
    (void)t;
    dml_sweep_normalize(w, k);
}

/* Sweep 2 of one block (its P̂, S and first weights in the thread's
 * buffers): the final weights, then ∂L/∂P rows c0.. and ∂L/∂X̂'s share. */
static void nca_block_backward(dml_sweep *w, int t, const dml_block *k)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D, cb = k->cb;
    const dml_kernels *kn = ctx->k;
    nca_block_weights(w, k, w->coef);
    dml_sweep_proxy_grad(w, t, k, 1, k->G, cb);
    (k->first ? kn->gemm : kn->gemm_acc)(0, 0, M, D, cb, k->G, cb, k->Pb, D, k->acc, D, k->work);
}

/* ------------------------------------------------------------ the sweeps */

static void pa_sweep(dml_sweep *w)
{
    dml_ctx *ctx = w->ctx;
    int nt = ctx->threads;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int t = omp_get_thread_num();
        double t_last = dml_now_ns();
        dml_sweep_pack_x(w, t, nt, 1, 1);
        if (w->dX && ctx->gs_on)
            dml_gs_begin(ctx, t);
#pragma omp barrier
        for (size_t q = 0; q < dml_sweep_blocks_of(w, t); q++) {
            dml_block k = dml_sweep_block(w, t, q);
            pa_block(w, t, &k, &t_last);
        }
        if (w->dX) {
#pragma omp barrier
            dml_sweep_finish_dx(w, t, nt);
            dml_sweep_tick(t, &t_last, &w->bwd_ns);
        }
    }
    if (w->dX && ctx->gs_on)
        dml_gs_finish(ctx, 1);
}

float dml_proxy_anchor_fused(dml_ctx *ctx, const dml_lse_side *pos, const dml_lse_side *neg,
                             const float *X, const float *P, float *dX, float *dP, double t0)
{
    dml_sweep w = dml_sweep_start(ctx, X, P, dX, dP);
    w.pos = *pos;
    w.neg = *neg;
    w.fwd_ns = dml_now_ns() - t0; /* the normalisation of X */
    pa_sweep(&w);
    double pos_sum = 0, neg_sum = 0;
    size_t n_pos = 0;
    for (size_t c = 0; c < ctx->C; c++) {
        if (ctx->seen[c])
            pos_sum += ctx->rowv[2 * c], n_pos++;
        neg_sum += ctx->rowv[2 * c + 1];
    }
    dml_sweep_record(&w, t0, dX != NULL);
    return (float)(pos_sum / (double)n_pos + neg_sum / (double)ctx->C);
}

float dml_proxy_nca_fused(dml_ctx *ctx, float scale, int include_positive, const float *X,
                          const float *P, float *dX, float *dP, double t0)
{
    dml_sweep w = dml_sweep_start(ctx, X, P, dX, dP);
    const float coef = scale / (float)ctx->M;
    w.neg = (dml_lse_side){ scale, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    w.include_positive = include_positive;
    w.scale = scale;
    w.coef = coef;
    w.fwd_ns = dml_now_ns() - t0;
    static const dml_two_pass nca = { nca_block_forward, nca_rows_finish, nca_block_backward,
                                       nca_block_refill };
    dml_sweep_two_pass(&w, &nca);
    double sum = 0;
    for (size_t i = 0; i < ctx->M; i++)
        sum += ctx->rowv[i];
    dml_sweep_record(&w, t0, dX != NULL);
    return (float)(sum / (double)ctx->M);
}
