/* bf16_driver.h — the bf16 kernels of an ISA that widens bf16 to float32 by
 * a shift and multiplies in float32 FMAs (avx2, avx512, neon).  The including
 * file defines, then includes this and says DML_BF16_ENTRIES(<isa>):
 *
 *   bf_vec, BF_VW           a float32 vector and its lanes
 *   bf_zero(), bf_load(p), bf_store(p, v), bf_set1(x), bf_fma(a, b, c) = a·b + c
 *                           (x86: bf_vec and these from BF_X86_OPS, bf16_x86.h)
 *   bf_widen_row(x, d, y)   y[0..d) = x[0..d) widened (vector shifts)
 *
 * normalize_bf16: each row widened into its row of Y while it is in L1, then
 * the ISA's own float32 normalize on it, so the bits are those of normalize
 * on the widened input.  gemm_bf16: B widened into panels of BF_NR columns in
 * the packing (one shift an element), then a BF_MR × BF_NR register block whose
 * A elements are widened and broadcast as they are read; each entry is one sum
 * over k in index order, as the reference's. */
#ifndef DML_BF16_DRIVER_H
#define DML_BF16_DRIVER_H

#include <string.h>

#include "dml_kernels.h"

#define BF_MR 6
#define BF_NR (2 * BF_VW)

static inline float bf_widen1(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Rows [0, nc) of B into panels of BF_NR columns: panel p holds k × BF_NR
 * floats at Bp + p·BF_NR·k, column-past-the-end lanes zero. */
static void bf_pack_b(size_t nc, size_t k, const uint16_t *B, size_t ldb, float *Bp)
{
    for (size_t j0 = 0; j0 < nc; j0 += BF_NR) {
        float *panel = Bp + j0 * k;
        size_t w = nc - j0 < BF_NR ? nc - j0 : BF_NR;
        for (size_t jj = 0; jj < BF_NR; jj++) {
            const uint16_t *b = B + (j0 + jj) * ldb;
            for (size_t kk = 0; kk < k; kk++)
                panel[kk * BF_NR + jj] = jj < w ? bf_widen1(b[kk]) : 0.0f;
        }
    }
}

/* One block: rows [0, mr) of A (the others compute row 0 again, unstored)
 * against one panel, w columns stored, scaled by rs (rows) then cs (columns). */
static void bf_block(size_t mr, size_t k, const uint16_t *A, size_t lda, const float *panel,
                     size_t w, const float *rs, const float *cs, float *C, size_t ldc)
{
    const uint16_t *a[BF_MR];
    bf_vec acc[BF_MR][2];
    for (size_t r = 0; r < BF_MR; r++) {
        a[r] = A + (r < mr ? r : 0) * lda;
        acc[r][0] = acc[r][1] = bf_zero();
    }
    for (size_t kk = 0; kk < k; kk++) {
        bf_vec b0 = bf_load(panel + kk * BF_NR), b1 = bf_load(panel + kk * BF_NR + BF_VW);
#define BF_ROW(r)                                                   \
        do {                                                        \
            bf_vec x = bf_set1(bf_widen1(a[r][kk]));                \
            acc[r][0] = bf_fma(x, b0, acc[r][0]);                   \
            acc[r][1] = bf_fma(x, b1, acc[r][1]);                   \
        } while (0)
        BF_ROW(0); BF_ROW(1); BF_ROW(2); BF_ROW(3); BF_ROW(4); BF_ROW(5);
#undef BF_ROW
    }
    float t[BF_NR];
    for (size_t r = 0; r < mr; r++) {
        bf_store(t, acc[r][0]);
        bf_store(t + BF_VW, acc[r][1]);
        for (size_t j = 0; j < w; j++) {
            float v = rs ? t[j] * rs[r] : t[j];
            C[r * ldc + j] = cs ? v * cs[j] : v;
        }
    }
}

/* Column chunks of B that fit the work buffer widened; a k too long for one
 * panel (k > DML_GEMM_WORK_FLOATS / BF_NR) goes to the reference. */
#define DML_BF16_ENTRIES(isa)                                                                   \
    void dml_normalize_bf16_##isa(const uint16_t *X, size_t n, size_t d, float *Y,               \
                                  float *inv_norm)                                              \
    {                                                                                           \
        for (size_t i = 0; i < n; i++) {                                                        \
            bf_widen_row(X + i * d, d, Y + i * d);                                              \
            dml_normalize_f32_##isa(Y + i * d, 1, d, Y + i * d, inv_norm + i);                  \
        }                                                                                       \
    }                                                                                           \
    void dml_gemm_bf16_##isa(size_t m, size_t n, size_t k, const uint16_t *A, size_t lda,        \
                             const uint16_t *B, size_t ldb, const float *rs, const float *cs,    \
                             float *C, size_t ldc, float *work)                                 \
    {                                                                                           \
        if (k > DML_GEMM_WORK_FLOATS / BF_NR) {                                                 \
            dml_gemm_bf16_ref(m, n, k, A, lda, B, ldb, rs, cs, C, ldc, work);                   \
            return;                                                                             \
        }                                                                                       \
        size_t chunk = k ? DML_GEMM_WORK_FLOATS / k / BF_NR * BF_NR : n;                        \
        chunk = chunk < BF_NR ? BF_NR : chunk;                                                  \
        for (size_t n0 = 0; n0 < n; n0 += chunk) {                                              \
            size_t nc = n - n0 < chunk ? n - n0 : chunk;                                        \
            bf_pack_b(nc, k, B + n0 * ldb, ldb, work);                                          \
            for (size_t i0 = 0; i0 < m; i0 += BF_MR)                                            \
                for (size_t j0 = 0; j0 < nc; j0 += BF_NR)                                       \
                    bf_block(m - i0 < BF_MR ? m - i0 : BF_MR, k, A + i0 * lda, lda,             \
                             work + j0 * k, nc - j0 < BF_NR ? nc - j0 : BF_NR,                  \
                             rs ? rs + i0 : NULL, cs ? cs + n0 + j0 : NULL,                     \
                             C + i0 * ldc + n0 + j0, ldc);                                      \
        }                                                                                       \
    }

#endif
