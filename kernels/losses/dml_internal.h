/* dml_internal.h — what the losses share inside libdml: the context, the
 * thread-parallel product helpers (parallel.c) and the shared backward
 * passes (backward.c).  Errors: common/dml_error.h; the clock: dml_now_ns in dml.h
 * (common/clock.c);
 * the table of losses: loss_table.h. */
#ifndef DML_INTERNAL_H
#define DML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"
#include "dml_error.h"

struct dml_ctx {
    dml_loss loss;
    size_t M, C, D;
    size_t K, R;        /* proxy rows per class and in all (R = C·K; 0 for pair losses) */
    const dml_kernels *k;
    int threads;
    int fused;          /* proxy losses: the fused step (proxy_fused.c, soft_triple_fused.c) */

    float *Xn, *xinv;   /* X̂ (M×D) and 1/‖x‖ (M) */
    float *Pn, *pinv;   /* P̂ (R×D) and 1/‖p‖ (R); proxy losses */
    float *S;           /* similarities: Sᵀ R×M (DML_S_PROXY_ROWS), S M×R (DML_S_SAMPLE_ROWS), M×M (pairs) */
    float *G;           /* ∂L/∂S, the same shape as S, kept for the gradient statistics */
    float *H;           /* pairs: G + Gᵀ (M×M); triplet: distances first */
    float *rowv;        /* per-anchor values (max(M, C) × 2) */
    int32_t *y;         /* the labels of the last step */
    unsigned char *seen;/* C flags: class present in the batch */
    float *work;        /* threads × DML_GEMM_WORK_FLOATS, 64-byte aligned */
    float *scratch;     /* the loss's own working memory (its row's `scratch` floats) */
    /* The fused proxy step (proxy_fused.c): per thread a normalised block of
     * proxies and its 1/‖p‖; per thread but the first (which sums into dX) a
     * ∂L/∂X̂ accumulator; Proxy-NCA's LSE of each row over each block (blocks × M). */
    float *fpb, *fdx, *flse;
    float *fxp1, *fxp0; /* X̂ packed by the table's gemm_pack_b: as X̂ᵀ (tb = 1) and as X̂ */
    /* Precision bf16 (bf16.c): P of the step under way (NULL: float32), and
     * the precision of the last step. */
    const uint16_t *P16;
    dml_precision precision;
    /* Per thread a block of S and one of G (block rows × M each): the fused
     * step holds no M×R array (S, G and P̂ whole are made only for the
     * unfused step and the products alone: dml_ctx_whole_buffers). */
    float *fsb, *fgb;
    /* A two-pass fused step's first weights of every block, kept between its
     * sweeps when they fit in DML_FUSED_KEEP_MAX_BYTES (fused_sweep.h; made
     * by the first such step), and whether the last step kept them. */
    float *fgkeep;
    int fkeep_ok, fkeep_on; /* keeping allowed (DML_FUSED_KEEP); done by the last step */
    float *fyv;         /* each row's similarity to its own class (M), from sweep 1 */
    float *fdpb;        /* per thread a block of ∂L/∂P (block rows × D), for the in-step update */
    float *sgd_P, sgd_lr; /* during dml_loss_step_sgd: the proxies it updates, and lr */
    /* The gradient statistics of a fused step, gathered during its sweep
     * when gs_on (gradstats_blocks.c): per thread, then merged into gs. */
    struct dml_gs_part *gsp;
    int gs_on, gs_valid;
    dml_gradstats gs;

    /* Sampled proxies (proxy_sample.c): the ratio (1: none), the seed and the
     * steps drawn so far; the sub-problem's context (made for n classes, remade
     * when n changes), the sampled classes, their gathered rows of P and of
     * ∂L/∂P and the renumbered labels.  A sampled context holds no full-C
     * buffer but `seen` and `sidx`. */
    float sample_r;
    uint64_t sample_seed, sample_steps, sample_last;
    dml_params sub_params;
    struct dml_ctx *sub;
    size_t sn;
    int32_t *sidx, *sy;
    float *sP, *sdP;

    /* What the last step measured. */
    double fwd_ns, bwd_ns;
    double fwd_flops, bwd_flops;
    int has_grad;
    double active, candidates; /* triplet: active and all triplets of the last step */
};

/* Validation of a step's inputs against the context, before anything is written. */
dml_status dml_check_step(const dml_ctx *ctx, dml_loss loss, const float *X, const int32_t *y,
                          const float *P, const float *loss_out);
dml_status dml_check_positive(const char *name, float v);
/* A loss's `precision` parameter against the step under way (bf16.c): bf16
 * needs P in bf16 (dml_loss_step_bf16); and the choices' names. */
dml_status dml_check_precision(const dml_ctx *ctx, int precision);
const char *dml_precision_choice(int v);
/* A bf16 matrix (bf16.c): DML_ERR_NONFINITE naming the first ±inf or NaN. */
dml_status dml_check_finite_bf16(const char *name, const uint16_t *A, size_t rows, size_t cols);
dml_status dml_check_margin(const char *name, float v);
/* The checks a loss's parameters take from their descriptions in its file
 * (dml_param_info: positive, non-negative, finite, a count >= 1, a ratio in
 * (0, 1]), in the
 * table's order; `member` is the loss's own member of dml_params.u.  NULL is
 * DML_ERR_NULL.  Flags, choices and what a loss needs beyond (a reciprocal
 * that must stay finite, a count the context was made for) are its own. */
