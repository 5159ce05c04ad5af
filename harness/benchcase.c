/* benchcase.c — one kernel of the dispatch table on one shape, with seeded
 * inputs: what `bench`, `bench-check` and build/dmlcount measure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

static const char *const op_names[BOP_COUNT] = {
    "normalize", "normalize_bwd", "gemm_S", "gemm_dX", "gemm_dP", "syrk", "lse", "exp"
};

const char *bench_op_name(bench_op op)
{
    return (op >= 0 && op < BOP_COUNT) ? op_names[op] : "unknown";
}

int bench_op_parse(const char *name, bench_op *out)
{
    for (int i = 0; i < BOP_COUNT; i++)
        if (!strcmp(name, op_names[i])) {
            *out = (bench_op)i;
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

#define NEED(p) do { if (!(p)) goto nomem; } while (0)

int bench_case_init(bench_case *bc, bench_op op, size_t M, size_t C, size_t D, uint64_t seed,
                    char *err, size_t errlen)
{
    memset(bc, 0, sizeof *bc);
    if (op < 0 || op >= BOP_COUNT || !M || !C || !D) {
        snprintf(err, errlen, "bad bench case (op %d, M=%zu C=%zu D=%zu)", (int)op, M, C, D);
        return 1;
    }
    bc->op = op;
    bc->M = M;
    bc->C = C;
    bc->D = D;
    rng r;
    rng_seed(&r, seed ^ ((uint64_t)op << 48));
    NEED(bc->work_buf = falloc(DML_GEMM_WORK_FLOATS));
    switch (op) {
    case BOP_NORMALIZE:
    case BOP_NORMALIZE_BWD:
        snprintf(bc->shape, sizeof bc->shape, "rows=%zu D=%zu", C, D);
        NEED(bc->P = falloc(C * D));
        NEED(bc->Y = falloc(C * D));
        NEED(bc->inv = falloc(C));
        fill_normal(&r, bc->P, C * D);
        bc->work = (double)C * D;
        if (op == BOP_NORMALIZE_BWD) {
            NEED(bc->G = falloc(C * D));
            NEED(bc->Out = falloc(C * D));
            fill_normal(&r, bc->G, C * D);
            for (size_t i = 0; i < C; i++) {
                double ss = 0;
                for (size_t k = 0; k < D; k++) ss += (double)bc->P[i * D + k] * bc->P[i * D + k];
                double nrm = sqrt(ss) > 1e-12 ? sqrt(ss) : 1e-12;
                bc->inv[i] = (float)(1.0 / nrm);
                for (size_t k = 0; k < D; k++) bc->Y[i * D + k] = (float)(bc->P[i * D + k] / nrm);
            }
        }
        break;
    case BOP_GEMM_S:
    case BOP_GEMM_DX:
    case BOP_GEMM_DP:
        snprintf(bc->shape, sizeof bc->shape, "M=%zu C=%zu D=%zu", M, C, D);
        NEED(bc->X = falloc(M * D));
        NEED(bc->P = falloc(C * D));
        NEED(bc->G = falloc(C * M));
        fill_normal(&r, bc->X, M * D);
        fill_normal(&r, bc->P, C * D);
        normalize_rows(bc->X, M, D);
        normalize_rows(bc->P, C, D);
        for (size_t i = 0; i < C * M; i++) bc->G[i] = (float)(rng_normal(&r) * 0.01);
        bc->work = 2.0 * (double)M * C * D;
        bc->work_is_flops = 1;
        if (op == BOP_GEMM_S) { /* Sᵀ (C×M) = P̂ X̂ᵀ */
            bc->ta = 0; bc->tb = 1; bc->m = C; bc->n = M; bc->k = D;
            bc->A = bc->P; bc->lda = D; bc->B = bc->X; bc->ldb = D; bc->ldc = M;
        } else if (op == BOP_GEMM_DX) { /* dX̂ (M×D) = (Gᵀ)ᵀ P̂ */
            bc->ta = 1; bc->tb = 0; bc->m = M; bc->n = D; bc->k = C;
            bc->A = bc->G; bc->lda = M; bc->B = bc->P; bc->ldb = D; bc->ldc = D;
        } else { /* dP̂ (C×D) = Gᵀ X̂ */
            bc->ta = 0; bc->tb = 0; bc->m = C; bc->n = D; bc->k = M;
            bc->A = bc->G; bc->lda = M; bc->B = bc->X; bc->ldb = D; bc->ldc = D;
        }
        NEED(bc->Out = falloc(bc->m * bc->ldc));
        break;
    case BOP_SYRK:
        snprintf(bc->shape, sizeof bc->shape, "M=%zu D=%zu", M, D);
        NEED(bc->X = falloc(M * D));
        NEED(bc->Out = falloc(M * M));
        fill_normal(&r, bc->X, M * D);
        normalize_rows(bc->X, M, D);
        bc->work = (double)M * (M + 1) * D; /* the lower triangle, 2 FLOP per term */
        bc->work_is_flops = 1;
        break;
    case BOP_LSE:
        /* M rows of C cosines; 5 members per class on each row, the row's class
         * at random, Proxy-Anchor weights (alpha 32, delta 0.1). */
        snprintf(bc->shape, sizeof bc->shape, "rows=%zu n=%zu", M, C);
        NEED(bc->G = falloc(M * C));
        NEED(bc->Out = falloc(M * C));
        NEED(bc->Y = falloc(2 * M));
        NEED(bc->labels = malloc(C * sizeof *bc->labels));
        NEED(bc->cls = malloc(M * sizeof *bc->cls));
        for (size_t i = 0; i < M * C; i++) bc->G[i] = (float)(2.0 * rng_uniform(&r) - 1.0);
        {
            size_t ncls = C / 5 ? C / 5 : 1;
            for (size_t j = 0; j < C; j++) bc->labels[j] = (int32_t)(rng_next(&r) % ncls);
            for (size_t i = 0; i < M; i++) bc->cls[i] = (int32_t)(rng_next(&r) % ncls);
        }
        bc->work = (double)M * C;
        break;
    case BOP_EXP:
        snprintf(bc->shape, sizeof bc->shape, "n=%zu", M * C);
        NEED(bc->G = falloc(M * C));
        NEED(bc->Out = falloc(M * C));
        for (size_t i = 0; i < M * C; i++) bc->G[i] = (float)(-60.0 + 65.0 * rng_uniform(&r));
        bc->work = (double)M * C;
        break;
    default:
        break;
    }
    return 0;
