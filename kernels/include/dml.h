/* dml.h — public API of libdml, the kernels and losses of dmlbench.
 *
 * Conventions (docs/losses.md):
 *   X  M×D raw embeddings, row-major float32;   y  M labels in [0, C)
 *   P  R×D raw proxies (proxy losses only; R = dml_proxy_rows: C, or C·K for SoftTriple)
 *   x̂ = x / max(‖x‖, 1e-12); S = X̂P̂ᵀ (proxy losses) or X̂X̂ᵀ (pair losses)
 *
 * Every loss is one forward+backward call into caller buffers, on a context
 * (dml_ctx) created once per shape.  The context owns every buffer the step
 * needs, so nothing is allocated in the hot path; distinct contexts may be used
 * from distinct threads at the same time.
 *
 * Kernels are named dml_<op>_f32_<isa>, isa ∈ {ref, avx2, avx512, neon}; the
 * dispatch table (dml_kernels) holds one set, chosen at run time.
 */
#ifndef DML_H
#define DML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ errors */

typedef enum dml_status {
    DML_OK = 0,
    DML_ERR_NULL,             /* a required pointer is NULL */
    DML_ERR_M_ZERO,           /* M (batch size) is 0 */
    DML_ERR_C_ZERO,           /* C (number of classes) is 0 */
    DML_ERR_D_ZERO,           /* D (embedding dimension) is 0 */
    DML_ERR_LABEL,            /* a label lies outside [0, C) */
    DML_ERR_PARAM,            /* alpha, beta or scale is <= 0 or not finite */
    DML_ERR_MARGIN,           /* delta, margin or epsilon is negative or not finite */
    DML_ERR_NONFINITE,        /* an input embedding or proxy is NaN or ±inf */
    DML_ERR_OVERFLOW,         /* a size product overflows */
    DML_ERR_NOMEM,            /* allocation failed */
    DML_ERR_SHAPE,            /* call does not match the context's shape or loss */
    DML_ERR_CLASSES,          /* the loss needs more classes (Proxy-NCA without positive: C >= 2) */
    DML_ERR_ISA,              /* the requested instruction set is not available here */
    DML_ERR_ARG,              /* any other invalid argument (threads, flags) */
    DML_STATUS_COUNT
} dml_status;

/* Fixed text for a code. */
const char *dml_strerror(dml_status s);
/* Detail of the last error raised on this thread ("label 7 at index 3 is outside
 * [0, 5)"), or "" when the last call succeeded. */
const char *dml_last_error(void);

/* --------------------------------------------------------- instruction sets */

typedef enum dml_isa {
    DML_ISA_REF = 0,
    DML_ISA_AVX2,     /* AVX2 + FMA */
    DML_ISA_AVX512,   /* AVX-512 F, VL, BW, DQ */
    DML_ISA_NEON,     /* AArch64 Advanced SIMD */
    DML_ISA_AVX512BF16, /* AVX-512 with AVX512_BF16 (vdpbf16ps); avx512's kernels otherwise */
    DML_ISA_COUNT,
    DML_ISA_AUTO = -1 /* the best this machine supports */
} dml_isa;

const char *dml_isa_name(dml_isa isa);
/* Parses "ref", "avx2", "avx512", "neon" or "auto"; DML_ERR_ARG otherwise. */
dml_status dml_isa_parse(const char *name, dml_isa *out);
/* 1 when this build has the kernels and the CPU and OS can run them. */
int dml_isa_supported(dml_isa isa);
/* 1 when this build contains kernels for the ISA (regardless of the CPU). */
int dml_isa_compiled(dml_isa isa);
/* The best supported ISA. */
dml_isa dml_isa_best(void);
/* The ISA the library uses by default: DML_ISA from the environment when set
 * (an unsupported or unknown value is an error, never a silent fallback; see
 * dml_isa_init), else the best. */
dml_isa dml_isa_default(void);
/* Reads DML_ISA once; returns DML_ERR_ISA / DML_ERR_ARG when it names an ISA
 * that is unknown or not supported here. */
dml_status dml_isa_init(void);
/* Forces the default ISA (DML_ERR_ISA if unsupported). */
dml_status dml_isa_set(dml_isa isa);

/* -------------------------------------------------------------- kernels
 *
 * Every entry has the same signature in every ISA.  Matrices are row-major
 * with explicit leading dimensions (in elements).
 */