dml_status dml_check_params(dml_loss loss, const void *member);
dml_status dml_check_ratio(const char *name, float v); /* (0, 1] */

/* Sampled proxies (proxy_sample.c).  The ratio a loss's parameters ask for (1
 * when it has none); the sampled context's own buffers (after its shape is
 * set; 0 when one could not be had) and their release; the step on the
 * sample, with p's own ratio set to 1 for the sub-problem. */
float dml_sample_ratio(const dml_params *p);
size_t dml_sample_rows_max(size_t M, size_t C, float r);       /* the most a step samples */
uint64_t dml_sample_step_seed(uint64_t seed, uint64_t t);      /* step t's seed */
int dml_sampled_alloc(dml_ctx *ctx, const dml_params *p);
void dml_sampled_free(dml_ctx *ctx);
dml_status dml_sampled_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                            const float *P, float *loss, float *dX, float *dP);

/* C = op(A) op(B) spread over the context's threads by slices of the larger
 * output dimension; each thread packs into its own work buffer. */
void dml_par_gemm(dml_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k,
                  const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc);
/* C = A Aᵀ (n×n) over the context's threads. */
void dml_par_syrk(dml_ctx *ctx, size_t n, size_t k, const float *A, size_t lda, float *C,
                  size_t ldc);
/* Normalise rows of X into Y (and its backward), over the context's threads. */
void dml_par_normalize(dml_ctx *ctx, const float *X, size_t n, float *Y, float *inv);
void dml_par_normalize_backward(dml_ctx *ctx, const float *Y, const float *inv, float *dX,
                                size_t n);

/* H = G + Gᵀ (n×n): the pair losses' backward, since S is symmetric. */
void dml_par_sym_sum(dml_ctx *ctx, const float *G, size_t n, float *H);

/* Records the forward phase (its time since t0, the FLOPs of its products,
 * whether a backward follows) and returns the time it ended. */
double dml_forward_done(dml_ctx *ctx, double t0, double flops, int backward);
/* The backward of a proxy loss from ctx->G (M×R, or R×M when g_by_class) and
 * of a pair loss, each timed from t1. */
void dml_proxy_backward(dml_ctx *ctx, int g_by_class, float *dX, float *dP, double t1);
void dml_pair_backward(dml_ctx *ctx, float *dX, double t1);

/* The fused proxy step's blocks of proxies (fused_sweep.c): each thread owns
 * an equal slice of the C classes (K rows of P each), in *per_thread blocks
 * of at most *block rows, whole classes. */
void dml_fused_plan(size_t C, size_t K, int threads, size_t *block, size_t *per_thread);
/* S, G and P̂ whole (and 1/‖p‖), which a fused context does not make until
 * the unfused step or the products alone need them; DML_OK or NOMEM. */
dml_status dml_ctx_whole_buffers(dml_ctx *ctx);

/* The gradient statistics of a fused step, block by block (gradstats_blocks.c):
 * thread t's accumulators cleared; n rows of G by proxy from row r0 (stride
 * ld, M columns); n columns of G by sample from column j0 (M rows, stride
 * ld); the threads' parts merged into ctx->gs (by_proxy: Proxy-Anchor's
 * layout). */
void dml_gs_begin(dml_ctx *ctx, int t);
void dml_gs_proxy_block(dml_ctx *ctx, int t, const float *G, size_t ld, size_t r0, size_t n);
void dml_gs_sample_block(dml_ctx *ctx, int t, const float *G, size_t ld, size_t j0, size_t n);
void dml_gs_finish(dml_ctx *ctx, int by_proxy);

/* The fused steps from t0 (labels, ctx->y and ctx->seen already set); they
 * record the phases and return the loss.  dX = dP = NULL: forward only. */
float dml_proxy_anchor_fused(dml_ctx *ctx, const dml_lse_side *pos, const dml_lse_side *neg,
                             const float *X, const float *P, float *dX, float *dP, double t0);
float dml_proxy_nca_fused(dml_ctx *ctx, float scale, int include_positive, const float *X,
                          const float *P, float *dX, float *dP, double t0);
float dml_soft_triple_fused(dml_ctx *ctx, const dml_soft_triple_params *p, const float *X,
                            const float *P, float *dX, float *dP, double t0);
/* 1 for the losses whose fused step is Proxy-NCA's two-pass sweep (Proxy-NCA,
 * NormalizedSoftmax): those that keep their first weights between the sweeps
 * below DML_FUSED_KEEP_MAX_BYTES (proxy_fused.c). */
int dml_fused_keeps_weights(dml_loss loss);

/* The softmax cross-entropy over rows of s·S (S = X̂P̂ᵀ, one proxy a class),
 * the positive left out of the denominator unless include_positive: the
 * body of Proxy-NCA and of NormalizedSoftmax (proxy_nca.c), fused when the
 * context is.  Parameters already checked. */
dml_status dml_softmax_rows(dml_ctx *ctx, float scale, int include_positive, const float *X,
                            const int32_t *y, const float *P, float *loss, float *dX, float *dP);

#endif
