/* slowdown.h — TEST ONLY, for `make bench-check-proof`: included by dispatch.c
 * only when built with -DDML_TEST_SLOWDOWN=<op>_<isa> (make DML_SLOWDOWN=...),
 * it makes that entry of the dispatch table run its kernel twice, so the
 * regression check must fail and name it.  A normal build never sees this file.
 * Supported: lse_avx2, lse_avx512, lse_neon, exp_avx2, gemm_avx2 (all idempotent). */
#ifndef DML_SLOWDOWN_H
#define DML_SLOWDOWN_H

#include "dml_kernels.h"

#define DML_SLOW_CAT_(a, b) a##b
#define DML_SLOW_CAT(a, b) DML_SLOW_CAT_(a, b)
#define DML_SLOW_IS_lse_avx2 1
#define DML_SLOW_IS_lse_avx512 2
#define DML_SLOW_IS_lse_neon 3
#define DML_SLOW_IS_exp_avx2 4
#define DML_SLOW_IS_gemm_avx2 5
#define DML_SLOW_WHICH DML_SLOW_CAT(DML_SLOW_IS_, DML_TEST_SLOWDOWN)

#if DML_SLOW_WHICH >= 1 && DML_SLOW_WHICH <= 3
#if DML_SLOW_WHICH == 1
#define DML_SLOW_LSE dml_lse_f32_avx2
#elif DML_SLOW_WHICH == 2
#define DML_SLOW_LSE dml_lse_f32_avx512
#else
#define DML_SLOW_LSE dml_lse_f32_neon
#endif
static size_t dml_slow_lse(const float *s, size_t n, const int32_t *labels, int32_t c,
                           size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                           float out[2], float *g)
{
    DML_SLOW_LSE(s, n, labels, c, skip, pos, neg, out, g);
    return DML_SLOW_LSE(s, n, labels, c, skip, pos, neg, out, g);
}
#undef DML_SLOW_LSE
#if DML_SLOW_WHICH == 1
#define dml_lse_f32_avx2 dml_slow_lse
#elif DML_SLOW_WHICH == 2
#define dml_lse_f32_avx512 dml_slow_lse
#else
#define dml_lse_f32_neon dml_slow_lse
#endif
#elif DML_SLOW_WHICH == 4
static void dml_slow_exp(const float *x, size_t n, float *y)
{
    dml_exp_f32_avx2(x, n, y);
    dml_exp_f32_avx2(x, n, y);
}
#define dml_exp_f32_avx2 dml_slow_exp
#elif DML_SLOW_WHICH == 5
static void dml_slow_gemm(int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                          size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                          float *work)
{
    dml_gemm_f32_avx2(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work);
    dml_gemm_f32_avx2(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work);
}
#define dml_gemm_f32_avx2 dml_slow_gemm
#else
#error "DML_TEST_SLOWDOWN: unknown kernel (lse_avx2, lse_avx512, lse_neon, exp_avx2, gemm_avx2)"
#endif

#endif