/* Work buffer (in floats) that every GEMM/SYRK kernel may use for packing.
 * A caller passes at least this many floats, 64-byte aligned. */
#define DML_GEMM_WORK_FLOATS ((size_t)1 << 19)

/* One side (positives or negatives) of a masked LSE⁺ reduction. */
typedef struct dml_lse_side {
    float a, b;     /* z = a·s + b for each member s */
    float lo, hi;   /* membership also needs lo < s < hi (MS mining); ±inf for none */
    float coef;     /* weights written: coef · exp(z − lse) */
    int plus;       /* 1: lse = log(1 + Σ exp z) (0 for no member); 0: log Σ exp z (−inf for none) */
} dml_lse_side;

typedef struct dml_kernels {
    dml_isa isa;
    /* Y[i] = X[i] / max(‖X[i]‖, 1e-12) (a true division, as PML does: with D = 1
     * it gives exactly ±1); inv_norm[i] = 1 / max(‖X[i]‖, 1e-12). */
    void (*normalize)(const float *X, size_t n, size_t d, float *Y, float *inv_norm);
    /* dX[i] = (G[i] − Y[i] (Y[i]·G[i])) · inv_norm[i]  (dX may alias G). */
    void (*normalize_backward)(const float *Y, const float *inv_norm, const float *G,
                               size_t n, size_t d, float *dX);
    /* C (m×n, ldc) = op(A) · op(B), op(A) m×k, op(B) k×n.
     * ta = 0: A is m×k (lda); ta = 1: A is k×m (lda) and op(A) = Aᵀ; same for tb.
     * C is overwritten.  work: DML_GEMM_WORK_FLOATS floats. */
    void (*gemm)(int ta, int tb, size_t m, size_t n, size_t k,
                 const float *A, size_t lda, const float *B, size_t ldb,
                 float *C, size_t ldc, float *work);
    /* C (n×n, ldc) = A Aᵀ with A n×k (lda); both triangles written, exactly symmetric. */
    void (*syrk)(size_t n, size_t k, const float *A, size_t lda,
                 float *C, size_t ldc, float *work);
    /* Masked two-sided LSE⁺ over one row s[0..n):
     *   member j is positive when lab(j) == c and j != skip, negative when lab(j) != c
     *   (lab(j) = labels[j], or j when labels is NULL), and in either case only
     *   when side->lo < s[j] < side->hi.  A NULL side has no members.
     *   out[0], out[1] = lse of the positive and negative side;
     *   g[j] = side coef · exp(z_j − lse) for members, 0 for non-members.
     * Stable for any scale: exponentials are shifted by max(0 if plus, max z).
     * Returns the number of members (positives + negatives). */
    size_t (*lse)(const float *s, size_t n, const int32_t *labels, int32_t c,
                  size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                  float out[2], float *g);
    /* y[j] = exp(x[j]); exp(−inf) = 0, exp(NaN) = NaN, overflow gives +inf. */
    void (*exp)(const float *x, size_t n, float *y);
    /* C (m×n, ldc) += op(A) · op(B): gemm without overwriting C (k = 0 leaves C
     * as it is).  The fused proxy step sums ∂L/∂X̂ = G P̂ over blocks of proxies
     * with it, in place, instead of writing each block's product and adding it. */
    void (*gemm_acc)(int ta, int tb, size_t m, size_t n, size_t k,
                     const float *A, size_t lda, const float *B, size_t ldb,
                     float *C, size_t ldc, float *work);
    /* An op(B) that many products share (the fused proxy step's X̂), packed once
     * in this ISA's own layout: gemm_packed_floats(n, k) floats (64-byte
     * aligned) hold op(B) (k×n, tb as in gemm) after gemm_pack_b; gemm_packed is
     * then gemm (accumulate 0) or gemm_acc (1) with op(B) read from Bp.  B and
     * ldb are still passed: a tail of columns may be read from B directly.
     * A layout belongs to its table: pack and multiply with the same one. */
    size_t (*gemm_packed_floats)(size_t n, size_t k);
    void (*gemm_pack_b)(int tb, size_t n, size_t k, const float *B, size_t ldb, float *Bp);
    void (*gemm_packed)(int ta, int tb, size_t m, size_t n, size_t k,
                        const float *A, size_t lda, const float *B, size_t ldb,
                        const float *Bp, float *C, size_t ldc, float *work, int accumulate);
    /* gemm_packed (accumulate 0) with the normalisation's backward in its
     * epilogue: C[i] = (R[i] − Y[i] (Y[i]·R[i])) · inv[i] for R = op(A) op(B),
     * Y m×n (row-major, ld n), inv m — normalize_backward applied to each
     * row panel of the product while it is in L1, so ∂L/∂P = (Gᵀ X̂ through
     * the normalisation) is written once. */
    void (*gemm_packed_nb)(int ta, int tb, size_t m, size_t n, size_t k,
                           const float *A, size_t lda, const float *B, size_t ldb,
                           const float *Bp, const float *Y, const float *inv,
                           float *C, size_t ldc, float *work);
    /* bf16 storage (docs/scale.md, "bf16 proxies"): a bf16 value is the upper
     * half of a float32's bits, so widening it is a 16-bit left shift, exact.
     * normalize_bf16 is normalize on the widened rows of X (n×d bf16): the
     * norm is that of the values stored, so each row of Y is unit for them. */
    void (*normalize_bf16)(const uint16_t *X, size_t n, size_t d, float *Y, float *inv_norm);
    /* C (m×n, ldc) = diag(rs) · A Bᵀ · diag(cs): A m×k (lda) and B n×k (ldb)
     * in bf16, each product exact in float32 and summed in float32; rs (m) and
     * cs (n) may be NULL (no scaling).  work: DML_GEMM_WORK_FLOATS floats. */
    void (*gemm_bf16)(size_t m, size_t n, size_t k, const uint16_t *A, size_t lda,
                      const uint16_t *B, size_t ldb, const float *rs, const float *cs,
                      float *C, size_t ldc, float *work);
} dml_kernels;

