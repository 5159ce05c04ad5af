/* cosine_avx2.c — AVX2 + FMA cosine-similarity kernels.
 *
 * GEMM/SYRK: the classic 6×16 register-blocked micro-kernel (12 ymm
 * accumulators, two ymm of packed B and one broadcast of A per k step: 15 of
 * the 16 ymm registers; A from a packed panel, or from its own rows when
 * ta = 0) inside the shared blocking driver (gemm_driver.h).  Tails in n go
 * through maskload/maskstore (a tail of at most 8 columns runs half the
 * FMAs; its last few columns may go to dot products along k instead), tails
 * in m by skipping rows. */
#include <immintrin.h>
#include <math.h>

#include "dml_kernels.h"
#include "pack_x86.h"

#define DML_NORM_EPS 1e-12f

/* ---------------------------------------------------------------- normalise */

static float hsum_avx2(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static float dot_avx2(const float *a, const float *b, size_t d)
{
    /* Four chains hide the FMA latency (4 cycles, 2 per cycle). */
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 32 <= d; k += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), _mm256_loadu_ps(b + k + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 16), _mm256_loadu_ps(b + k + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 24), _mm256_loadu_ps(b + k + 24), acc3);
    }
    for (; k + 8 <= d; k += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), acc0);
    if (k < d) {
        __m256i m = pack_lane_mask(d - k);
        acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + k, m), _mm256_maskload_ps(b + k, m), acc1);
    }
    return hsum_avx2(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

void dml_normalize_f32_avx2(const float *X, size_t n, size_t d, float *Y, float *inv_norm)
{
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * d;
        float *y = Y + i * d;
        float norm = sqrtf(dot_avx2(x, x, d));
        float den = norm > DML_NORM_EPS ? norm : DML_NORM_EPS; /* NaN norm -> eps, as ref */
        inv_norm[i] = 1.0f / den;
        /* A true division, as the reference: x / |x| is exactly ±1 for d = 1. */
        __m256 vden = _mm256_set1_ps(den);
        size_t k = 0;
        for (; k + 8 <= d; k += 8)
            _mm256_storeu_ps(y + k, _mm256_div_ps(_mm256_loadu_ps(x + k), vden));
        if (k < d) {
            __m256i m = pack_lane_mask(d - k);
            _mm256_maskstore_ps(y + k, m, _mm256_div_ps(_mm256_maskload_ps(x + k, m), vden));
        }
    }
}

void dml_normalize_backward_f32_avx2(const float *Y, const float *inv_norm, const float *G,
                                     size_t n, size_t d, float *dX)
{
    for (size_t i = 0; i < n; i++) {
        const float *y = Y + i * d, *g = G + i * d;
        float *dx = dX + i * d;
        /* The whole dot is read before any dx is written, so dX may alias G. */
        __m256 dot = _mm256_set1_ps(dot_avx2(y, g, d));
        __m256 inv = _mm256_set1_ps(inv_norm[i]);
        size_t k = 0;
        for (; k + 8 <= d; k += 8) {
            __m256 gk = _mm256_loadu_ps(g + k), yk = _mm256_loadu_ps(y + k);
            _mm256_storeu_ps(dx + k, _mm256_mul_ps(_mm256_fnmadd_ps(yk, dot, gk), inv));
        }
        if (k < d) {
            __m256i m = pack_lane_mask(d - k);
            __m256 gk = _mm256_maskload_ps(g + k, m), yk = _mm256_maskload_ps(y + k, m);
            _mm256_maskstore_ps(dx + k, m, _mm256_mul_ps(_mm256_fnmadd_ps(yk, dot, gk), inv));
        }
    }
}

/* ------------------------------------------------------------ micro-kernel */

#define GEMM_MR 6
#define GEMM_NR 16
#define GEMM_VEC 8
#define GEMM_DOT_MAX 4
/* A KC-deep 6-row A panel (12 KiB) beside the 16-wide B micro-panel streaming
 * past; 256 measured no better on S, dX̂ or dP̂ (Sapphire Rapids, 2026-12-06). */
#define GEMM_KC 512
/* 1 MiB of packed B at most: half the 2 MiB L2, leaving room for C and the A
 * stream (less where L2 is smaller: gemm_b_floats in gemm_driver.h). */
