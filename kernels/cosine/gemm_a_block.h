/* gemm_a_block.h — the second loop order of gemm_driver.h (included by it,
 * after gemm_pack_a and gemm_tile, before gemm_drive): a block of up to
 * GEMM_MC rows of op(A) packed at once and B's micro-panel kept in L1 while
 * the block's A panels stream past it from L2 (BLIS's order), with the next
 * block's sources prefetched meanwhile. */
#ifndef DML_GEMM_A_BLOCK_H
#define DML_GEMM_A_BLOCK_H

/* The k block of this order: a KC×NR micro-panel of B that stays in L1
 * (12 KiB for AVX2's NR = 16) beside the A panels streaming past.
 * 192 measured best of 192, 256, 512 for dX̂ at C = 11 318 (Sapphire Rapids,
 * AVX2 kernels); an ISA may set its own. */
#ifndef GEMM_KC_A_BLOCK
#define GEMM_KC_A_BLOCK 192
#endif

/* Rows of op(A) packed at once: the block (MC × KC floats) sits in L2 beside
 * the packed B block.  An ISA may set its own; by default as many as the work
 * area holds (all of m = 180 for the proxy losses' dX̂). */
#define GEMM_WORK_FLOATS DML_GEMM_WORK_FLOATS
static inline size_t gemm_mc(size_t kc)
{
    size_t most = (GEMM_WORK_FLOATS - GEMM_A_OFFSET - 8) / kc / GEMM_MR * GEMM_MR;
#ifdef GEMM_MC
    most = gemm_min(most, GEMM_MC);
#endif
    return most;
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

/* Rows i_lo..i_hi of op(A) (k slice p0..p0+kc) against the packed B block
 * (columns j0..j0+nc): every MR-row panel packed once, then each NR-column
 * micro-panel of B stays in L1 while the panels stream past it from L2: per
 * k step 4·MR bytes come from L2 rather than 4·NR.  `rows` (ta = 0, tb = 1)
 * gives the dot-product tile its unpacked rows (a: row 0 of A at p0, b: row
 * j0 of B at p0).  `next` is the source of the next block, prefetched meanwhile. */
static void gemm_a_block_times_b_block(int ta, size_t m, size_t i_lo, size_t i_hi, size_t kc,
                                       const float *A, size_t lda, size_t p0,
                                       const float *b_pack, const gemm_rows *rows,
                                       float *a_pack, float *C, size_t ldc, size_t j0,
                                       size_t nc, int accumulate, gemm_prefetch next[2])
{
    for (size_t i0 = i_lo; i0 < i_hi; i0 += GEMM_MR)
        gemm_pack_a(ta, A, lda, m, i0, gemm_min(GEMM_MR, i_hi - i0), p0, kc,
                    a_pack + (i0 - i_lo) * kc);
    size_t calls = gemm_ceil_div(nc, GEMM_NR) * gemm_ceil_div(i_hi - i_lo, GEMM_MR);
    size_t per_call[2];
    for (int s = 0; s < 2; s++)
        per_call[s] = gemm_ceil_div(next[s].rows * gemm_ceil_div(next[s].width, 16), calls);
    for (size_t jr = 0; jr < nc; jr += GEMM_NR) {
        size_t nr = gemm_min(GEMM_NR, nc - jr);
        for (size_t i0 = i_lo; i0 < i_hi; i0 += GEMM_MR) {
            gemm_prefetch_lines(&next[0], per_call[0]);
            gemm_prefetch_lines(&next[1], per_call[1]);
            gemm_rows at = { NULL, 0, NULL, 0 };
            if (rows)
                at = (gemm_rows){ rows->a + i0 * rows->lda, rows->lda, rows->b + jr * rows->ldb,
                                  rows->ldb };
            gemm_tile(kc, a_pack + (i0 - i_lo) * kc, 0, b_pack + jr * kc, rows ? &at : NULL,
                      C + i0 * ldc + j0 + jr, ldc, gemm_min(GEMM_MR, i_hi - i0), nr, accumulate);
        }
    }
}

/* The sources of the block after (i_lo.., j0, p0) in this order's walk: the
 * next rows of A in the same k slice, or, after the last rows, the first rows
 * of the next k slice (or n block) with its B.  A's rows i.. of kc floats
 * (ta = 0) or its rows p.. of the block's rows (ta = 1); B's rows j0.. of kc
 * (tb = 1) or its rows p0.. of nc floats (tb = 0). */
static void gemm_prefetch_next(int ta, int tb, size_t m, size_t n, size_t k, size_t kc_step,
                               size_t nc_step, size_t mc, const float *A, size_t lda,
                               const float *B, size_t ldb, size_t i_hi, size_t j0, size_t nc,
                               size_t p0, size_t kc, gemm_prefetch next[2])
{
    next[0] = next[1] = (gemm_prefetch){ 0 };
    size_t ni = i_hi, nj0 = j0, np0 = p0;
    if (ni >= m) {
        ni = 0, np0 = p0 + kc;
        if (np0 >= k)
            np0 = 0, nj0 = j0 + nc;
        if (nj0 >= n)
            return;
        size_t nkc = gemm_min(kc_step, k - np0), nnc = gemm_min(nc_step, n - nj0);
        if (tb)
            next[1] = (gemm_prefetch){ B + nj0 * ldb + np0, ldb, nnc, nkc, 0, 0 };
        else
            next[1] = (gemm_prefetch){ B + np0 * ldb + nj0, ldb, nkc, nnc, 0, 0 };
        kc = nkc;
    }
    size_t rows = gemm_min(mc, m - ni);
    if (ta)
        next[0] = (gemm_prefetch){ A + np0 * lda + ni, lda, kc, rows, 0, 0 };
    else
        next[0] = (gemm_prefetch){ A + ni * lda + np0, lda, rows, kc, 0, 0 };
}

#endif /* DML_GEMM_A_BLOCK_H */