/* The table of one ISA (NULL when not compiled in; callable only if supported). */
const dml_kernels *dml_kernels_for(dml_isa isa);
/* The table of the default ISA. */
const dml_kernels *dml_kernels_default(void);

/* ------------------------------------------------------------------ losses */

#include "dml_losses.h"

/* The losses, one per row of DML_LOSS_ROWS (dml_losses.h), in its order. */
typedef enum dml_loss {
#define DML_LOSS_ENUM(ID, ...) DML_LOSS_##ID,
    DML_LOSS_ROWS(DML_LOSS_ENUM)
#undef DML_LOSS_ENUM
    DML_LOSS_COUNT
} dml_loss;

const char *dml_loss_name(dml_loss loss);               /* "proxy_anchor", "proxy_nca", "ms", ... */
/* The loss's name in figures ("Proxy-Anchor"); "unknown" past the table. */
const char *dml_loss_title(dml_loss loss);
dml_status dml_loss_parse(const char *name, dml_loss *out);

typedef enum dml_loss_kind { DML_KIND_PROXY, DML_KIND_PAIR } dml_loss_kind;
dml_loss_kind dml_loss_kind_of(dml_loss loss);
/* The power of M that the loss's step time grows with at fixed C and D, the
 * CSV column the fit reads for it and what that column measures (the table's
 * `order` and `fitcol`); 0 and NULL past the table. */
int dml_loss_order(dml_loss loss, const char **column, const char **quantity);
/* 1 when the loss's step has a fused form (DML_FUSED, dml_ctx_set_fused). */
int dml_loss_has_fused(dml_loss loss);

/* "enumerate", "sorted"; parse gives DML_ERR_ARG for any other name. */
const char *dml_triplet_algorithm_name(dml_triplet_algorithm a);
dml_status dml_triplet_algorithm_parse(const char *name, dml_triplet_algorithm *out);

/* Any loss's parameters, for code that handles the losses alike. */
typedef struct dml_params {
    dml_loss loss;
    union {
#define DML_LOSS_MEMBER(ID, name, title, member, ptype, ...) ptype member;
        DML_LOSS_ROWS(DML_LOSS_MEMBER)
#undef DML_LOSS_MEMBER
    } u;
} dml_params;
dml_params dml_params_default(dml_loss loss);

/* Rows of the proxy matrix P that a loss with these parameters takes for C
 * classes: C for Proxy-Anchor, Proxy-NCA and NormalizedSoftmax, C·K for
 * SoftTriple, 0 for the pair losses (and for parameters that are not valid,
 * such as K = 0, or a product that overflows). */
size_t dml_proxy_rows(const dml_params *p, size_t C);

/* The parameters of each loss, described for code that reads them from text
 * (the harness's options, golden files and sweep keys): each loss file lists
 * its own, so a new parameter is one line there. */
