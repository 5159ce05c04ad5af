/* fused_sweep.c — what the fused proxy steps share (fused_sweep.h): the plan
 * of blocks, a thread's blocks, X̂ packed once, ∂L/∂X from the threads, the
 * record of the step, and the two-pass sweep along rows of S.  Why the step
 * is swept in blocks: proxy_fused.c. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fused_sweep.h"

/* Most proxy rows per block.  Measured on Zen 4 (1 MiB L2, M = 180, D = 512,
 * avx512, one thread, two runs each): 384 rows gave 84.9–85.1 % of peak at
 * C = 11318, 192 rows 83.1–84.9 %, 288 rows 82.6–83.3 % — differences near the
 * noise of the shared machine, none at C = 1000.  A 384-row block of P̂ is
 * 768 KiB at D = 512 (not measured on a 2 MiB-L2 machine). */
#define DML_FUSED_BLOCK 384

/* Thread 0, which sums into dX itself, always has some proxies. */
void dml_sweep_slice(size_t n, int parts, int t, size_t *lo, size_t *hi)
{
    *lo = (n * (size_t)t + (size_t)parts - 1) / (size_t)parts;
    *hi = (n * (size_t)(t + 1) + (size_t)parts - 1) / (size_t)parts;
}

/* Thread t owns the classes slice(C, threads, t) (the same count, to one)
 * in *per_thread blocks of *block rows, each K rows a class: with K = 1
 * blocks of at most DML_FUSED_BLOCK rows rounded up to 8 (its last may be
 * shorter); with K > 1 whole classes, at most DML_FUSED_BLOCK rows (at least
 * one class).  Dealing whole blocks round-robin instead left threads uneven:
 * at C = 100 on two threads blocks of 56 and 44. */
void dml_fused_plan(size_t C, size_t K, int threads, size_t *block, size_t *per_thread)
{
    size_t most = K > 1 ? (DML_FUSED_BLOCK / K ? DML_FUSED_BLOCK / K : 1) : DML_FUSED_BLOCK;
    size_t range = (C + (size_t)threads - 1) / (size_t)threads;
    size_t nbt = (range + most - 1) / most;
    size_t cb = nbt ? (range + nbt - 1) / nbt : 1;
    if (K <= 1)
        cb = (cb + 7) / 8 * 8;
    if (cb > range)
        cb = range;
    cb = cb ? cb : 1;
    *block = cb * (K ? K : 1);
    *per_thread = nbt ? (range + cb - 1) / cb : 1;
}

/* Thread t's rows of P: its classes' rows. */
static void thread_rows(const dml_sweep *w, int t, size_t *lo, size_t *hi)
{
    const dml_ctx *ctx = w->ctx;
    dml_sweep_slice(ctx->C, ctx->threads, t, lo, hi);
    *lo *= ctx->K;
    *hi *= ctx->K;
}

dml_block dml_sweep_block(const dml_sweep *w, int t, size_t q)
{
    dml_ctx *ctx = w->ctx;
    dml_block k;
    size_t lo, hi;
    thread_rows(w, t, &lo, &hi);
    k.c0 = lo + q * w->cb;
    k.cb = k.c0 >= hi ? 0 : hi - k.c0 < w->cb ? hi - k.c0 : w->cb;
    k.b = (size_t)t * w->nbt + q;
    k.Pb = ctx->fpb + (size_t)t * (w->cb * ctx->D + w->cb);
    k.pinv = k.Pb + w->cb * ctx->D;
    k.S = ctx->fsb + (size_t)t * w->cb * ctx->M;
    k.G = w->keep ? w->keep + k.b * w->cb * ctx->M : ctx->fgb + (size_t)t * w->cb * ctx->M;
    k.again = 0;
    k.acc = t == 0 ? w->dX : ctx->fdx + (size_t)(t - 1) * ctx->M * ctx->D;
    k.work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
    k.first = q == 0;
    return k;
}

size_t dml_sweep_blocks_of(const dml_sweep *w, int t)
{
    size_t lo, hi;
    thread_rows(w, t, &lo, &hi);
    return (hi - lo + w->cb - 1) / w->cb;
}

