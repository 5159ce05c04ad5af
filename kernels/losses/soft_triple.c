/* soft_triple.c — SoftTriple loss (Qian et al., ICCV 2019), forward and
 * backward: PML's SoftTripleLoss(num_classes, D, centers_per_class, la,
 * gamma, margin) without its centre regulariser (PML's default).
 *
 * K centres per class: P has R = C·K rows, class-major, and S = X̂P̂ᵀ is M×R
 * (a sample's row, as Proxy-NCA's).  For sample i and class c, with s_k its
 * similarity to the class's centre k:
 *
 *   q_k  = softmax_k(s_k / γ)            (over the class's K centres)
 *   S'_c = Σ_k q_k s_k                   (the relaxed class similarity)
 *   L    = (1/M) Σ_i CE(λ (S'_i· − δ·onehot(y_i)), y_i)
 *
 * Both softmaxes are masked-LSE calls of the kernel table (K entries, then C),
 * whose weights are the softmax itself, so no exp is computed twice.  The
 * gradient w.r.t. s, with π = softmax_c(λ(S' − δ·onehot)):
 *
 *   ∂L/∂s_k = (λ/M)(π_c − [c = y_i]) · q_k (1 + (s_k − S'_c)/γ)
 *
 * then the shared proxy backward (G P̂, Gᵀ X̂, the normalisations).  Each row
 * of S is done at once (its per-class values in the thread's scratch: S'
 * and the logits, C floats each), so no M×C array is made.
 *
 * The fused step (soft_triple_fused.c) computes the same over blocks of
 * whole classes, fused by default as the other proxy losses, unfused with
 * DML_FUSED=0 or dml_ctx_set_fused(ctx, 0). */
#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <string.h>

#include "loss_table.h"

size_t dml_soft_triple_rows(const dml_params *p)
{
    int k = p->u.st.centers_per_class;
    return k > 0 ? (size_t)k : 0;
}

/* Per thread 3C floats: the unfused step's S'_c, logits λ(S'_c − δ[c = y])
 * and their softmax (the fused step's block logits and weights); then per
 * thread the fused step's S' of its block (M × the block's classes). */
size_t dml_soft_triple_scratch(size_t M, size_t C, size_t R, int threads)
{
    size_t K = R / C, cb, nbt;
    dml_fused_plan(C, K, threads, &cb, &nbt);
    return (size_t)threads * (3 * C + M * (cb / K));
}

static dml_status check_params(const dml_ctx *ctx, const dml_soft_triple_params *p)
{
    dml_status s;
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if (p->centers_per_class < 1)
        return dml_fail(DML_ERR_PARAM, "centers_per_class = %d: must be at least 1",
                        p->centers_per_class);
    if ((size_t)p->centers_per_class != ctx->K)
        return dml_fail(DML_ERR_SHAPE, "context was made for centers_per_class = %zu, called with %d",
                        ctx->K, p->centers_per_class);
    if ((s = dml_check_positive("la", p->la)) != DML_OK) return s;
    if ((s = dml_check_positive("gamma", p->gamma)) != DML_OK) return s;
    if ((s = dml_check_positive("1/gamma", 1.0f / p->gamma)) != DML_OK) return s;
    return dml_check_margin("margin", p->margin);
}

/* Row i: its loss term; G's row i (q first, then the gradient). */
static float row_step(dml_ctx *ctx, const dml_soft_triple_params *p, size_t i, float *sc)
{
    const size_t C = ctx->C, K = ctx->K, R = ctx->R, yi = (size_t)ctx->y[i];
    const float *s = ctx->S + i * R;
    float *g = ctx->G + i * R, *Sp = sc, *u = sc + C, *pi = sc + 2 * C, out[2];
    const dml_lse_side centres = { 1.0f / p->gamma, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    const dml_lse_side classes = { p->la, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    for (size_t c = 0; c < C; c++) {
        /* labels NULL and class -1: every centre on the kernel's one side */
        ctx->k->lse(s + c * K, K, NULL, -1, SIZE_MAX, NULL, &centres, out, g + c * K);
        float sp = 0.0f;
        for (size_t k = 0; k < K; k++)
            sp += g[c * K + k] * s[c * K + k];
        Sp[c] = sp;
        u[c] = c == yi ? sp - p->margin : sp;
    }
    ctx->k->lse(u, C, NULL, -1, SIZE_MAX, NULL, &classes, out, pi);
    const float coef = p->la / (float)ctx->M, inv_gamma = 1.0f / p->gamma;
    for (size_t c = 0; c < C; c++) {
        float w = coef * (c == yi ? pi[c] - 1.0f : pi[c]);
        for (size_t k = 0; k < K; k++) {
            float q = g[c * K + k];
            g[c * K + k] = w * q * (1.0f + (s[c * K + k] - Sp[c]) * inv_gamma);
        }
    }
    return out[1] - p->la * u[yi];
}

dml_status dml_soft_triple(dml_ctx *ctx, const dml_soft_triple_params *p, const float *X,
                           const int32_t *y, const float *P, float *loss, float *dX, float *dP)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_SOFT_TRIPLE, X, y, P, loss);
    if (s != DML_OK) return s;
    if ((s = check_params(ctx, p)) != DML_OK) return s;
    if ((dX == NULL) != (dP == NULL))
        return dml_fail(DML_ERR_NULL, "pass both dX and dP, or neither for the forward pass alone");

    const size_t M = ctx->M, R = ctx->R, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    if (ctx->fused) { /* the same over blocks of whole classes (soft_triple_fused.c) */
        *loss = dml_soft_triple_fused(ctx, p, X, P, dX, dP, t0);
        return dml_ok();
    }
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_normalize(ctx, P, R, ctx->Pn, ctx->pinv);
    dml_par_gemm(ctx, 0, 1, M, R, D, ctx->Xn, D, ctx->Pn, D, ctx->S, R);
    float *li = ctx->rowv;
#pragma omp parallel num_threads(ctx->threads) if (ctx->threads > 1)
    {
        float *sc = ctx->scratch + (size_t)omp_get_thread_num() * 3 * ctx->C;
#pragma omp for schedule(static)
        for (size_t i = 0; i < M; i++)
            li[i] = row_step(ctx, p, i, sc);
    }
    double sum = 0;
    for (size_t i = 0; i < M; i++)
        sum += li[i];
    *loss = (float)(sum / (double)M);
    double t1 = dml_forward_done(ctx, t0, 2.0 * (double)M * R * D, dX != NULL);
    if (dX)
        dml_proxy_backward(ctx, 0, dX, dP, t1);
    return dml_ok();
}

const dml_param_info dml_soft_triple_param_info[] = {
    { "centers_per_class", DML_PARAM_COUNT, offsetof(dml_params, u.st.centers_per_class), "K", NULL },
    { "la", DML_PARAM_POSITIVE, offsetof(dml_params, u.st.la), "LA", NULL },
    { "gamma", DML_PARAM_POSITIVE, offsetof(dml_params, u.st.gamma), "G", NULL },
    { "margin", DML_PARAM_NONNEG, offsetof(dml_params, u.st.margin), "M", NULL },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

dml_status dml_soft_triple_step(dml_ctx *ctx, const dml_params *p, const float *X,
                                const int32_t *y, const float *P, float *loss, float *dX,
                                float *dP)
{
    return dml_soft_triple(ctx, &p->u.st, X, y, P, loss, dX, dP);
}
