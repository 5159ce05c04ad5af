/* kcase.c — one kernel of the dispatch table on one shape, with seeded
 * inputs (see kcase.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/timing.h"
#include "point/kcase.h"

static const char *const op_names[KOP_COUNT] = {
    "normalize", "normalize_bwd", "gemm_S", "gemm_dX", "gemm_dP", "syrk", "lse", "exp"
};

const char *kernel_op_name(kernel_op op)
{
    return (op >= 0 && op < KOP_COUNT) ? op_names[op] : "unknown";
}

int kernel_op_parse(const char *name, kernel_op *out)
{
    for (int i = 0; i < KOP_COUNT; i++)
        if (!strcmp(name, op_names[i])) {
            *out = (kernel_op)i;
            return 0;
        }
    return 1;
}

static float *falloc(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p) memset(p, 0, bytes);
    return p;
}

static void fill_normal(rng *r, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) v[i] = (float)rng_normal(r);
}

static void normalize_rows(float *v, size_t rows, size_t d)
{
    for (size_t i = 0; i < rows; i++) {
        double ss = 0;
        for (size_t k = 0; k < d; k++) ss += (double)v[i * d + k] * v[i * d + k];
        float inv = (float)(1.0 / sqrt(ss > 1e-24 ? ss : 1e-24));
        for (size_t k = 0; k < d; k++) v[i * d + k] *= inv;
    }
}

/* Each filler allocates its op's buffers (1 when out of memory) and fills
 * them from r; the caller frees a half-filled case. */
#define NEED(p) do { if (!(p)) return 1; } while (0)

static int fill_normalize(kernel_case *kc, rng *r)
{
    size_t C = kc->C, D = kc->D;
    snprintf(kc->shape, sizeof kc->shape, "rows=%zu D=%zu", C, D);
    NEED(kc->P = falloc(C * D));
    NEED(kc->Y = falloc(C * D));
    NEED(kc->inv = falloc(C));
    fill_normal(r, kc->P, C * D);
    kc->work = (double)C * D;
    if (kc->op != KOP_NORMALIZE_BWD) return 0;
    NEED(kc->G = falloc(C * D));
    NEED(kc->Out = falloc(C * D));
    fill_normal(r, kc->G, C * D);
    for (size_t i = 0; i < C; i++) {
        double ss = 0;
        for (size_t k = 0; k < D; k++) ss += (double)kc->P[i * D + k] * kc->P[i * D + k];
        double nrm = sqrt(ss) > 1e-12 ? sqrt(ss) : 1e-12;
        kc->inv[i] = (float)(1.0 / nrm);
        for (size_t k = 0; k < D; k++) kc->Y[i * D + k] = (float)(kc->P[i * D + k] / nrm);
    }
    return 0;
}

/* The operands of each product: Out (m×n, ldc) = op(A) op(B). */
static void gemm_operands(kernel_case *kc)
{
    size_t M = kc->M, C = kc->C, D = kc->D;
    if (kc->op == KOP_GEMM_S) { /* Sᵀ (C×M) = P̂ X̂ᵀ */
        kc->ta = 0; kc->tb = 1; kc->m = C; kc->n = M; kc->k = D;
        kc->A = kc->P; kc->lda = D; kc->B = kc->X; kc->ldb = D; kc->ldc = M;
    } else if (kc->op == KOP_GEMM_DX) { /* dX̂ (M×D) = (Gᵀ)ᵀ P̂ */
        kc->ta = 1; kc->tb = 0; kc->m = M; kc->n = D; kc->k = C;
        kc->A = kc->G; kc->lda = M; kc->B = kc->P; kc->ldb = D; kc->ldc = D;
    } else { /* dP̂ (C×D) = Gᵀ X̂ */
        kc->ta = 0; kc->tb = 0; kc->m = C; kc->n = D; kc->k = M;
        kc->A = kc->G; kc->lda = M; kc->B = kc->X; kc->ldb = D; kc->ldc = D;
    }
}

static int fill_gemm(kernel_case *kc, rng *r)
{
    size_t M = kc->M, C = kc->C, D = kc->D;
    snprintf(kc->shape, sizeof kc->shape, "M=%zu C=%zu D=%zu", M, C, D);
    NEED(kc->X = falloc(M * D));
    NEED(kc->P = falloc(C * D));
    fill_normal(r, kc->X, M * D);
    fill_normal(r, kc->P, C * D);
    normalize_rows(kc->X, M, D);
    normalize_rows(kc->P, C, D);
    if (kc->op != KOP_GEMM_S) { /* G is the backward products' operand; S reads none (the roofline's C = 10^6: 720 MB) */
        NEED(kc->G = falloc(C * M));
        for (size_t i = 0; i < C * M; i++) kc->G[i] = (float)(rng_normal(r) * 0.01);
    }
    kc->work = 2.0 * (double)M * C * D;
    kc->work_is_flops = 1;
    gemm_operands(kc);
    NEED(kc->Out = falloc(kc->m * kc->ldc));
    return 0;
}

static int fill_syrk(kernel_case *kc, rng *r)
{
    size_t M = kc->M, D = kc->D;
    snprintf(kc->shape, sizeof kc->shape, "M=%zu D=%zu", M, D);
    NEED(kc->X = falloc(M * D));
    NEED(kc->Out = falloc(M * M));
    fill_normal(r, kc->X, M * D);
    normalize_rows(kc->X, M, D);
    kc->work = (double)M * (M + 1) * D; /* the lower triangle, 2 FLOP per term */
    kc->work_is_flops = 1;
    return 0;
}

