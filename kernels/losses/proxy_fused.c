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
 * its products.  Sweep 2 runs each thread's blocks in reverse, so the first
 * one's P̂ is still in the thread's buffer; the others it normalises again
 * from P (the same division, so the same bits) rather than writing P̂ out in
 * sweep 1 and reading it back.
 *
 * Every kernel is called through the context's table; nothing here knows an ISA. */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "dml_internal.h"

/* Most proxy rows per block.  Measured on Zen 4 (1 MiB L2, M = 180, D = 512,
 * avx512, one thread, two runs each): 384 rows gave 84.9–85.1 % of peak at
 * C = 11318, 192 rows 83.1–84.9 %, 288 rows 82.6–83.3 % — differences near the
 * noise of the shared machine, none at C = 1000.  A 384-row block of P̂ is
 * 768 KiB at D = 512 (not measured on a 2 MiB-L2 machine). */
#define DML_FUSED_BLOCK 384

/* Part t of n in `parts` near-equal parts, the larger ones first: thread 0,
 * which sums into dX itself, always has some proxies. */
static void slice(size_t n, int parts, int t, size_t *lo, size_t *hi)
{
    *lo = (n * (size_t)t + (size_t)parts - 1) / (size_t)parts;
    *hi = (n * (size_t)(t + 1) + (size_t)parts - 1) / (size_t)parts;
}

/* Thread t owns the proxies slice(C, threads, t) (the same count, to one row)
 * in *per_thread blocks of *block rows (rounded up to 8; its last may be
 * shorter).  Dealing whole blocks round-robin instead left threads uneven: at
 * C = 100 on two threads blocks of 56 and 44. */
void dml_fused_plan(size_t C, int threads, size_t *block, size_t *per_thread)
{
    size_t range = (C + (size_t)threads - 1) / (size_t)threads;
    size_t nbt = (range + DML_FUSED_BLOCK - 1) / DML_FUSED_BLOCK;
    size_t cb = nbt ? (range + nbt - 1) / nbt : 1;
    cb = (cb + 7) / 8 * 8;
    if (cb > range)
        cb = range;
    *block = cb ? cb : 1;
    *per_thread = nbt ? (range + *block - 1) / *block : 1;
}

/* What one step's sweep shares between its threads. */
typedef struct sweep {
    dml_ctx *ctx;
    const float *P;
    float *dX, *dP;  /* NULL: forward only */
    size_t cb, nbt, nb; /* block rows, blocks a thread, blocks (threads × nbt) */
    dml_lse_side pos, neg; /* Proxy-Anchor's sides; Proxy-NCA uses neg alone */
    int include_positive;
    double fwd_ns, bwd_ns; /* thread 0's time in each phase */
} sweep;

typedef struct block {
    size_t c0, cb;   /* first proxy and rows (0: past the end of the thread's range) */
    size_t b;        /* its index among all blocks (Proxy-NCA's block LSEs) */
    float *Pb, *pinv; /* this thread's normalised block and its 1/‖p‖ */
    float *acc;      /* this thread's ∂L/∂X̂ accumulator */
    int first;       /* the thread's first block: it overwrites acc (no clearing pass) */
    float *work;
} block;

/* Block q of thread t. */
static block thread_block(const sweep *w, int t, size_t q)
{
    dml_ctx *ctx = w->ctx;
    block k;
    size_t lo, hi;
    slice(ctx->C, ctx->threads, t, &lo, &hi);
    k.c0 = lo + q * w->cb;
    k.cb = k.c0 >= hi ? 0 : hi - k.c0 < w->cb ? hi - k.c0 : w->cb;
    k.b = (size_t)t * w->nbt + q;
    k.Pb = ctx->fpb + (size_t)t * (w->cb * ctx->D + w->cb);
    k.pinv = k.Pb + w->cb * ctx->D;
    k.acc = t == 0 ? w->dX : ctx->fdx + (size_t)(t - 1) * ctx->M * ctx->D;
    k.work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
    k.first = q == 0;
    return k;
}

