/* cosine_avx512.c — AVX-512 (F/VL/BW/DQ) cosine-similarity kernels.
 *
 * GEMM/SYRK: a 12×32 register-blocked micro-kernel (24 zmm accumulators, two
 * zmm of packed B and one broadcast of packed A per k step) inside the shared
 * blocking driver (gemm_driver.h).  Per k step it issues 24 FMAs against 14
 * loads, so both FMA ports stay busy without saturating the two load ports.
 * Tails in n are handled with opmasks (a tail of at most 16 columns runs half
 * the FMAs; its last few columns may go to dot products along k instead),
 * tails in m by skipping rows. */
#include <immintrin.h>
#include <math.h>

#include "dml_kernels.h"
#include "pack_x86.h"

#define DML_NORM_EPS 1e-12f

/* ---------------------------------------------------------------- normalise */

static float sum_of_squares_avx512(const float *x, size_t d)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 32 <= d; k += 32) { /* two chains hide the FMA latency */
        __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
        acc0 = _mm512_fmadd_ps(x0, x0, acc0);
        acc1 = _mm512_fmadd_ps(x1, x1, acc1);
    }
    for (; k < d; k += 16) {
        __mmask16 m = d - k >= 16 ? 0xFFFF : (__mmask16)((1u << (d - k)) - 1);
        __m512 x0 = _mm512_maskz_loadu_ps(m, x + k);
        acc0 = _mm512_fmadd_ps(x0, x0, acc0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

void dml_normalize_f32_avx512(const float *X, size_t n, size_t d, float *Y, float *inv_norm)
{
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * d;
        float *y = Y + i * d;
        float norm = sqrtf(sum_of_squares_avx512(x, d));
        float den = norm > DML_NORM_EPS ? norm : DML_NORM_EPS; /* NaN norm -> eps, as ref */
        inv_norm[i] = 1.0f / den;
        /* A true division, as the reference: x / |x| is exactly ±1 for d = 1. */
        __m512 vden = _mm512_set1_ps(den);
        size_t k = 0;
        for (; k + 16 <= d; k += 16)
            _mm512_storeu_ps(y + k, _mm512_div_ps(_mm512_loadu_ps(x + k), vden));
        if (k < d) {
            __mmask16 m = (__mmask16)((1u << (d - k)) - 1);
            _mm512_mask_storeu_ps(y + k, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + k), vden));
        }
    }
}

static float dot_avx512(const float *a, const float *b, size_t d)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 32 <= d; k += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), _mm512_loadu_ps(b + k + 16), acc1);
    }
    for (; k < d; k += 16) {
        __mmask16 m = d - k >= 16 ? 0xFFFF : (__mmask16)((1u << (d - k)) - 1);
        acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + k), _mm512_maskz_loadu_ps(m, b + k),
                               acc0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

void dml_normalize_backward_f32_avx512(const float *Y, const float *inv_norm, const float *G,
                                       size_t n, size_t d, float *dX)
{
    for (size_t i = 0; i < n; i++) {
        const float *y = Y + i * d, *g = G + i * d;
        float *dx = dX + i * d;
        /* The whole dot is read before any dx is written, so dX may alias G. */
        __m512 dot = _mm512_set1_ps(dot_avx512(y, g, d));
        __m512 inv = _mm512_set1_ps(inv_norm[i]);
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 m = d - k >= 16 ? 0xFFFF : (__mmask16)((1u << (d - k)) - 1);
            __m512 gk = _mm512_maskz_loadu_ps(m, g + k), yk = _mm512_maskz_loadu_ps(m, y + k);
            _mm512_mask_storeu_ps(dx + k, m, _mm512_mul_ps(_mm512_fnmadd_ps(yk, dot, gk), inv));
        }
    }
}

/* ------------------------------------------------------------ micro-kernel */

#define GEMM_MR 12
#define GEMM_NR 32
#define GEMM_VEC 16
#define GEMM_DOT_MAX 8
#define GEMM_KC 512
/* 1 MiB of packed B: half the 2 MiB L2, leaving room for C and the A stream. */
#define GEMM_B_FLOATS (1 << 18)

/* One row of the tile: both halves of row r from the accumulators. */
static inline void store_row_avx512(float *c, __m512 lo, __m512 hi, __mmask16 mlo, __mmask16 mhi,
                                    int accumulate)
{
    if (accumulate) {
        lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(mlo, c));
        hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(mhi, c + 16));
    }
    _mm512_mask_storeu_ps(c, mlo, lo);
    _mm512_mask_storeu_ps(c + 16, mhi, hi);
}

#define ACC_DECLARE(r) __m512 c##r##a = _mm512_setzero_ps(), c##r##b = _mm512_setzero_ps();
#define ACC_FMA(r)                                                                           \
    {                                                                                        \
        __m512 ar = _mm512_set1_ps(a[r]);                                                    \
        c##r##a = _mm512_fmadd_ps(ar, b0, c##r##a);                                          \
        c##r##b = _mm512_fmadd_ps(ar, b1, c##r##b);                                          \
    }
