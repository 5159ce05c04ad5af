/* gemm_syrk.h — SYRK's triangle bookkeeping for gemm_driver.h (included by
 * it, after gemm_min): which upper elements a micro-tile writes, and the
 * mirroring of the lower triangle into the upper one. */
#ifndef DML_GEMM_SYRK_H
#define DML_GEMM_SYRK_H

/* SYRK bookkeeping.  Micro-tiles start at multiples of NR in every column
 * block (nc is a multiple of NR), so whether the micro-kernel writes an upper
 * element (c, r), c < r, depends only on c and r: it does when r's tile starts
 * at or before the last row of c's MR-row panel.  Those elements lie in a band
 * less than MR + NR wide above the diagonal; the band's end for row c is: */
static inline size_t syrk_band_end(size_t c)
{
    size_t panel_last_row = c / GEMM_MR * GEMM_MR + GEMM_MR - 1;
    return (panel_last_row / GEMM_NR + 1) * GEMM_NR;
}

/* Mirror the final lower elements of rows i0..i0+mr, columns j0..j0+nc into
 * the upper triangle while they are still in cache, outside the band (which a
 * later micro-tile may still write, so it is mirrored at the very end). */
static void syrk_mirror_panel(float *C, size_t ldc, size_t i0, size_t mr, size_t j0, size_t nc)
{
    size_t c_end = gemm_min(j0 + nc, i0 + mr - 1);
    for (size_t c = j0; c < c_end; c++) {
        size_t r = i0 > c + 1 ? i0 : c + 1;
        size_t band_end = syrk_band_end(c);
        if (r < band_end)
            r = band_end;
        for (; r < i0 + mr; r++)
            C[c * ldc + r] = C[r * ldc + c];
    }
}

/* Upper := lower inside the band, once every tile is final. */
static void syrk_mirror_band(size_t n, float *C, size_t ldc)
{
    for (size_t c = 0; c < n; c++) {
        size_t r_end = gemm_min(syrk_band_end(c), n);
        for (size_t r = c + 1; r < r_end; r++)
            C[c * ldc + r] = C[r * ldc + c];
    }
}

#endif /* DML_GEMM_SYRK_H */