void dml_sweep_proxy_grad(dml_sweep *w, int t, const dml_block *k, int tg, const float *G,
                          size_t ldg)
{
    dml_ctx *ctx = w->ctx;
    const size_t D = ctx->D;
    float *dst = w->Pw ? ctx->fdpb + (size_t)t * w->cb * D : w->dP + k->c0 * D;
    ctx->k->gemm_packed_nb(tg, 0, k->cb, D, ctx->M, G, ldg, ctx->Xn, D, ctx->fxp0, k->Pb, k->pinv,
                           dst, D, k->work);
    if (!w->Pw)
        return;
    float *p = w->Pw + k->c0 * D; /* no later read of these rows in this step */
    const float lr = w->lr;
    for (size_t e = 0; e < k->cb * D; e++)
        p[e] -= lr * dst[e];
}

void dml_sweep_tick(int t, double *t_last, double *phase)
{
    if (t != 0)
        return;
    double now = dml_now_ns();
    *phase += now - *t_last;
    *t_last = now;
}

/* Rows split between the threads. */
void dml_sweep_finish_dx(dml_sweep *w, int t, int nt)
{
    dml_ctx *ctx = w->ctx;
    const size_t D = ctx->D;
    size_t lo, hi;
    dml_sweep_slice(ctx->M, nt, t, &lo, &hi);
    for (int u = 1; u < nt; u++) {
        if (dml_sweep_blocks_of(w, u) == 0) /* a thread without proxies (C < threads) wrote none */
            continue;
        const float *a = ctx->fdx + (size_t)(u - 1) * ctx->M * D;
        for (size_t e = lo * D; e < hi * D; e++)
            w->dX[e] += a[e];
    }
    if (hi > lo)
        ctx->k->normalize_backward(ctx->Xn + lo * D, ctx->xinv + lo, w->dX + lo * D, hi - lo, D,
                                   w->dX + lo * D);
}

/* As X̂ᵀ for Proxy-Anchor's S (thread 0) and as X̂ for ∂L/∂P̂ (thread 1, or 0 alone). */
void dml_sweep_pack_x(dml_sweep *w, int t, int nt, int xt, int x)
{
    dml_ctx *ctx = w->ctx;
    const size_t M = ctx->M, D = ctx->D;
    if (xt && t == 0)
        ctx->k->gemm_pack_b(1, M, D, ctx->Xn, D, ctx->fxp1);
    if (x && w->dX && t == 1 % nt)
        ctx->k->gemm_pack_b(0, D, M, ctx->Xn, D, ctx->fxp0);
}

/* Sweep 2 of thread t: each block's weights and products.  Only the
 * block that sweep 1 did last is still in the thread's buffers.  With its
 * weights kept (w->keep), every other block only has its P̂ made again;
 * without, it is computed again from P (the same calls, so the same bits:
 * one more product of 2·M·D FLOPs a proxy row). */
static void sweep_two(dml_sweep *w, const dml_two_pass *fn, int t)
{
    dml_ctx *ctx = w->ctx;
    size_t mine = dml_sweep_blocks_of(w, t);
    for (size_t q = mine; q-- > 0;) {
        dml_block k = dml_sweep_block(w, t, q);
        k.first = q == mine - 1; /* the first ∂L/∂X̂ product overwrites */
        k.again = !k.first;
        if (k.again)
            (w->keep ? fn->refill : fn->forward)(w, t, &k);
        fn->backward(w, t, &k);
        if (ctx->gs_on)
            dml_gs_sample_block(ctx, t, k.G, k.cb, k.c0, k.cb);
    }
}

/* The blocks' first weights kept between the sweeps, if the loss can use
 * them and they fit in DML_FUSED_KEEP_MAX_BYTES (made once a context; when
 * that fails, the step computes them again, as above the cap). */
static float *kept_weights(dml_sweep *w, const dml_two_pass *fn)
{
    dml_ctx *ctx = w->ctx;
    size_t floats = w->nb * w->cb * ctx->M; /* ≥ M × R: whole blocks */
    if (!fn->refill || !w->dX || !ctx->fkeep_ok || floats > DML_FUSED_KEEP_MAX_BYTES / sizeof(float))
        return NULL;
    if (!ctx->fgkeep)
        ctx->fgkeep = aligned_alloc(64, (floats * sizeof(float) + 63) & ~(size_t)63);
    return ctx->fgkeep;
}