typedef enum dml_param_type {
    DML_PARAM_POSITIVE,   /* float > 0 */
    DML_PARAM_NONNEG,     /* float >= 0 */
    DML_PARAM_ANY,        /* any finite float */
    DML_PARAM_FLAG,       /* int 0 or 1 */
    DML_PARAM_CHOICE,     /* int naming one of a few choices (by `choice`) */
    DML_PARAM_COUNT,      /* int >= 1 */
    DML_PARAM_RATIO       /* float in (0, 1] */
} dml_param_type;
typedef struct dml_param_info {
    const char *name;     /* NULL ends a list */
    dml_param_type type;
    size_t offset;        /* of the field (float, or int for flags, choices, counts) in dml_params */
    const char *metavar;  /* its placeholder in a usage line: "A", "0|1", "K" */
    const char *(*choice)(int v); /* DML_PARAM_CHOICE: the name of choice v, NULL past the last */
} dml_param_info;
/* The loss's parameters in the order its keys and CSVs show them, ended by
 * an entry whose name is NULL; NULL past the table. */
const dml_param_info *dml_loss_params(dml_loss loss);

typedef struct dml_ctx dml_ctx;

/* A context for one loss and shape.  C is needed by every loss (labels are
 * checked against it); isa = DML_ISA_AUTO uses dml_isa_default(); threads >= 1
 * (OpenMP threads for the big loops; 1 runs everything on the caller's thread).
 * Returns NULL and sets *err on failure. */
dml_ctx *dml_ctx_create(dml_loss loss, size_t M, size_t C, size_t D,
                        dml_isa isa, int threads, dml_status *err);
/* The same for a loss whose shape depends on its parameters (SoftTriple's K
 * centres per class): the context is made for p's proxy rows
 * (dml_proxy_rows), and a step with parameters of another shape is refused
 * (DML_ERR_SHAPE).  dml_ctx_create uses the loss's defaults. */
dml_ctx *dml_ctx_create_for(const dml_params *p, size_t M, size_t C, size_t D,
                            dml_isa isa, int threads, dml_status *err);
void dml_ctx_destroy(dml_ctx *ctx);
/* Rows of P the context takes (0 for pair losses). */
size_t dml_ctx_proxy_rows(const dml_ctx *ctx);
dml_isa dml_ctx_isa(const dml_ctx *ctx);
int dml_ctx_threads(const dml_ctx *ctx);

/* Forward + backward of one step.  X: M×D, y: M, P: R×D (proxy losses, R =
 * dml_ctx_proxy_rows; ignored otherwise).  loss: the value; dX (M×D) and dP
 * (R×D, proxy losses) receive the
 * gradients; pass dX = dP = NULL for the forward pass alone.  All inputs are
 * validated before anything is written. */
dml_status dml_loss_step(dml_ctx *ctx, const dml_params *params,
                         const float *X, const int32_t *y, const float *P,
                         float *loss, float *dX, float *dP);

/* A step of a proxy loss that also updates its proxies by plain SGD inside
 * the fused sweep: P −= lr · ∂L/∂P, each block of rows while it is in cache,
 * so ∂L/∂P is never held whole (the caller keeps P, not P and its gradient:
 * docs/scale.md).  The same bits as dml_loss_step followed by
 * P[e] −= lr · dP[e] for every e.  With sampled proxies (proxy_sample < 1)
 * only the sampled rows are written, so the step costs no C×D write.  dX
 * receives ∂L/∂X.  Needs a fused context
 * of a proxy loss (else DML_ERR_ARG) and lr finite and >= 0 (DML_ERR_PARAM);
 * P is read and written by the step, so it must not alias X or dX.  The
 * gradient statistics of such a step have no ∂L/∂P to take norms of. */
dml_status dml_loss_step_sgd(dml_ctx *ctx, const dml_params *params, const float *X,
                             const int32_t *y, float *P, float lr, float *loss, float *dX);

/* The same, one entry point per loss. */
dml_status dml_proxy_anchor(dml_ctx *ctx, const dml_proxy_anchor_params *p,
                            const float *X, const int32_t *y, const float *P,
                            float *loss, float *dX, float *dP);
dml_status dml_proxy_nca(dml_ctx *ctx, const dml_proxy_nca_params *p,
                         const float *X, const int32_t *y, const float *P,
                         float *loss, float *dX, float *dP);
