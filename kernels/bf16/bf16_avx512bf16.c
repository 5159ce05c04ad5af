/* bf16_avx512bf16.c — the bf16 product on AVX512_BF16: vdpbf16ps multiplies
 * pairs of bf16 and adds both products to a float32 lane (each product of two
 * bf16 is exact in float32), so one instruction does the work of two FMAs.
 * B is packed as pairs (element 2p in the low half, 2p + 1 in the high one:
 * the instruction's order), BF_NR = 32 columns a panel; A's pairs are read
 * as one 32-bit word and broadcast.  The normalisation is avx512's: widening
 * has nothing to gain from the instruction.
 *
 * The instruction flushes subnormal inputs and results to zero (it ignores
 * MXCSR): an entry whose products are below 2^-126 differs from the
 * reference by less than that, far under the checks' tolerance. */
#include <immintrin.h>
#include <string.h>

#include "dml_kernels.h"

#define BF_MR 6
#define BF_NR 32

void dml_normalize_bf16_avx512bf16(const uint16_t *X, size_t n, size_t d, float *Y,
                                   float *inv_norm)
{
    dml_normalize_bf16_avx512(X, n, d, Y, inv_norm);
}

/* Pair p of a row of k bf16: elements 2p and 2p + 1 (0 past the end). */
static inline uint32_t pair_of(const uint16_t *row, size_t p, size_t k)
{
    if (2 * p + 1 < k) {
        uint32_t w;
        memcpy(&w, row + 2 * p, sizeof w);
        return w;
    }
    return row[2 * p];
}

/* Rows [0, nc) of B into panels of BF_NR columns, (k + 1) / 2 pairs each. */
static void pack_pairs(size_t nc, size_t k, const uint16_t *B, size_t ldb, uint32_t *Bp)
{
    size_t kh = (k + 1) / 2;
    for (size_t j0 = 0; j0 < nc; j0 += BF_NR) {
        uint32_t *panel = Bp + j0 * kh;
        size_t w = nc - j0 < BF_NR ? nc - j0 : BF_NR;
        for (size_t jj = 0; jj < BF_NR; jj++)
            for (size_t p = 0; p < kh; p++)
                panel[p * BF_NR + jj] = jj < w ? pair_of(B + (j0 + jj) * ldb, p, k) : 0u;
    }
}

static void block(size_t mr, size_t k, const uint16_t *A, size_t lda, const uint32_t *panel,
                  size_t w, const float *rs, const float *cs, float *C, size_t ldc)
{
    const uint16_t *a[BF_MR];
    __m512 acc[BF_MR][2];
    for (size_t r = 0; r < BF_MR; r++) {
        a[r] = A + (r < mr ? r : 0) * lda;
        acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    }
    size_t kh = (k + 1) / 2;
    for (size_t p = 0; p < kh; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + p * BF_NR);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + p * BF_NR + 16);
#define ROW(r)                                                                  \
        do {                                                                    \
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)pair_of(a[r], p, k)); \
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);                     \
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);                     \
        } while (0)
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);
#undef ROW
    }
    float t[BF_NR];
    for (size_t r = 0; r < mr; r++) {
        _mm512_storeu_ps(t, acc[r][0]);
        _mm512_storeu_ps(t + 16, acc[r][1]);
        for (size_t j = 0; j < w; j++) {
            float v = rs ? t[j] * rs[r] : t[j];
            C[r * ldc + j] = cs ? v * cs[j] : v;
        }
    }
}

/* Column chunks of B that fit the work buffer as pairs; a k too long for one
 * panel goes to the reference. */
void dml_gemm_bf16_avx512bf16(size_t m, size_t n, size_t k, const uint16_t *A, size_t lda,
                              const uint16_t *B, size_t ldb, const float *rs, const float *cs,
                              float *C, size_t ldc, float *work)
{
    size_t kh = (k + 1) / 2;
    if (kh > DML_GEMM_WORK_FLOATS / BF_NR) {
        dml_gemm_bf16_ref(m, n, k, A, lda, B, ldb, rs, cs, C, ldc, work);
        return;
    }
    uint32_t *Bp = (uint32_t *)work;
    size_t chunk = kh ? DML_GEMM_WORK_FLOATS / kh / BF_NR * BF_NR : n;
    chunk = chunk < BF_NR ? BF_NR : chunk;
    for (size_t n0 = 0; n0 < n; n0 += chunk) {
        size_t nc = n - n0 < chunk ? n - n0 : chunk;
        pack_pairs(nc, k, B + n0 * ldb, ldb, Bp);
        for (size_t i0 = 0; i0 < m; i0 += BF_MR)
            for (size_t j0 = 0; j0 < nc; j0 += BF_NR)
                block(m - i0 < BF_MR ? m - i0 : BF_MR, k, A + i0 * lda, lda, Bp + j0 * kh,
                      nc - j0 < BF_NR ? nc - j0 : BF_NR, rs ? rs + i0 : NULL,
                      cs ? cs + n0 + j0 : NULL, C + i0 * ldc + n0 + j0, ldc);
    }
}