/* M rows of C cosines; 5 members per class on each row, the row's class at
 * random, Proxy-Anchor weights (alpha 32, delta 0.1). */
static int fill_lse(kernel_case *kc, rng *r)
{
    size_t M = kc->M, C = kc->C;
    snprintf(kc->shape, sizeof kc->shape, "rows=%zu n=%zu", M, C);
    NEED(kc->G = falloc(M * C));
    NEED(kc->Out = falloc(M * C));
    NEED(kc->Y = falloc(2 * M));
    NEED(kc->labels = malloc(C * sizeof *kc->labels));
    NEED(kc->cls = malloc(M * sizeof *kc->cls));
    for (size_t i = 0; i < M * C; i++) kc->G[i] = (float)(2.0 * rng_uniform(r) - 1.0);
    size_t ncls = C / 5 ? C / 5 : 1;
    for (size_t j = 0; j < C; j++) kc->labels[j] = (int32_t)(rng_next(r) % ncls);
    for (size_t i = 0; i < M; i++) kc->cls[i] = (int32_t)(rng_next(r) % ncls);
    kc->work = (double)M * C;
    return 0;
}

static int fill_exp(kernel_case *kc, rng *r)
{
    size_t n = kc->M * kc->C;
    snprintf(kc->shape, sizeof kc->shape, "n=%zu", n);
    NEED(kc->G = falloc(n));
    NEED(kc->Out = falloc(n));
    for (size_t i = 0; i < n; i++) kc->G[i] = (float)(-60.0 + 65.0 * rng_uniform(r));
    kc->work = (double)n;
    return 0;
}

int kernel_case_init(kernel_case *kc, kernel_op op, size_t M, size_t C, size_t D, uint64_t seed,
                     char *err, size_t errlen)
{
    static int (*const fill[KOP_COUNT])(kernel_case *, rng *) = {
        [KOP_NORMALIZE] = fill_normalize, [KOP_NORMALIZE_BWD] = fill_normalize,
        [KOP_GEMM_S] = fill_gemm, [KOP_GEMM_DX] = fill_gemm, [KOP_GEMM_DP] = fill_gemm,
        [KOP_SYRK] = fill_syrk, [KOP_LSE] = fill_lse, [KOP_EXP] = fill_exp,
    };
    memset(kc, 0, sizeof *kc);
    if (op < 0 || op >= KOP_COUNT || !M || !C || !D) {
        snprintf(err, errlen, "bad kernel case (op %d, M=%zu C=%zu D=%zu)", (int)op, M, C, D);
        return 1;
    }
    kc->op = op;
    kc->M = M;
    kc->C = C;
    kc->D = D;
    rng r;
    rng_seed(&r, seed ^ ((uint64_t)op << 48));
    if (!(kc->work_buf = falloc(DML_GEMM_WORK_FLOATS)) || fill[op](kc, &r)) {
        kernel_case_free(kc);
        snprintf(err, errlen, "out of memory for kernel case %s M=%zu C=%zu D=%zu",
                 kernel_op_name(op), M, C, D);
        return 1;
    }
    return 0;
}

void kernel_case_free(kernel_case *kc)
{
    free(kc->X); free(kc->P); free(kc->G); free(kc->Y); free(kc->Out); free(kc->inv);
    free(kc->work_buf); free(kc->labels); free(kc->cls);
    memset(kc, 0, sizeof *kc);
}

static const dml_lse_side lse_pos = { -32.0f, 3.2f, -INFINITY, INFINITY, -32.0f / 100.0f, 1 };
static const dml_lse_side lse_neg = { 32.0f, 3.2f, -INFINITY, INFINITY, 32.0f / 1000.0f, 1 };

void kernel_case_run(const kernel_case *kc, const dml_kernels *k)
{
    switch (kc->op) {
    case KOP_NORMALIZE:
        k->normalize(kc->P, kc->C, kc->D, kc->Y, kc->inv);
        break;
    case KOP_NORMALIZE_BWD:
        k->normalize_backward(kc->Y, kc->inv, kc->G, kc->C, kc->D, kc->Out);
        break;
    case KOP_GEMM_S:
    case KOP_GEMM_DX:
    case KOP_GEMM_DP:
        k->gemm(kc->ta, kc->tb, kc->m, kc->n, kc->k, kc->A, kc->lda, kc->B, kc->ldb, kc->Out,
                kc->ldc, kc->work_buf);
        break;
    case KOP_SYRK:
        k->syrk(kc->M, kc->D, kc->X, kc->D, kc->Out, kc->M, kc->work_buf);
        break;
    case KOP_LSE:
        for (size_t i = 0; i < kc->M; i++)
            k->lse(kc->G + i * kc->C, kc->C, kc->labels, kc->cls[i], SIZE_MAX, &lse_pos,
                   &lse_neg, kc->Y + 2 * i, kc->Out + i * kc->C);
        break;
    case KOP_EXP:
        k->exp(kc->G, kc->M * kc->C, kc->Out);
        break;
    default:
        break;
    }
    COMPILER_BARRIER();
}

void kernel_case_run_blas(const kernel_case *kc, cblas_sgemm_fn sgemm)
{
    enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
    sgemm(ROW_MAJOR, kc->ta ? TRANS : NO_TRANS, kc->tb ? TRANS : NO_TRANS, (int)kc->m,
          (int)kc->n, (int)kc->k, 1.0f, kc->A, (int)kc->lda, kc->B, (int)kc->ldb, 0.0f, kc->Out,
          (int)kc->ldc);
    COMPILER_BARRIER();
}