#define GEMM_B_FLOATS (1 << 18)
/* A = op(A) is read in place when ta = 0 (gemm_ukernel_rows below). */
#define GEMM_A_DIRECT 1

/* One row of the tile; the masks cover the first nr columns. */
static inline void store_row_avx2(float *c, __m256 lo, __m256 hi, size_t nr, int accumulate)
{
    if (nr == 16) {
        if (accumulate) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
        }
        _mm256_storeu_ps(c, lo);
        _mm256_storeu_ps(c + 8, hi);
        return;
    }
    __m256i mlo = pack_lane_mask(nr >= 8 ? 8 : nr), mhi = pack_lane_mask(nr >= 8 ? nr - 8 : 0);
    if (accumulate) {
        lo = _mm256_add_ps(lo, _mm256_maskload_ps(c, mlo));
        hi = _mm256_add_ps(hi, _mm256_maskload_ps(c + 8, mhi));
    }
    _mm256_maskstore_ps(c, mlo, lo);
    _mm256_maskstore_ps(c + 8, mhi, hi);
}

/* Row r of the tile from A element A_r (a packed-panel or a row address). */
#define ACC_DECLARE(r) __m256 c##r##a = _mm256_setzero_ps(), c##r##b = _mm256_setzero_ps();
#define ACC_FMA2(r, A_r)                                                                     \
    {                                                                                        \
        __m256 ar = _mm256_broadcast_ss(A_r);                                                \
        c##r##a = _mm256_fmadd_ps(ar, b0, c##r##a);                                          \
        c##r##b = _mm256_fmadd_ps(ar, b1, c##r##b);                                          \
    }