/* How many of thread t's blocks hold proxies. */
static size_t blocks_of(const sweep *w, int t)
{
    size_t lo, hi;
    slice(w->ctx->C, w->ctx->threads, t, &lo, &hi);
    return (hi - lo + w->cb - 1) / w->cb;
}

static void tick(int t, double *t_last, double *phase)
{
    if (t != 0)
        return;
    double now = dml_now_ns();
    *phase += now - *t_last;
    *t_last = now;
}

/* ------------------------------------------------------- Proxy-Anchor */

/* One block: Sᵀ rows c0.. (contiguous, C×M layout), their LSE⁺ and weights,
 * then ∂L/∂P rows c0.. and this block's share of ∂L/∂X̂. */
static void pa_block(sweep *w, int t, const block *k, double *t_last)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D;
    const dml_kernels *kn = ctx->k;
    float *S = ctx->S + k->c0 * M, *G = ctx->G + k->c0 * M;
    kn->normalize(w->P + k->c0 * D, k->cb, D, k->Pb, k->pinv);
    kn->gemm_packed(0, 1, k->cb, M, D, k->Pb, D, ctx->Xn, D, ctx->fxp1, S, M, k->work, 0);
    for (size_t r = 0; r < k->cb; r++)
        kn->lse(S + r * M, M, ctx->y, (int32_t)(k->c0 + r), SIZE_MAX, &w->pos, &w->neg,
                ctx->rowv + 2 * (k->c0 + r), G + r * M);
    tick(t, t_last, &w->fwd_ns);
    if (!w->dX)
        return;
    float *dP = w->dP + k->c0 * D;
    kn->gemm_packed_nb(0, 0, k->cb, D, M, G, M, ctx->Xn, D, ctx->fxp0, k->Pb, k->pinv, dP, D,
                       k->work);
    (k->first ? kn->gemm : kn->gemm_acc)(1, 0, M, D, k->cb, G, M, k->Pb, D, k->acc, D, k->work);
    tick(t, t_last, &w->bwd_ns);
}

/* ---------------------------------------------------------- Proxy-NCA */

/* Sweep 1 of one block: S columns c0.. (M×C layout), and for each row the
 * block's LSE (ctx->flse[b·M + i]: block-major, so two threads' blocks never
 * share a cache line but at their ends) and weights exp(z − lse_blk) in G. */
static void nca_block_forward(sweep *w, const block *k)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    const dml_kernels *kn = ctx->k;
    kn->normalize(w->P + k->c0 * D, k->cb, D, k->Pb, k->pinv);
    kn->gemm(0, 1, M, k->cb, D, ctx->Xn, D, k->Pb, D, ctx->S + k->c0, C, k->work);
    for (size_t i = 0; i < M; i++) {
        /* Column j of the block has label c0 + j: the positive is left out
         * (without include_positive) only in the block that holds it. */
        size_t yi = (size_t)ctx->y[i];
        int32_t c = !w->include_positive && yi >= k->c0 && yi < k->c0 + k->cb
                        ? (int32_t)(yi - k->c0) : -1;
        float out[2];
        kn->lse(ctx->S + i * C + k->c0, k->cb, NULL, c, SIZE_MAX, NULL, &w->neg, out,
                ctx->G + i * C + k->c0);
        ctx->flse[k->b * M + i] = out[1];
    }
}

/* Between the sweeps, rows lo..hi: each row's LSE from its block LSEs, its loss
 * term, and the factors coef·exp(lse_blk − lse) that sweep 2 applies. */