/* Sweep 1 (every block's S and block LSEs), the rows between the sweeps,
 * sweep 2, ∂L/∂X. */
void dml_sweep_two_pass(dml_sweep *w, const dml_two_pass *fn)
{
    dml_ctx *ctx = w->ctx;
    int nt = ctx->threads;
    w->keep = kept_weights(w, fn);
    ctx->fkeep_on = w->keep != NULL;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int t = omp_get_thread_num();
        double t_last = dml_now_ns();
        size_t lo, hi;
        for (size_t q = 0; q < w->nbt; q++) {
            dml_block k = dml_sweep_block(w, t, q);
            fn->forward(w, t, &k);
        }
        dml_sweep_pack_x(w, t, nt, 0, 1); /* X̂ for sweep 2, by thread 1 while 0 may still be busy */
        if (w->dX && ctx->gs_on)
            dml_gs_begin(ctx, t);
#pragma omp barrier
        dml_sweep_slice(ctx->M, nt, t, &lo, &hi);
        fn->rows(w, lo, hi);
        dml_sweep_tick(t, &t_last, &w->fwd_ns);
        if (w->dX) {
#pragma omp barrier
            sweep_two(w, fn, t);
#pragma omp barrier
            dml_sweep_finish_dx(w, t, nt);
            dml_sweep_tick(t, &t_last, &w->bwd_ns);
        }
    }
    if (w->dX && ctx->gs_on)
        dml_gs_finish(ctx, 0);
}

float dml_sweep_row_lse(const dml_sweep *w, size_t i)
{
    const size_t M = w->ctx->M, nb = w->nb;
    const float *L = w->ctx->flse + i; /* L[b·M]: block b */
    float m = -INFINITY, sum = 0.0f;
    for (size_t b = 0; b < nb; b++)
        m = L[b * M] > m ? L[b * M] : m;
    for (size_t b = 0; b < nb; b++)
        sum += L[b * M] == -INFINITY ? 0.0f : expf(L[b * M] - m);
    return m + logf(sum);
}

void dml_sweep_record(dml_sweep *w, double t0, int backward)
{
    dml_ctx *ctx = w->ctx;
    double wall = dml_now_ns() - t0, sum = w->fwd_ns + w->bwd_ns;
    double share = backward && sum > 0 ? w->fwd_ns / sum : 1.0;
    double mcd = (double)ctx->M * (double)ctx->R * (double)ctx->D;
    ctx->fwd_ns = wall * share;
    ctx->bwd_ns = wall - ctx->fwd_ns;
    ctx->fwd_flops = 2.0 * mcd;
    ctx->bwd_flops = backward ? 4.0 * mcd : 0.0;
    ctx->has_grad = backward;
}

dml_sweep dml_sweep_start(dml_ctx *ctx, const float *X, const float *P, float *dX, float *dP)
{
    dml_sweep w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.P = P;
    w.P16 = ctx->P16;
    ctx->precision = ctx->P16 ? DML_PRECISION_BF16 : DML_PRECISION_FP32;
    w.dX = dX;
    w.dP = dP;
    w.Pw = ctx->sgd_P;
    w.lr = ctx->sgd_lr;
    ctx->gs_valid = 0; /* set again if this step gathers the statistics */
    dml_fused_plan(ctx->C, ctx->K, ctx->threads, &w.cb, &w.nbt);
    w.nb = (size_t)ctx->threads * w.nbt;
    dml_par_normalize(ctx, X, ctx->M, ctx->Xn, ctx->xinv);
    return w;
}

void dml_sweep_normalize(const dml_sweep *w, const dml_block *k)
{
    const dml_ctx *ctx = w->ctx;
    const size_t D = ctx->D;
    if (w->P16)
        ctx->k->normalize_bf16(w->P16 + k->c0 * D, k->cb, D, k->Pb, k->pinv);
    else
        ctx->k->normalize(w->P + k->c0 * D, k->cb, D, k->Pb, k->pinv);
}