#define ACC_FMA1(r, A_r) c##r##a = _mm256_fmadd_ps(_mm256_broadcast_ss(A_r), b0, c##r##a);
#define ACC_STORE(r)                                                                         \
    if (r < mr)                                                                              \
        store_row_avx2(C + r * ldc, c##r##a, c##r##b, nr, accumulate);
#define FOR_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define PACKED_FMA2(r) ACC_FMA2(r, a + r)
#define PACKED_FMA1(r) ACC_FMA1(r, a + r)
#define ROWS_FMA2(r) ACC_FMA2(r, a##r + p)
#define ROWS_FMA1(r) ACC_FMA1(r, a##r + p)

/* C[mr×nr] (=|+=) Σ_p a[p*6 + r] · b[p*16 + c]  over kc steps.  The C tile's
 * lines are asked for first: in the block order C is read back (+=) after
 * every k block of 192, and the prefetch made dX̂ at D = 512 and 1024
 * 3–6 % faster (interleaved, Sapphire Rapids), no different elsewhere. */
static void gemm_ukernel(size_t kc, const float *restrict a, const float *restrict b,
                         float *restrict C, size_t ldc, size_t mr, size_t nr, int accumulate)
{
    FOR_ROWS(ACC_DECLARE)
    for (size_t r = 0; r < mr; r++) {
        _mm_prefetch((const char *)(C + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(C + r * ldc + nr - 1), _MM_HINT_T0);
    }
    if (nr <= 8) { /* a tail of at most one vector: skip the half never stored */
        for (size_t p = 0; p < kc; p++, a += GEMM_MR, b += GEMM_NR) {
            __m256 b0 = _mm256_load_ps(b);
            FOR_ROWS(PACKED_FMA1)
        }
    } else {
        for (size_t p = 0; p < kc; p++, a += GEMM_MR, b += GEMM_NR) {
            __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
            FOR_ROWS(PACKED_FMA2)
        }
    }
    FOR_ROWS(ACC_STORE)
}

/* gemm_ukernel on A's own rows (ta = 0: S = P̂X̂ᵀ, dP̂ = GᵀX̂ in the panel
 * order), a[r·lda + p], instead of a panel transposed first; the six rows
 * stay in L1 across the panel's micro-kernel calls just as the packed panel
 * did.
 * Rows past mr repeat the last one (never stored): no read leaves A.
 * Measured 1.04–1.15× the packed panel on S and dP̂ at C = 1000 and 11 318. */
__attribute__((noinline)) static void gemm_ukernel_rows(size_t kc, const float *restrict a,
                                                        size_t lda, const float *restrict b,
                                                        float *restrict C, size_t ldc, size_t mr,
                                                        size_t nr, int accumulate)
{
    const float *a0 = a, *a1 = a + (mr > 1 ? 1 : 0) * lda, *a2 = a + (mr > 2 ? 2 : mr - 1) * lda;
    const float *a3 = a + (mr > 3 ? 3 : mr - 1) * lda, *a4 = a + (mr > 4 ? 4 : mr - 1) * lda;
    const float *a5 = a + (mr - 1) * lda;
    FOR_ROWS(ACC_DECLARE)
    if (nr <= 8) {
        for (size_t p = 0; p < kc; p++, b += GEMM_NR) {
            __m256 b0 = _mm256_load_ps(b);
            FOR_ROWS(ROWS_FMA1)
        }
    } else {
        for (size_t p = 0; p < kc; p++, b += GEMM_NR) {
            __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
            FOR_ROWS(ROWS_FMA2)
        }
    }
    FOR_ROWS(ACC_STORE)
}

/* ------------------------------------------------------- dot-product tile */

#define DOT_DECLARE(r) __m256 s##r##0 = _mm256_setzero_ps(), s##r##1 = s##r##0, s##r##2 = s##r##0, \
                              s##r##3 = s##r##0;
#define DOT_FMA(r, LOAD)                                                                     \
    {                                                                                        \
        __m256 ar = LOAD(a##r + p);                                                          \
        s##r##0 = _mm256_fmadd_ps(ar, b0, s##r##0), s##r##1 = _mm256_fmadd_ps(ar, b1, s##r##1); \
        s##r##2 = _mm256_fmadd_ps(ar, b2, s##r##2), s##r##3 = _mm256_fmadd_ps(ar, b3, s##r##3); \
    }
/* Eight k steps of the 2×4 block: whole loads, or the masked last few steps. */
#define DOT_STEP(LOAD)                                                                       \
    {                                                                                        \
        __m256 b0 = LOAD(bp0 + p), b1 = LOAD(bp1 + p), b2 = LOAD(bp2 + p), b3 = LOAD(bp3 + p); \
        DOT_FMA(0, LOAD) DOT_FMA(1, LOAD)                                                    \
    }
#define DOT_LOAD_WHOLE(x) _mm256_loadu_ps(x)
#define DOT_LOAD_MASKED(x) _mm256_maskload_ps(x, m)
#define DOT_SUM(r)                                                                           \
    dots[r][0] = hsum_avx2(s##r##0), dots[r][1] = hsum_avx2(s##r##1),                        \
    dots[r][2] = hsum_avx2(s##r##2), dots[r][3] = hsum_avx2(s##r##3);
#define FOR_DOT_ROWS(X) X(0) X(1)

/* C[i][j] (=|+=) A[i]·B[j] for i < mi <= 2, j < nj <= 4, vectorised along k
 * (8 accumulators: with the 6 operand registers, all 16 ymm but two).  Rows
 * and columns past mi, nj repeat the last valid one and are not stored. */
static void dot_block2x4(size_t kc, const float *A, size_t lda, size_t mi, const float *B,
                         size_t ldb, size_t nj, float *C, size_t ldc, int accumulate)
{
    const float *a0 = A, *a1 = A + (mi - 1) * lda;
    const float *bp0 = B, *bp1 = B + (nj > 1 ? 1 : 0) * ldb, *bp2 = B + (nj > 2 ? 2 : nj - 1) * ldb,
                *bp3 = B + (nj - 1) * ldb;
    FOR_DOT_ROWS(DOT_DECLARE)
    size_t p = 0;
    for (; p + 8 <= kc; p += 8)
        DOT_STEP(DOT_LOAD_WHOLE)
    if (p < kc) {
        __m256i m = pack_lane_mask(kc - p);
        DOT_STEP(DOT_LOAD_MASKED)
    }
    float dots[2][4];
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
    for (size_t i = 0; i < mr; i += 2)
        dot_block2x4(kc, A + i * lda, lda, mr - i < 2 ? mr - i : 2, B, ldb, nc, C + i * ldc, ldc,
                     accumulate);
}

#define GEMM_ROW_BACKWARD dml_normalize_backward_f32_avx2
#include "gemm_driver.h"

DML_GEMM_ENTRIES(avx2)