static void nca_rows_finish(sweep *w, size_t lo, size_t hi, float scale, float coef)
{
    dml_ctx *ctx = w->ctx;
    const size_t C = ctx->C, M = ctx->M, nb = w->nb;
    for (size_t i = lo; i < hi; i++) {
        float *L = ctx->flse + i, m = -INFINITY, sum = 0.0f; /* L[b·M]: block b */
        for (size_t b = 0; b < nb; b++)
            m = L[b * M] > m ? L[b * M] : m;
        for (size_t b = 0; b < nb; b++)
            sum += L[b * M] == -INFINITY ? 0.0f : expf(L[b * M] - m);
        float lse = m + logf(sum);
        ctx->rowv[i] = -scale * ctx->S[i * C + (size_t)ctx->y[i]] + lse;
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

static void nca_block_weights(sweep *w, const block *k, float coef)
{
    dml_ctx *ctx = w->ctx;
    const size_t C = ctx->C;
    for (size_t i = 0; i < ctx->M; i++) {
        float *g = ctx->G + i * C + k->c0;
        scale_row(g, k->cb, ctx->flse[k->b * ctx->M + i]);
        size_t yi = (size_t)ctx->y[i];
        if (yi >= k->c0 && yi < k->c0 + k->cb)
            g[yi - k->c0] -= coef;
    }
}

/* Sweep 2 of one block: the weights, then ∂L/∂P rows c0.. and ∂L/∂X̂'s share.
 * renorm: P̂ of the block is no longer in the thread's buffer (only the block
 * it did last in sweep 1 still is). */
static void nca_block_backward(sweep *w, const block *k, float coef, int renorm)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    const dml_kernels *kn = ctx->k;
    const float *G = ctx->G + k->c0;
    float *dP = w->dP + k->c0 * D;
    nca_block_weights(w, k, coef);
    if (renorm)
        kn->normalize(w->P + k->c0 * D, k->cb, D, k->Pb, k->pinv);
    kn->gemm_packed_nb(1, 0, k->cb, D, M, G, C, ctx->Xn, D, ctx->fxp0, k->Pb, k->pinv, dP, D,
                       k->work);
    (k->first ? kn->gemm : kn->gemm_acc)(0, 0, M, D, k->cb, G, C, k->Pb, D, k->acc, D, k->work);
}

/* ------------------------------------------------------------ the sweep */

/* ∂L/∂X from the threads' accumulators, rows split between the threads. */
static void finish_dx(sweep *w, int t, int nt)
{
    dml_ctx *ctx = w->ctx;
    const size_t D = ctx->D;
    size_t lo, hi;
    slice(ctx->M, nt, t, &lo, &hi);
    for (int u = 1; u < nt; u++) {
        if (blocks_of(w, u) == 0) /* a thread without proxies (C < threads) wrote none */
            continue;
        const float *a = ctx->fdx + (size_t)(u - 1) * ctx->M * D;
        for (size_t e = lo * D; e < hi * D; e++)
            w->dX[e] += a[e];
    }
    if (hi > lo)
        ctx->k->normalize_backward(ctx->Xn + lo * D, ctx->xinv + lo, w->dX + lo * D, hi - lo, D,
                                   w->dX + lo * D);
}

/* X̂ packed once for all the blocks: as X̂ᵀ for Proxy-Anchor's S (thread 0)
 * and as X̂ for ∂L/∂P̂ (thread 1, or 0 alone).  Before a barrier. */
static void pack_x(sweep *w, int t, int nt, int xt, int x)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D;
    if (xt && t == 0)
        ctx->k->gemm_pack_b(1, M, D, ctx->Xn, D, ctx->fxp1);
    if (x && w->dX && t == 1 % nt)
        ctx->k->gemm_pack_b(0, D, M, ctx->Xn, D, ctx->fxp0);
}

static void pa_sweep(sweep *w)
{
    dml_ctx *ctx = w->ctx;
    int nt = ctx->threads;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int t = omp_get_thread_num();
        double t_last = dml_now_ns();
        pack_x(w, t, nt, 1, 1);
#pragma omp barrier
        for (size_t q = 0; q < blocks_of(w, t); q++) {
            block k = thread_block(w, t, q);
            pa_block(w, t, &k, &t_last);
        }
        if (w->dX) {
#pragma omp barrier
            finish_dx(w, t, nt);
            tick(t, &t_last, &w->bwd_ns);
        }
    }
}