#define ACC_FMA_LO(r) c##r##a = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), b0, c##r##a);
#define ACC_STORE(r)                                                                         \
    if (r < mr)                                                                              \
        store_row_avx512(C + r * ldc, c##r##a, c##r##b, mlo, mhi, accumulate);
#define FOR_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/* C[mr×nr] (=|+=) Σ_p a[p*12 + r] · b[p*32 + c]  over kc steps. */
static void gemm_ukernel(size_t kc, const float *restrict a, const float *restrict b,
                         float *restrict C, size_t ldc, size_t mr, size_t nr, int accumulate)
{
    FOR_ROWS(ACC_DECLARE)
    if (nr <= 16) { /* a tail of at most one vector: skip the half never stored */
        for (size_t p = 0; p < kc; p++) {
            __m512 b0 = _mm512_load_ps(b);
            FOR_ROWS(ACC_FMA_LO)
            a += GEMM_MR;
            b += GEMM_NR;
        }
    } else {
        for (size_t p = 0; p < kc; p++) {
            __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
            FOR_ROWS(ACC_FMA)
            a += GEMM_MR;
            b += GEMM_NR;
        }
    }
    __mmask16 mlo = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 mhi = nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
    FOR_ROWS(ACC_STORE)
}

/* ------------------------------------------------------- dot-product tile */

#define DOT_DECLARE(r) __m512 s##r##0 = _mm512_setzero_ps(), s##r##1 = s##r##0, s##r##2 = s##r##0, \
                              s##r##3 = s##r##0;
#define DOT_FMA(r)                                                                           \
    {                                                                                        \
        __m512 ar = _mm512_maskz_loadu_ps(m, a##r + p);                                      \
        s##r##0 = _mm512_fmadd_ps(ar, b0, s##r##0), s##r##1 = _mm512_fmadd_ps(ar, b1, s##r##1); \
        s##r##2 = _mm512_fmadd_ps(ar, b2, s##r##2), s##r##3 = _mm512_fmadd_ps(ar, b3, s##r##3); \
    }
#define DOT_SUM(r)                                                                           \
    dots[r][0] = _mm512_reduce_add_ps(s##r##0), dots[r][1] = _mm512_reduce_add_ps(s##r##1),  \
    dots[r][2] = _mm512_reduce_add_ps(s##r##2), dots[r][3] = _mm512_reduce_add_ps(s##r##3);
#define FOR_DOT_ROWS(X) X(0) X(1) X(2) X(3)

/* C[i][j] (=|+=) A[i]·B[j] for i < mi <= 4, j < nj <= 4, vectorised along k
 * (16 accumulators).  Rows and columns past mi, nj repeat the last valid one
 * and are not stored. */
static void dot_block4x4(size_t kc, const float *A, size_t lda, size_t mi, const float *B,
                         size_t ldb, size_t nj, float *C, size_t ldc, int accumulate)
{
    const float *a0 = A, *a1 = A + (mi > 1 ? 1 : 0) * lda, *a2 = A + (mi > 2 ? 2 : mi - 1) * lda,
                *a3 = A + (mi - 1) * lda;
    const float *bp0 = B, *bp1 = B + (nj > 1 ? 1 : 0) * ldb, *bp2 = B + (nj > 2 ? 2 : nj - 1) * ldb,
                *bp3 = B + (nj - 1) * ldb;
    FOR_DOT_ROWS(DOT_DECLARE)
    for (size_t p = 0; p < kc; p += 16) {
        __mmask16 m = kc - p >= 16 ? 0xFFFF : (__mmask16)((1u << (kc - p)) - 1);
        __m512 b0 = _mm512_maskz_loadu_ps(m, bp0 + p), b1 = _mm512_maskz_loadu_ps(m, bp1 + p);
        __m512 b2 = _mm512_maskz_loadu_ps(m, bp2 + p), b3 = _mm512_maskz_loadu_ps(m, bp3 + p);
        FOR_DOT_ROWS(DOT_FMA)
    }
    float dots[4][4];
    FOR_DOT_ROWS(DOT_SUM)
    for (size_t i = 0; i < mi; i++)
        for (size_t j = 0; j < nj; j++)
            C[i * ldc + j] = accumulate ? C[i * ldc + j] + dots[i][j] : dots[i][j];
}

/* C[mr×nc] (=|+=) A[i]·B[j], nc <= GEMM_DOT_MAX: the last few columns of a
 * tail micro-panel, on the unpacked k-contiguous rows of A and B. */
static void gemm_dot_tile(size_t kc, const float *A, size_t lda, const float *B, size_t ldb,
                          float *C, size_t ldc, size_t mr, size_t nc, int accumulate)
{
    for (size_t i = 0; i < mr; i += 4)
        for (size_t j = 0; j < nc; j += 4)
            dot_block4x4(kc, A + i * lda, lda, mr - i < 4 ? mr - i : 4, B + j * ldb, ldb,
                         nc - j < 4 ? nc - j : 4, C + i * ldc + j, ldc, accumulate);
}

#define GEMM_ROW_BACKWARD dml_normalize_backward_f32_avx512
#include "gemm_driver.h"

DML_GEMM_ENTRIES(avx512)