dml_status dml_multi_similarity(dml_ctx *ctx, const dml_ms_params *p,
                                const float *X, const int32_t *y,
                                float *loss, float *dX);
dml_status dml_triplet(dml_ctx *ctx, const dml_triplet_params *p,
                       const float *X, const int32_t *y,
                       float *loss, float *dX);
/* P and dP have C·K rows (K = p->centers_per_class, as the context was made). */
dml_status dml_soft_triple(dml_ctx *ctx, const dml_soft_triple_params *p,
                           const float *X, const int32_t *y, const float *P,
                           float *loss, float *dX, float *dP);
dml_status dml_normalized_softmax(dml_ctx *ctx, const dml_normalized_softmax_params *p,
                                  const float *X, const int32_t *y, const float *P,
                                  float *loss, float *dX, float *dP);

/* The products of a step alone, for benchmarks that separate what a loss
 * adds from the products it is built on.  Forward: exactly the forward
 * products dml_loss_step runs on this context (the normalisations of X and
 * P and the similarity matrix S, with the same kernels, threads and shapes)
 * and nothing else; P is ignored by pair losses.  Backward: exactly its
 * backward products (proxy losses: G P̂ into dX and Gᵀ X̂ into dP; pair
 * losses: (G + Gᵀ) X̂ into dX), on the G of the context's last step (which must
 * have run its backward pass: DML_ERR_ARG otherwise), without
 * the normalisation backward.  Neither validates values (a step does), nor
 * records times; results land in the context's buffers and in dX, dP. */
dml_status dml_ctx_forward_products(dml_ctx *ctx, const float *X, const float *P);
dml_status dml_ctx_backward_products(dml_ctx *ctx, float *dX, float *dP);

/* The fused proxy step (the losses whose row says fused: every proxy loss;
 * docs/losses.md, "The fused proxy step"): the
 * proxies are swept in blocks that stay in cache, each block normalised, its
 * similarities, LSE⁺ reductions and weights, ∂L/∂P and its share of ∂L/∂X
 * computed before the next block is read, so P is read once and ∂L/∂P written
 * once.  The unfused step (the whole normalised P̂, then S, then G, then each
 * product over all of it) stays for comparison; both give the golden results,
 * the same within float32 reassociation.  New contexts are fused unless the
 * environment says DML_FUSED=0 when they are created.  on: 0 or 1, else
 * DML_ERR_ARG.  A loss without a fused form (the pair losses, MS and triplet)
 * accepts the flag and ignores it; dml_ctx_fused then says 0. */
dml_status dml_ctx_set_fused(dml_ctx *ctx, int on);
/* The unfused step writes S and G whole (M×C floats each) and passes over
 * them five times; above this size of S it is refused (DML_ERR_SHAPE, at
 * dml_ctx_create under DML_FUSED=0 or at dml_ctx_set_fused(ctx, 0)) with a
 * line naming the size and the fused step, which sweeps P in blocks
 * (docs/scale.md).  256 MiB: M = 180 at C ≈ 3.7·10⁵. */
#define DML_UNFUSED_MAX_S_BYTES ((size_t)256 << 20)
/* 1 when the context runs the fused step, 0 when unfused (0 for a NULL ctx). */
int dml_ctx_fused(const dml_ctx *ctx);

/* ------------------------------------------------------------ bf16 proxies
 *
 * Precision bf16 (docs/scale.md, "bf16 proxies"): P stored in bf16 (the upper
 * 16 bits of a float32), read by the step at half the bytes; the step widens it
 * exactly, normalises it by the norm of the stored values, forms S = X̂P̂ᵀ from
 * bf16 operands (X̂ rounded to bf16 once a step, products summed in float32),
 * and computes the gradients in float32 with that P̂.  dP is float32, for the
 * caller's float32 master copy of P, which it rounds again after each update. */
typedef enum dml_precision { DML_PRECISION_FP32 = 0, DML_PRECISION_BF16 } dml_precision;
const char *dml_precision_name(dml_precision p);          /* "fp32", "bf16" */
dml_status dml_precision_parse(const char *name, dml_precision *out);
/* out[i] = x[i] rounded to bf16, to nearest, ties to even; a NaN stays a NaN
 * (quiet, its sign kept), ±inf stays ±inf, a finite value beyond the largest
 * bf16 rounds to ±inf as IEEE rounding does. */