static void nca_sweep(sweep *w, float scale, float coef)
{
    dml_ctx *ctx = w->ctx;
    int nt = ctx->threads;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int t = omp_get_thread_num();
        double t_last = dml_now_ns();
        size_t lo, hi;
        for (size_t q = 0; q < w->nbt; q++) {
            block k = thread_block(w, t, q);
            if (k.cb)
                nca_block_forward(w, &k);
            else /* no proxies: an empty block, whose LSE is that of no member */
                for (size_t i = 0; i < ctx->M; i++)
                    ctx->flse[k.b * ctx->M + i] = -INFINITY;
        }
        pack_x(w, t, nt, 0, 1); /* X̂ for sweep 2, by thread 1 while 0 may still be busy */
#pragma omp barrier
        slice(ctx->M, nt, t, &lo, &hi);
        nca_rows_finish(w, lo, hi, scale, coef);
        tick(t, &t_last, &w->fwd_ns);
        if (w->dX) {
#pragma omp barrier
            /* The thread's blocks in reverse: the first is the one whose P̂
             * sweep 1 left in the buffer (with one block a thread, all of them). */
            size_t mine = blocks_of(w, t);
            for (size_t q = mine; q-- > 0;) {
                block k = thread_block(w, t, q);
                k.first = q == mine - 1; /* the first ∂L/∂X̂ product overwrites */
                nca_block_backward(w, &k, coef, q != mine - 1);
            }
#pragma omp barrier
            finish_dx(w, t, nt);
            tick(t, &t_last, &w->bwd_ns);
        }
    }
}

/* The phases interleave: split the step's wall time as thread 0 spent it. */
static void record(sweep *w, double t0, int backward)
{
    dml_ctx *ctx = w->ctx;
    double wall = dml_now_ns() - t0, sum = w->fwd_ns + w->bwd_ns;
    double share = backward && sum > 0 ? w->fwd_ns / sum : 1.0;
    double mcd = (double)ctx->M * (double)ctx->C * (double)ctx->D;
    ctx->fwd_ns = wall * share;
    ctx->bwd_ns = wall - ctx->fwd_ns;
    ctx->fwd_flops = 2.0 * mcd;
    ctx->bwd_flops = backward ? 4.0 * mcd : 0.0;
    ctx->has_grad = backward;
}

static sweep sweep_start(dml_ctx *ctx, const float *X, const float *P, float *dX, float *dP)
{
    sweep w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.P = P;
    w.dX = dX;
    w.dP = dP;
    dml_fused_plan(ctx->C, ctx->threads, &w.cb, &w.nbt);
    w.nb = (size_t)ctx->threads * w.nbt;
    dml_par_normalize(ctx, X, ctx->M, ctx->Xn, ctx->xinv);
    return w;
}

float dml_proxy_anchor_fused(dml_ctx *ctx, const dml_lse_side *pos, const dml_lse_side *neg,
                             const float *X, const float *P, float *dX, float *dP, double t0)
{
    sweep w = sweep_start(ctx, X, P, dX, dP);
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
    record(&w, t0, dX != NULL);
    return (float)(pos_sum / (double)n_pos + neg_sum / (double)ctx->C);
}

float dml_proxy_nca_fused(dml_ctx *ctx, float scale, int include_positive, const float *X,
                          const float *P, float *dX, float *dP, double t0)
{
    sweep w = sweep_start(ctx, X, P, dX, dP);
    const float coef = scale / (float)ctx->M;
    w.neg = (dml_lse_side){ scale, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    w.include_positive = include_positive;
    w.fwd_ns = dml_now_ns() - t0;
    nca_sweep(&w, scale, coef);
    double sum = 0;
    for (size_t i = 0; i < ctx->M; i++)
        sum += ctx->rowv[i];
    record(&w, t0, dX != NULL);
    return (float)(sum / (double)ctx->M);
}
