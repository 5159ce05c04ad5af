/* gemm_a_block.h — the second loop order of gemm_driver.h (included by it,
 * after gemm_pack_a and before gemm_drive): a few rows of op(A) against a
 * long k, every A panel packed at once and B's micro-panel kept in L1, with
 * the next block's sources prefetched meanwhile. */
#ifndef DML_GEMM_A_BLOCK_H
#define DML_GEMM_A_BLOCK_H

/* The k block of gemm_a_block_times_b_block: a KC×NR micro-panel of B that
 * stays in L1 (12 KiB for AVX2's NR = 16) beside the A panels streaming past.
 * 192 measured best of 192, 256, 512 for dX̂ at C = 11 318 (Sapphire Rapids,
 * AVX2 kernels); an ISA may set its own. */
#ifndef GEMM_KC_A_BLOCK
#define GEMM_KC_A_BLOCK 192
#endif

/* Room after the packed B block for every MR-row panel of op(A) at once. */
#define GEMM_WORK_FLOATS DML_GEMM_WORK_FLOATS
static inline int gemm_a_block_fits(size_t m, size_t kc)
{
    return gemm_ceil_div(m, GEMM_MR) * GEMM_MR * kc + 8 <= GEMM_WORK_FLOATS - GEMM_A_OFFSET;
}

/* A region of `rows` rows of `width` floats (row stride ld) whose cache
 * lines are asked for a few at a time, spread over the micro-kernel calls of
 * the block before the one that packs them: the packs then find their
 * source in L2 rather than stall on memory (G and P̂ of dX̂ at C = 11 318 are
 * 8 and 23 MB, read once a call). */
typedef struct gemm_prefetch { const float *base; size_t ld, rows, width, row, col; } gemm_prefetch;

static void gemm_prefetch_lines(gemm_prefetch *f, size_t lines)
{
    for (; lines > 0 && f->row < f->rows; lines--) {
        __builtin_prefetch(f->base + f->row * f->ld + f->col, 0, 2);
        f->col += 16;
        if (f->col >= f->width)
            f->col = 0, f->row++;
    }
}

/* A few rows (m ≤ ~500) against a long k: dX̂ = G P̂ (m = M, k = C).  Every
 * MR-row panel of op(A) is packed once per block, then each NR-column
 * micro-panel of B stays in L1 while the panels of A stream past it from L2
 * (BLIS's loop order): per k step 4·MR bytes come from L2 rather than 4·NR.
 * `next` is the source of the next block, prefetched meanwhile. */
static void gemm_a_block_times_b_block(int ta, size_t m, size_t kc, const float *A, size_t lda,
                                       size_t p0, const float *b_pack, float *a_pack, float *C,
                                       size_t ldc, size_t j0, size_t nc, int accumulate,
                                       gemm_prefetch next[2])
{
    for (size_t i0 = 0; i0 < m; i0 += GEMM_MR)
        gemm_pack_a(ta, A, lda, i0, gemm_min(GEMM_MR, m - i0), p0, kc, a_pack + i0 * kc);
    size_t calls = gemm_ceil_div(nc, GEMM_NR) * gemm_ceil_div(m, GEMM_MR);
    size_t per_call[2];
    for (int s = 0; s < 2; s++)
        per_call[s] = gemm_ceil_div(next[s].rows * gemm_ceil_div(next[s].width, 16), calls);
    for (size_t jr = 0; jr < nc; jr += GEMM_NR) {
        size_t nr = gemm_min(GEMM_NR, nc - jr);
        for (size_t i0 = 0; i0 < m; i0 += GEMM_MR) {
            gemm_prefetch_lines(&next[0], per_call[0]);
            gemm_prefetch_lines(&next[1], per_call[1]);
            gemm_ukernel(kc, a_pack + i0 * kc, b_pack + jr * kc, C + i0 * ldc + j0 + jr, ldc,
                         gemm_min(GEMM_MR, m - i0), nr, accumulate);
        }
    }
}

/* The sources of block (j0, p0) of a_block mode (ta = 1 or tb = 0 there:
 * A's rows p0.. of m floats, or its rows 0..m of kc; B's rows p0.. of nc). */
static void gemm_prefetch_block(int ta, int tb, size_t m, size_t kc, const float *A, size_t lda,
                                const float *B, size_t ldb, size_t j0, size_t nc, size_t p0,
                                gemm_prefetch next[2])
{
    if (ta)
        next[0] = (gemm_prefetch){ A + p0 * lda, lda, kc, m, 0, 0 };
    else
        next[0] = (gemm_prefetch){ A + p0, lda, m, kc, 0, 0 };
    if (tb)
        next[1] = (gemm_prefetch){ B + j0 * ldb + p0, ldb, nc, kc, 0, 0 };
    else
        next[1] = (gemm_prefetch){ B + p0 * ldb + j0, ldb, kc, nc, 0, 0 };
}

#endif /* DML_GEMM_A_BLOCK_H */