void dml_bf16_round(const float *x, size_t n, uint16_t *out);
/* out[i] = x[i] widened to float32 (exact). */
void dml_bf16_widen(const uint16_t *x, size_t n, float *out);
/* dml_loss_step with P (R×D) in bf16.  Only the fused step of the losses that
 * reduce rows or columns of S with one proxy a class (Proxy-Anchor, Proxy-NCA,
 * NormalizedSoftmax) has it; any other loss, or an unfused context, is
 * DML_ERR_ARG with a line that says so. */
dml_status dml_loss_step_bf16(dml_ctx *ctx, const dml_params *params, const float *X,
                              const int32_t *y, const uint16_t *P, float *loss, float *dX,
                              float *dP);
/* The precision of the context's last step (what dml_ctx_traffic counts P in). */
dml_precision dml_ctx_precision(const dml_ctx *ctx);

/* Wall time in ns of the forward (normalise, S, reductions, G) and backward
 * (products, normalisation backward) phases of the last step on ctx.  In the
 * fused step the phases interleave block by block: their sum is the step's wall
 * time, split in the proportion that the first thread spent in each. */
void dml_ctx_phase_ns(const dml_ctx *ctx, double *forward_ns, double *backward_ns);

/* The one clock (kernels/common/clock.c), in ns: CLOCK_MONOTONIC, and the
 * calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID).  The phases above are
 * timed with dml_now_ns; the harness and the benchmarks use the same two. */
double dml_now_ns(void);
double dml_thread_cpu_ns(void);

/* Floating-point operations of the products of one step (forward S, backward). */
void dml_ctx_flops(const dml_ctx *ctx, double *forward_flops, double *backward_flops);

/* Bytes one step of ctx moves to and from memory by model (kernels/losses/
 * traffic.c: passes over P, S and G when they do not stay in cache, as the
 * step runs now, fused or not): *p_bytes over the C×D operands (P, P̂, ∂L/∂P;
 * 0 for pair losses), *total_bytes all of them.  Either may be NULL. */
void dml_ctx_traffic(const dml_ctx *ctx, double *p_bytes, double *total_bytes);
/* The bytes a context of this loss and shape writes into (its buffers that a
 * step touches: X̂, S and G, P̂ when unfused), so that a caller can refuse a
 * shape that would not fit before it allocates it. */
double dml_ctx_resident_bytes(dml_loss loss, size_t M, size_t C, size_t D, int fused);

#include "dml_sample.h" /* sampled proxies: proxy_sample r (Partial FC's rule) */

/* ------------------------------------------------------ gradient statistics */

typedef struct dml_gradstats {
    double grad_x_mean, grad_x_max;  /* over i of ‖∂L/∂x_i‖ */
    double grad_p_mean;              /* over c of ‖∂L/∂p_c‖ (NaN for pair losses) */
    double pos_top1_share, pos_eff_n; /* means over anchors with >= 2 carrying members (NaN if none) */
    double neg_top1_share, neg_eff_n;
    double active_frac;              /* share of candidate entries with non-zero gradient */
    size_t pos_anchors, neg_anchors; /* how many anchors each mean is over */
    /* Proxy losses only: the positive side seen from each proxy (its column of
     * G over the samples of its class).  For Proxy-Anchor this is pos_*, whose
     * anchors are the proxies; for Proxy-NCA, whose anchors are samples with a
     * single positive each, it shows how evenly a proxy pulls its samples. */
    double proxy_pos_top1_share, proxy_pos_eff_n;
} dml_gradstats;

/* Statistics of the last step on ctx (which must have run its backward pass);
 * dX and dP are the gradients that step wrote (dP NULL for pair losses).
 * The fused proxy step holds G only a block at a time: it gathers the
 * statistics during its sweep, and only when dml_ctx_set_gradstats(ctx, 1)
 * asked before the step (it costs a pass over G in double precision);
 * otherwise this is DML_ERR_ARG with a line saying so. */
dml_status dml_ctx_gradstats(const dml_ctx *ctx, const float *dX, const float *dP,
                             dml_gradstats *out);
/* on = 1: the fused steps on ctx from now on gather the gradient statistics
 * (the same numbers as the unfused step's, to float64 rounding when more
 * than one thread adds them); 0: they do not (the default).  The unfused
 * step holds G whole and needs no asking.  on: 0 or 1, else DML_ERR_ARG. */
dml_status dml_ctx_set_gradstats(dml_ctx *ctx, int on);

#ifdef __cplusplus
}
#endif
#endif /* DML_H */
