/* cosine_ref.c — scalar reference of the cosine-similarity kernels.
 *
 * The oracle for every SIMD version and the fallback on any CPU.  Written for
 * clarity: plain loops, float accumulation in index order.  The Makefile
 * compiles *_ref.c with vectorisation and FP contraction off, so these stay
 * scalar and "ref vs SIMD" measures the kernels, not the compiler. */
#include <math.h>

#include "dml_kernels.h"

#define DML_NORM_EPS 1e-12f

void dml_normalize_f32_ref(const float *X, size_t n, size_t d, float *Y, float *inv_norm)
{
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * d;
        float ss = 0.0f;
        for (size_t k = 0; k < d; k++)
            ss += x[k] * x[k];
        float norm = sqrtf(ss);
        float den = norm > DML_NORM_EPS ? norm : DML_NORM_EPS;
        inv_norm[i] = 1.0f / den;
        for (size_t k = 0; k < d; k++)
            Y[i * d + k] = x[k] / den;
    }
}

void dml_normalize_backward_f32_ref(const float *Y, const float *inv_norm, const float *G,
                                    size_t n, size_t d, float *dX)
{
    for (size_t i = 0; i < n; i++) {
        const float *y = Y + i * d, *g = G + i * d;
        float dot = 0.0f;
        for (size_t k = 0; k < d; k++)
            dot += y[k] * g[k];
        /* dX may alias G: read g[k] before writing dX[k]. */
        for (size_t k = 0; k < d; k++)
            dX[i * d + k] = (g[k] - y[k] * dot) * inv_norm[i];
    }
}

/* Entry (i, j) of op(A) op(B): one sum over k in index order, shared by
 * the overwriting and the accumulating GEMM so both give the same bits. */
static float ref_entry(int ta, int tb, size_t i, size_t j, size_t k, const float *A, size_t lda,
                       const float *B, size_t ldb)
{
    float acc = 0.0f;
    for (size_t p = 0; p < k; p++) {
        float a = ta ? A[p * lda + i] : A[i * lda + p];
        float b = tb ? B[j * ldb + p] : B[p * ldb + j];
        acc += a * b;
    }
    return acc;
}

void dml_gemm_f32_ref(int ta, int tb, size_t m, size_t n, size_t k,
                      const float *A, size_t lda, const float *B, size_t ldb,
                      float *C, size_t ldc, float *work)
{
    (void)work;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            C[i * ldc + j] = ref_entry(ta, tb, i, j, k, A, lda, B, ldb);
}

/* The same sums as dml_gemm_f32_ref, added to C once complete. */
void dml_gemm_acc_f32_ref(int ta, int tb, size_t m, size_t n, size_t k,
                          const float *A, size_t lda, const float *B, size_t ldb,
                          float *C, size_t ldc, float *work)
{
    (void)work;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            C[i * ldc + j] += ref_entry(ta, tb, i, j, k, A, lda, B, ldb);
}

/* The reference's packed layout is op(B) itself, k×n row-major: simple,
 * and a product from it sums in the same order as dml_gemm_f32_ref. */
size_t dml_gemm_packed_floats_f32_ref(size_t n, size_t k)
{
    return n * k;
}

void dml_gemm_pack_b_f32_ref(int tb, size_t n, size_t k, const float *B, size_t ldb, float *Bp)
{
    for (size_t p = 0; p < k; p++)
        for (size_t j = 0; j < n; j++)
            Bp[p * n + j] = tb ? B[j * ldb + p] : B[p * ldb + j];
}

void dml_gemm_packed_f32_ref(int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                             size_t lda, const float *B, size_t ldb, const float *Bp, float *C,
                             size_t ldc, float *work, int accumulate)
{
    (void)tb, (void)B, (void)ldb;
    if (accumulate)
        dml_gemm_acc_f32_ref(ta, 0, m, n, k, A, lda, Bp, n, C, ldc, work);
    else
        dml_gemm_f32_ref(ta, 0, m, n, k, A, lda, Bp, n, C, ldc, work);
}

void dml_gemm_packed_nb_f32_ref(int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                                size_t lda, const float *B, size_t ldb, const float *Bp,
                                const float *Y, const float *inv, float *C, size_t ldc,
                                float *work)
{
    dml_gemm_packed_f32_ref(ta, tb, m, n, k, A, lda, B, ldb, Bp, C, ldc, work, 0);
    for (size_t i = 0; i < m; i++) /* row by row: ldc may exceed n */
        dml_normalize_backward_f32_ref(Y + i * n, inv + i, C + i * ldc, 1, n, C + i * ldc);
}

void dml_syrk_f32_ref(size_t n, size_t k, const float *A, size_t lda, float *C, size_t ldc,
                      float *work)
{
    (void)work;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= i; j++) {
            float acc = 0.0f;
            for (size_t p = 0; p < k; p++)
                acc += A[i * lda + p] * A[j * lda + p];
            C[i * ldc + j] = acc;
            C[j * ldc + i] = acc;
        }
    }
}