nomem:
    bench_case_free(bc);
    snprintf(err, errlen, "out of memory for bench case %s M=%zu C=%zu D=%zu",
             bench_op_name(op), M, C, D);
    return 1;
}

void bench_case_free(bench_case *bc)
{
    free(bc->X); free(bc->P); free(bc->G); free(bc->Y); free(bc->Out); free(bc->inv);
    free(bc->work_buf); free(bc->labels); free(bc->cls);
    memset(bc, 0, sizeof *bc);
}

static const dml_lse_side lse_pos = { -32.0f, 3.2f, -INFINITY, INFINITY, -32.0f / 100.0f, 1 };
static const dml_lse_side lse_neg = { 32.0f, 3.2f, -INFINITY, INFINITY, 32.0f / 1000.0f, 1 };

void bench_case_run(const bench_case *bc, const dml_kernels *k)
{
    switch (bc->op) {
    case BOP_NORMALIZE:
        k->normalize(bc->P, bc->C, bc->D, bc->Y, bc->inv);
        break;
    case BOP_NORMALIZE_BWD:
        k->normalize_backward(bc->Y, bc->inv, bc->G, bc->C, bc->D, bc->Out);
        break;
    case BOP_GEMM_S:
    case BOP_GEMM_DX:
    case BOP_GEMM_DP:
        k->gemm(bc->ta, bc->tb, bc->m, bc->n, bc->k, bc->A, bc->lda, bc->B, bc->ldb, bc->Out,
                bc->ldc, bc->work_buf);
        break;
    case BOP_SYRK:
        k->syrk(bc->M, bc->D, bc->X, bc->D, bc->Out, bc->M, bc->work_buf);
        break;
    case BOP_LSE:
        for (size_t i = 0; i < bc->M; i++)
            k->lse(bc->G + i * bc->C, bc->C, bc->labels, bc->cls[i], SIZE_MAX, &lse_pos,
                   &lse_neg, bc->Y + 2 * i, bc->Out + i * bc->C);
        break;
    case BOP_EXP:
        k->exp(bc->G, bc->M * bc->C, bc->Out);
        break;
    default:
        break;
    }
    COMPILER_BARRIER();
}

void bench_case_run_blas(const bench_case *bc, cblas_sgemm_fn sgemm)
{
    enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
    sgemm(ROW_MAJOR, bc->ta ? TRANS : NO_TRANS, bc->tb ? TRANS : NO_TRANS, (int)bc->m,
          (int)bc->n, (int)bc->k, 1.0f, bc->A, (int)bc->lda, bc->B, (int)bc->ldb, 0.0f, bc->Out,
          (int)bc->ldc);
    COMPILER_BARRIER();
}

size_t bench_check_cases(bench_op ops[BOP_COUNT], size_t M[BOP_COUNT], size_t C[BOP_COUNT],
                         size_t D[BOP_COUNT])
{
    /* op, M, C, D: the smallest loss shape of the paper (M 180, C 100, D 64)
     * for the products; the scalar reference runs each in about a millisecond. */
    static const struct { bench_op op; size_t M, C, D; } t[BOP_COUNT] = {
        { BOP_NORMALIZE, 180, 180, 512 },
        { BOP_NORMALIZE_BWD, 180, 180, 512 },
        { BOP_GEMM_S, 180, 100, 64 },
        { BOP_GEMM_DX, 180, 100, 64 },
        { BOP_GEMM_DP, 180, 100, 64 },
        { BOP_SYRK, 180, 180, 64 },
        { BOP_LSE, 50, 1000, 1 },
        { BOP_EXP, 180, 256, 1 },
    };
    for (size_t i = 0; i < BOP_COUNT; i++) {
        ops[i] = t[i].op;
        M[i] = t[i].M;
        C[i] = t[i].C;
        D[i] = t[i].D;
    }
    return BOP_COUNT;
}

void median_ci_index(size_t n, double alpha, size_t *lo, size_t *hi)
{
    /* Order statistics (j, n-1-j) cover the median with probability
     * 1 - 2 P(Bin(n, 1/2) <= j); take the largest j that keeps it >= 1 - alpha. */
    *lo = 0;
    *hi = n ? n - 1 : 0;
    if (n < 2) return;
    double cdf = 0, pmf = pow(0.5, (double)n); /* P(Bin = 0) */
    for (size_t j = 0; j < n / 2; j++) {
        cdf += pmf;                       /* P(Bin <= j) */
        if (2 * cdf > alpha) break;
        *lo = j;
        *hi = n - 1 - j;
        pmf = pmf * (double)(n - j) / (double)(j + 1);
    }
}
