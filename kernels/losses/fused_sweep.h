/* fused_sweep.h — what the fused proxy steps share (docs/losses.md, "The
 * fused proxy step"): the plan of blocks of proxies, a thread's blocks, the
 * phase clock, X̂ packed once, ∂L/∂X summed from the threads, the record of
 * a step, and the two-pass sweep of the losses that reduce along a sample's
 * row of S (Proxy-NCA and NormalizedSoftmax in proxy_fused.c, SoftTriple in
 * soft_triple_fused.c).  Blocks and thread ranges hold whole classes: a
 * class's rows of P (K of them for SoftTriple) are never split.  Nothing of
 * size M × C is held: each thread has one block of P̂, S and G at a time. */
#ifndef DML_FUSED_SWEEP_H
#define DML_FUSED_SWEEP_H

#include "dml_internal.h"

/* What one step's sweep shares between its threads. */
typedef struct dml_sweep {
    dml_ctx *ctx;
    const float *P;
    const uint16_t *P16; /* precision bf16: P in bf16 (P is NULL) */
    float *dX, *dP;  /* NULL: forward only */
    size_t cb, nbt, nb; /* block rows, blocks a thread, blocks (threads × nbt) */
    dml_lse_side pos, neg; /* Proxy-Anchor's sides; Proxy-NCA uses neg alone */
    int include_positive;
    float scale, coef;     /* Proxy-NCA's scale and scale / M */
    const void *loss;      /* a loss's own parameters (SoftTriple's) */
    float *Pw, lr;         /* the in-step update (dml_loss_step_sgd): P −= lr·∂L/∂P; Pw NULL: none */
    float *keep;           /* a two-pass step's first weights of every block (block b at b·cb·M); NULL: none */
    double fwd_ns, bwd_ns; /* thread 0's time in each phase */
} dml_sweep;

typedef struct dml_block {
    size_t c0, cb;   /* first proxy row and rows (0: past the end of the thread's range) */
    size_t b;        /* its index among all blocks (the block LSEs of a row) */
    float *Pb, *pinv; /* this thread's normalised block and its 1/‖p‖ */
    float *S, *G;    /* this thread's block of S and of G (cb × M, or M × cb: stride cb) */
    float *acc;      /* this thread's ∂L/∂X̂ accumulator */
    int first;       /* the thread's first block: it overwrites acc (no clearing pass) */
    int again;       /* sweep 2 computes the block's P̂, S and G again: its row LSEs are known */
    float *work;
} dml_block;

/* Block q of thread t, and how many of thread t's blocks hold proxies. */
dml_block dml_sweep_block(const dml_sweep *w, int t, size_t q);
size_t dml_sweep_blocks_of(const dml_sweep *w, int t);
/* ∂L/∂P of block k from its weights G (tg = 1: G by sample, M × cb of
 * stride ldg; 0: cb × M), through the normalisation's backward in the
 * product's epilogue: into the caller's ∂L/∂P, or with the in-step update
 * into thread t's block buffer, then P −= lr · that block while both are
 * in cache. */
void dml_sweep_proxy_grad(dml_sweep *w, int t, const dml_block *k, int tg, const float *G,
                          size_t ldg);
/* Thread 0 adds the time since *t_last to *phase (others do nothing). */
void dml_sweep_tick(int t, double *t_last, double *phase);
/* X̂ packed for all the blocks: as X̂ᵀ (xt, by thread 0) and as X̂ (x, by
 * thread 1, or 0 alone; only with a backward).  Before a barrier. */
void dml_sweep_pack_x(dml_sweep *w, int t, int nt, int xt, int x);
/* ∂L/∂X from the threads' accumulators, thread t's rows. */
void dml_sweep_finish_dx(dml_sweep *w, int t, int nt);
/* The block's P̂ and 1/‖p‖ into k->Pb, k->pinv: from P, or widened from P16
 * (precision bf16: the one place the step reads P, so the one kernel that
 * changes; everything after reads the float32 P̂ of the block in L2). */
void dml_sweep_normalize(const dml_sweep *w, const dml_block *k);
/* The sweep of a step: its plan, X normalised (ctx->Xn). */
dml_sweep dml_sweep_start(dml_ctx *ctx, const float *X, const float *P, float *dX, float *dP);
/* The phases of the step (they interleave: the wall time split as thread 0
 * spent it) and its FLOPs, into the context. */
void dml_sweep_record(dml_sweep *w, double t0, int backward);

/* The two-pass sweep of a loss that reduces along rows of S over every
 * proxy: forward(w, t, k) for each of a thread's blocks (k.cb = 0: an empty
 * block, whose block LSEs it sets to −inf; each row's own-class similarity
 * into ctx->fyv); after a barrier, rows(w, lo, hi) for the thread's rows;
 * then, with a backward, for each of the thread's blocks forward again
 * (k.again: the same P̂, S and first weights, the block LSEs left alone) but
 * for the block sweep 1 left in the buffers, and backward(w, t, k): the
 * final weights in k.G and the products; then ∂L/∂X.  Sweep 2 runs the
 * thread's blocks in reverse (the first is the one in the buffers), whether
 * or not the gradient statistics are gathered, so that watching a step does
 * not change its bits. */
typedef struct dml_two_pass {
    void (*forward)(dml_sweep *w, int t, const dml_block *k);
    void (*rows)(dml_sweep *w, size_t lo, size_t hi);
    void (*backward)(dml_sweep *w, int t, const dml_block *k);
    /* Sweep 2 of a block whose first weights were kept (k.G): what else its
     * backward needs, done again (its P̂).  NULL: the loss's backward needs
     * more than G (SoftTriple's S), and sweep 2 always runs forward again. */
    void (*refill)(dml_sweep *w, int t, const dml_block *k);
} dml_two_pass;

/* A two-pass step keeps every block's first weights between its sweeps
 * (M × R floats: 8 MB at M = 180, C = 11318) when they fit in this many
 * bytes, so that sweep 2 only normalises each block of P again instead of
 * computing its S and weights again (a fourth product of 2·M·D FLOPs a proxy
 * row); above, nothing of size M × C is held.  Same bits either way. */
#define DML_FUSED_KEEP_MAX_BYTES ((size_t)16 << 20)
void dml_sweep_two_pass(dml_sweep *w, const dml_two_pass *fn);

/* Row i's LSE over every block, from its block LSEs (ctx->flse[b·M + i],
 * −inf for a block where it has no member). */
float dml_sweep_row_lse(const dml_sweep *w, size_t i);

/* Part t of n in `parts` near-equal parts, the larger ones first. */
void dml_sweep_slice(size_t n, int parts, int t, size_t *lo, size_t *hi);

#endif
