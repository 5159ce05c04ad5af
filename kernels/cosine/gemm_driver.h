/* gemm_driver.h — the blocking and packing loops of GEMM/SYRK, written once for
 * every SIMD ISA (BLIS's "macro-kernel" around an ISA-specific micro-kernel).
 *
 * The including file defines, before #include:
 *   GEMM_MR, GEMM_NR   micro-tile rows (broadcast from packed A) and columns
 *                      (vector loads from packed B)
 *   GEMM_KC            largest k block (packed A micro-panel GEMM_MR×KC lives in L1)
 *   GEMM_B_FLOATS      largest packed B block KC×NC, in floats (lives in L2)
 *   gemm_ukernel(kc, a, b, C, ldc, mr, nr, accumulate)
 *                      C[mr×nr] (=|+=) a-panel · b-panel, mr <= MR, nr <= NR
 *   pack_panel_transposed(src, ld, rows, R, kc, dst),
 *   pack_panel_copied(src, ld, cols, R, kc, dst)   (see pack_x86.h)
 *
 * Loop order (Goto's algorithm with B resident in L2): for each NC-column
 * block of op(B) and KC-deep slice, pack op(B) once; then for each MR-row
 * micro-panel of op(A): pack it (it stays in L1) and run the micro-kernel over
 * every NR-column micro-panel of the packed B block, which streams from L2.
 * Packing absorbs the transposes, so one micro-kernel serves all (ta, tb). */
#ifndef DML_GEMM_DRIVER_H
#define DML_GEMM_DRIVER_H

#include <string.h>

#define GEMM_A_FLOATS (GEMM_MR * GEMM_KC)
/* The packed A panel follows the B block, both 64-byte aligned. */
#define GEMM_A_OFFSET ((GEMM_B_FLOATS + 15) / 16 * 16)

#if GEMM_A_OFFSET + GEMM_A_FLOATS > (1 << 19)
#error "GEMM blocking does not fit DML_GEMM_WORK_FLOATS"
#endif

static inline size_t gemm_min(size_t a, size_t b) { return a < b ? a : b; }
static inline size_t gemm_ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* Even blocks: a dimension of n split into ceil(n / most) blocks of equal size
 * rounded up to `unit`, so k = 1000 becomes 504 + 496, not 512 + 488 (and the
 * last block is never a sliver). */
static size_t gemm_block_size(size_t n, size_t most, size_t unit)
{
    size_t blocks = gemm_ceil_div(n, most);
    size_t size = gemm_ceil_div(gemm_ceil_div(n, blocks), unit) * unit;
    return gemm_min(size, most);
}

/* MR-row micro-panel of op(A), rows i0.., k slice p0..p0+kc. */
static void gemm_pack_a(int ta, const float *A, size_t lda, size_t i0, size_t mr, size_t p0,
                        size_t kc, float *dst)
{
    if (ta) /* op(A)[i][p] = A[p][i]: each k step is a contiguous run of A */
        pack_panel_copied(A + p0 * lda + i0, lda, mr, GEMM_MR, kc, dst);
    else
        pack_panel_transposed(A + i0 * lda + p0, lda, mr, GEMM_MR, kc, dst);
}

/* kc×nc block of op(B) as consecutive NR-column micro-panels. */
static void gemm_pack_b(int tb, const float *B, size_t ldb, size_t j0, size_t nc, size_t p0,
                        size_t kc, float *dst)
{
    for (size_t jr = 0; jr < nc; jr += GEMM_NR) {
        size_t nr = gemm_min(GEMM_NR, nc - jr);
        float *panel = dst + jr * kc;
        if (tb) /* op(B)[p][j] = B[j][p]: each column of op(B) is a row of B */
            pack_panel_transposed(B + (j0 + jr) * ldb + p0, ldb, nr, GEMM_NR, kc, panel);
        else
            pack_panel_copied(B + p0 * ldb + j0 + jr, ldb, nr, GEMM_NR, kc, panel);
    }
}

static void gemm_zero(size_t m, size_t n, float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        memset(C + i * ldc, 0, n * sizeof *C);
}

/* C = op(A) op(B).  lower_only: compute only micro-tiles holding some element
 * with j <= i (SYRK; the caller mirrors), others are left untouched. */
static void gemm_drive(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                       const float *B, size_t ldb, float *C, size_t ldc, float *work,
                       int lower_only)
{
    if (k == 0) {
        gemm_zero(m, n, C, ldc);
        return;
    }
    float *b_pack = work, *a_pack = work + GEMM_A_OFFSET;
    size_t kc_step = gemm_block_size(k, GEMM_KC, 8);
    size_t nc_most = gemm_min(GEMM_B_FLOATS / kc_step / GEMM_NR * GEMM_NR, gemm_ceil_div(n, GEMM_NR) * GEMM_NR);
    size_t nc_step = gemm_block_size(n, nc_most, GEMM_NR);

    for (size_t j0 = 0; j0 < n; j0 += nc_step) {
        size_t nc = gemm_min(nc_step, n - j0);
        for (size_t p0 = 0; p0 < k; p0 += kc_step) {
            size_t kc = gemm_min(kc_step, k - p0);
            gemm_pack_b(tb, B, ldb, j0, nc, p0, kc, b_pack);
            for (size_t i0 = 0; i0 < m; i0 += GEMM_MR) {
                size_t mr = gemm_min(GEMM_MR, m - i0);
                size_t last_row = i0 + mr - 1;
                if (lower_only && j0 > last_row)
                    continue;
                gemm_pack_a(ta, A, lda, i0, mr, p0, kc, a_pack);
                for (size_t jr = 0; jr < nc; jr += GEMM_NR) {
                    if (lower_only && j0 + jr > last_row)
                        break;
                    gemm_ukernel(kc, a_pack, b_pack + jr * kc, C + i0 * ldc + j0 + jr, ldc, mr,
                                 gemm_min(GEMM_NR, nc - jr), p0 > 0);
                }
            }
        }
    }
}

/* Upper triangle := lower triangle, in square tiles so that both the rows read
 * and the columns written stay in cache. */
static void gemm_mirror_lower(size_t n, float *C, size_t ldc)
{
    enum { TILE = 64 };
    for (size_t i0 = 0; i0 < n; i0 += TILE)
        for (size_t j0 = 0; j0 <= i0; j0 += TILE)
            for (size_t i = i0; i < gemm_min(i0 + TILE, n); i++)
                for (size_t j = j0; j < gemm_min(j0 + TILE, i); j++)
                    C[j * ldc + i] = C[i * ldc + j];
}

/* C = A Aᵀ: the lower triangle's micro-tiles by the GEMM loops, then mirrored. */
static void gemm_syrk(size_t n, size_t k, const float *A, size_t lda, float *C, size_t ldc,
                      float *work)
{
    gemm_drive(0, 1, n, n, k, A, lda, A, lda, C, ldc, work, 1);
    gemm_mirror_lower(n, C, ldc);
}

#endif /* DML_GEMM_DRIVER_H */
