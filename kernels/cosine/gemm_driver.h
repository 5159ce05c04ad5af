/* gemm_driver.h — the blocking and packing loops of GEMM/SYRK, written once for
 * every SIMD ISA (BLIS's "macro-kernel" around an ISA-specific micro-kernel).
 *
 * The including file defines, before #include:
 *   GEMM_MR, GEMM_NR   micro-tile rows (broadcast from packed A) and columns
 *                      (vector loads from packed B)
 *   GEMM_KC            largest k block (packed A micro-panel GEMM_MR×KC lives in L1)
 *   GEMM_B_FLOATS      largest packed B block KC×NC, in floats (lives in L2;
 *                      smaller where L2 is: gemm_b_floats)
 *   GEMM_VEC           lanes of one vector of the micro-tile's rows      } optional:
 *   GEMM_DOT_MAX       most tail columns worth a dot-product tile        } see below
 *   gemm_ukernel(kc, a, b, C, ldc, mr, nr, accumulate)
 *                      C[mr×nr] (=|+=) a-panel · b-panel, mr <= MR, nr <= NR
 *   gemm_dot_tile(kc, A, lda, B, ldb, C, ldc, mr, nc, accumulate)     (with GEMM_DOT_MAX)
 *   gemm_ukernel_rows(kc, A, lda, b, C, ldc, mr, nr, accumulate)      (with GEMM_A_DIRECT)
 *                      gemm_ukernel on MR rows of A itself (ta = 0), no A pack
 *                      C[mr×nc] (=|+=) A[i]·B[j] on unpacked k-contiguous rows
 *   GEMM_ROW_BACKWARD  the ISA's dml_normalize_backward_f32_<isa> (the epilogue)
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

/* + 8: a panel narrower than a vector is packed with whole-vector stores
 * that run up to 8 floats past its end (pack_x86.h). */
#if GEMM_A_OFFSET + GEMM_A_FLOATS + 8 > (1 << 19)
#error "GEMM blocking does not fit DML_GEMM_WORK_FLOATS"
#endif
#if GEMM_B_FLOATS < GEMM_KC * GEMM_NR
#error "the packed B block must hold at least one KC-deep micro-panel"
#endif

/* Helpers called from more than one place since the pre-packed products came
 * (gemm_pack_b also from gemm_pack_b_whole) stopped being inlined into
 * gemm_drive, which cost the AVX2 gemm 1–4 % more instructions at the
 * bench-check shapes (callgrind); forcing them back recovers most of it. */
#define GEMM_INLINE static inline __attribute__((always_inline))

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

/* An ISA whose copied pack of A needs no more than pack_panel_copied. */
#ifndef pack_a_panel_copied
#define pack_a_panel_copied(src, ld, cols, readable, R, kc, dst)                                 \
    pack_panel_copied(src, ld, cols, R, kc, dst)
#endif

/* MR-row micro-panel of op(A) (m rows in all), rows i0.., k slice p0..p0+kc. */
static void gemm_pack_a(int ta, const float *A, size_t lda, size_t m, size_t i0, size_t mr,
                        size_t p0, size_t kc, float *dst)
{
    if (ta) /* op(A)[i][p] = A[p][i]: each k step is a contiguous run of A */
        pack_a_panel_copied(A + p0 * lda + i0, lda, mr, m - i0, GEMM_MR, kc, dst);
    else
        pack_panel_transposed(A + i0 * lda + p0, lda, mr, GEMM_MR, kc, dst);
}

/* Asks for the source of the next MR-row panel of op(A) (rows i0.., k slice
 * p0..p0+kc) to be brought towards L2 while this panel's micro-kernels run
 * (~kc·NC/NR·MR FMAs): A streams from memory when it is the proxy matrix
 * (S = P̂X̂ᵀ at C = 11 318: 23 MB), and the transposing pack stalled on it. */
static void gemm_prefetch_a(int ta, const float *A, size_t lda, size_t i0, size_t mr, size_t p0,
                            size_t kc)
{
    if (ta) /* rows p0.. of A, a short run each: the pack's strided walk */
        for (size_t p = 0; p < kc; p++)
            __builtin_prefetch(A + (p0 + p) * lda + i0, 0, 2);
    else
        for (size_t r = 0; r < mr; r++)
            for (size_t p = 0; p < kc; p += 16)
                __builtin_prefetch(A + (i0 + r) * lda + p0 + p, 0, 2);
}

/* kc×nc block of op(B) as consecutive NR-column micro-panels. */
GEMM_INLINE void gemm_pack_b(int tb, const float *B, size_t ldb, size_t j0, size_t nc,
                             size_t p0, size_t kc, float *dst)
{
    if (tb) { /* op(B)[p][j] = B[j][p]: each column of op(B) is a row of B */
        for (size_t jr = 0; jr < nc; jr += GEMM_NR)
            pack_panel_transposed(B + (j0 + jr) * ldb + p0, ldb, gemm_min(GEMM_NR, nc - jr),
                                  GEMM_NR, kc, dst + jr * kc);
        return;
    }
    /* Row by row of B, as it lies in memory: walking down one micro-panel's
     * column at a time (a 2–4 KiB stride) kept the prefetchers from
     * streaming B, which made this pack a fifth of dX̂ = G P̂ at C = 11 318. */
    for (size_t p = 0; p < kc; p++)
        for (size_t jr = 0; jr < nc; jr += GEMM_NR)
            pack_panel_copied(B + (p0 + p) * ldb + j0 + jr, ldb, gemm_min(GEMM_NR, nc - jr),
                              GEMM_NR, 1, dst + jr * kc + p * GEMM_NR);
}

static void gemm_zero(size_t m, size_t n, float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        memset(C + i * ldc, 0, n * sizeof *C);
}

#include "gemm_syrk.h"

/* An ISA without a dot-product tile (NEON: its 12-column tile wastes little
 * on n = 180) leaves GEMM_DOT_MAX undefined, and every column goes through the
 * micro-kernel. */
#ifndef GEMM_DOT_MAX
#define GEMM_DOT_MAX 0
#define GEMM_VEC GEMM_NR
#define gemm_dot_tile(...) ((void)0)
#endif

/* Raw operands for gemm_dot_tile, present only when both op(A) rows and
 * op(B) columns are contiguous in k (ta = 0, tb = 1: the S = X̂P̂ᵀ products). */
typedef struct gemm_rows {
    const float *a; /* row i0 of A at column p0 */
    size_t lda;
    const float *b; /* row j0 of B at column p0 */
    size_t ldb;
} gemm_rows;

/* Columns of a tail micro-panel left to gemm_dot_tile: the last nr % VEC
 * when there are at most DOT_MAX of them.  A vector tile spends a whole
 * VEC-lane FMA on each of them per row and k step (n = 180 with 32-wide tiles
 * computes 192 columns); dot products along k spend one lane each. */
static inline size_t gemm_dot_columns(size_t nr, const gemm_rows *rows)
{
    size_t rest = nr % GEMM_VEC;
    return rows && nr < GEMM_NR && rest <= GEMM_DOT_MAX ? rest : 0;
}

/* One micro-tile C[mr × nr] (c: its first element) from an A panel and a B
 * micro-panel, its last few columns by dot products where `rows` allows
 * (rows->a: row i0 of A at column p0, rows->b: the tile's first row of B). */
GEMM_INLINE void gemm_tile(size_t kc, const float *a_pack, size_t a_ld, const float *b_panel,
                           const gemm_rows *rows, float *c, size_t ldc, size_t mr, size_t nr,
                           int accumulate)
{
    size_t dot_cols = gemm_dot_columns(nr, rows), vec_cols = nr - dot_cols;
#ifdef GEMM_A_DIRECT
    if (vec_cols && a_ld)
        gemm_ukernel_rows(kc, a_pack, a_ld, b_panel, c, ldc, mr, vec_cols, accumulate);
    else
#else
    (void)a_ld; /* always 0: A is packed */
#endif
    if (vec_cols)
        gemm_ukernel(kc, a_pack, b_panel, c, ldc, mr, vec_cols, accumulate);
    if (dot_cols)
        gemm_dot_tile(kc, rows->a, rows->lda, rows->b + vec_cols * rows->ldb, rows->ldb,
                      c + vec_cols, ldc, mr, dot_cols, accumulate);
}

/* One MR-row panel of op(A) against the packed B block, NR columns a call.
 * lower_only: stop at the first tile entirely above the diagonal. */
static void gemm_panel_times_block(size_t kc, const float *a_pack, size_t a_ld,
                                   const float *b_pack, const gemm_rows *rows, float *C,
                                   size_t ldc, size_t i0, size_t mr, size_t j0, size_t nc,
                                   int accumulate, int lower_only)
{
    for (size_t jr = 0; jr < nc; jr += GEMM_NR) {
        if (lower_only && j0 + jr > i0 + mr - 1)
            break;
        gemm_rows at = rows ? *rows : (gemm_rows){ NULL, 0, NULL, 0 };
        at.b = rows ? rows->b + jr * rows->ldb : NULL;
        gemm_tile(kc, a_pack, a_ld, b_pack + jr * kc, rows ? &at : NULL, C + i0 * ldc + j0 + jr,
                  ldc, mr, gemm_min(GEMM_NR, nc - jr), accumulate);
    }
}

#include "gemm_plan.h"

/* What a product does beyond C = op(A) op(B). */
typedef struct gemm_opts {
    int accumulate;        /* C += op(A) op(B) (the fused step sums ∂L/∂X̂ over blocks) */
    int lower_only;        /* SYRK, A = B, m = n: only micro-tiles holding some element
                            * with j <= i, mirrored as they become final; the caller
                            * finishes with syrk_mirror_band */
    const float *b_whole;  /* op(B) already packed by gemm_pack_b_whole, or NULL: B is
                            * packed here block by block (B itself is still read by
                            * the dot-product tile) */
    const float *nb_y, *nb_inv; /* non-NULL: the normalisation's backward on every row
                            * of C, with Y (m×n) and 1/‖y‖ (m), in the epilogue */
} gemm_opts;

/* The epilogue: C[i] = (C[i] − Y[i](Y[i]·C[i])) · inv[i] for rows i0..i0+mr, with
 * the ISA's own normalize_backward (GEMM_ROW_BACKWARD, defined by the
 * including file), row by row since ldc may exceed n. */
static void gemm_rows_backward(const gemm_opts *o, float *C, size_t ldc, size_t i0, size_t mr,
                               size_t n)
{
    for (size_t r = i0; r < i0 + mr; r++)
        GEMM_ROW_BACKWARD(o->nb_y + r * n, o->nb_inv + r, C + r * ldc, 1, n, C + r * ldc);
}

#include "gemm_a_block.h"

/* Operands of rows × cols floats larger than this come from L3 or memory
 * rather than L2 (2 MiB on Sapphire Rapids), and only then do prefetching
 * and the a-block order pay: measured on dX̂ and S at C = 1000 / 11 318, they
 * cost 5–10 % on operands already in L2 (C = 100, and dX̂ at C = 1000, D <= 128). */
#ifndef GEMM_STREAM_BYTES
#define GEMM_STREAM_BYTES (2u << 20)
#endif
static inline int gemm_streams(size_t rows, size_t cols)
{
    return rows * cols * sizeof(float) > GEMM_STREAM_BYTES;
}

/* An ISA with gemm_ukernel_rows (GEMM_A_DIRECT) reads op(A) = A (ta = 0)
 * in place in the panel order, broadcasting from MR rows, instead of
 * transposing each panel first. */
#ifdef GEMM_A_DIRECT
#define GEMM_A_DIRECT_ROWS 1
#else
#define GEMM_A_DIRECT_ROWS 0
#endif

/* Whether a product goes block by block (gemm_a_block.h) rather than panel
 * by panel: a few rows (one row block) against a long k, with operands
 * beyond L2 (dX̂ = GP̂); then B's micro-panel stays in L1 under a shallower
 * k block.  Not S's shape (ta = 0, tb = 1): in this order it measured
 * 0.8–0.95× the panel order at C = 11 318, whose A rows are read in place. */
static inline int gemm_use_a_block(int ta, int tb, size_t m, size_t n, size_t k)
{
    return !(!ta && tb) && gemm_streams(k, m + n) && gemm_mc(GEMM_KC_A_BLOCK) >= m;
}

/* C = op(A) op(B) with the options above.  The epilogue runs on each MR-row
 * panel as soon as it is final, while it is in L1, when one n block covers
 * every column (nc_step >= n: the fused step's ∂L/∂P̂ = G X̂ with n = D up to
 * ~1400); otherwise on all of C at the end. */
static void gemm_drive(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                       const float *B, size_t ldb, float *C, size_t ldc, float *work,
                       const gemm_opts *o)
{
    if (m == 0 || n == 0) /* an empty C: nothing to write (and no block size to divide by) */
        return;
    if (k == 0) {
        if (!o->accumulate)
            gemm_zero(m, n, C, ldc);
        if (o->nb_y)
            gemm_rows_backward(o, C, ldc, 0, m, n);
        return;
    }
    float *a_pack = work + GEMM_A_OFFSET;
    int a_block = !o->lower_only && !o->nb_y && !o->b_whole && gemm_use_a_block(ta, tb, m, n, k);
    int a_streams = gemm_streams(m, k);
    size_t kc_step, nc_step;
    gemm_plan(n, k, a_block ? GEMM_KC_A_BLOCK : GEMM_KC, gemm_b_floats(), &kc_step, &nc_step);
    int panel_epilogue = o->nb_y && nc_step >= n;
    size_t mc = gemm_mc(kc_step);

    for (size_t j0 = 0; j0 < n; j0 += nc_step) {
        size_t nc = gemm_min(nc_step, n - j0);
        for (size_t p0 = 0; p0 < k; p0 += kc_step) {
            size_t kc = gemm_min(kc_step, k - p0);
            int last_k_block = p0 + kc == k;
            const float *b_pack = work;
            if (o->b_whole)
                b_pack = gemm_packed_block(o->b_whole, k, j0, nc, p0);
            else
                gemm_pack_b(tb, B, ldb, j0, nc, p0, kc, work);
            /* the unpacked operands of the dot-product tile (ta = 0, tb = 1) */
            gemm_rows whole = { A + p0, lda, B + j0 * ldb + p0, ldb };
            const gemm_rows *dot = !ta && tb ? &whole : NULL;
            for (size_t i_lo = 0; a_block && i_lo < m; i_lo += mc) {
                size_t i_hi = gemm_min(m, i_lo + mc);
                gemm_prefetch next[2];
                gemm_prefetch_next(ta, tb, m, n, k, kc_step, nc_step, mc, A, lda, B, ldb, i_hi,
                                   j0, nc, p0, kc, next);
                gemm_a_block_times_b_block(ta, m, i_lo, i_hi, kc, A, lda, p0, b_pack, dot, a_pack,
                                           C, ldc, j0, nc, o->accumulate || p0 > 0, next);
            }
            if (a_block)
                continue;
            for (size_t i0 = 0; i0 < m; i0 += GEMM_MR) {
                size_t mr = gemm_min(GEMM_MR, m - i0);
                if (o->lower_only && j0 > i0 + mr - 1)
                    continue;
                const float *a_panel = a_pack;
                size_t a_ld = 0;
                if (GEMM_A_DIRECT_ROWS && !ta) /* the rows of A themselves */
                    a_panel = A + i0 * lda + p0, a_ld = lda;
                else
                    gemm_pack_a(ta, A, lda, m, i0, mr, p0, kc, a_pack);
                if (a_streams && i0 + mr < m)
                    gemm_prefetch_a(ta, A, lda, i0 + mr, gemm_min(GEMM_MR, m - i0 - mr), p0, kc);
                gemm_rows rows = { whole.a + i0 * lda, lda, whole.b, ldb };
                gemm_panel_times_block(kc, a_panel, a_ld, b_pack, dot ? &rows : NULL, C, ldc, i0,
                                       mr, j0, nc, o->accumulate || p0 > 0, o->lower_only);
                if (o->lower_only && last_k_block)
                    syrk_mirror_panel(C, ldc, i0, mr, j0, nc);
                if (panel_epilogue && last_k_block)
                    gemm_rows_backward(o, C, ldc, i0, mr, n);
            }
        }
    }
    if (o->nb_y && !panel_epilogue)
        gemm_rows_backward(o, C, ldc, 0, m, n);
}

/* C = A Aᵀ: only micro-tiles holding an element on or below the diagonal are
 * computed, then the strict lower triangle is mirrored into the upper one
 * (replacing what diagonal tiles wrote there), so both hold the same bits. */
static void gemm_syrk(size_t n, size_t k, const float *A, size_t lda, float *C, size_t ldc,
                      float *work)
{
    const gemm_opts o = { 0, 1, NULL, NULL, NULL };
    gemm_drive(0, 1, n, n, k, A, lda, A, lda, C, ldc, work, &o);
    if (k > 0)
        syrk_mirror_band(n, C, ldc);
}

/* The public GEMM entries of an ISA file, written once so the ISAs cannot
 * drift apart: the including file says DML_GEMM_ENTRIES(avx2) (or avx512,
 * neon) after this header, which defines dml_gemm_f32_avx2 and the rest. */
#define DML_GEMM_ENTRIES(isa)                                                                  \
    void dml_gemm_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k, const float *A,      \
                            size_t lda, const float *B, size_t ldb, float *C, size_t ldc,      \
                            float *work)                                                       \
    {                                                                                          \
        const gemm_opts o = { 0, 0, NULL, NULL, NULL };                                        \
        gemm_drive(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work, &o);                         \
    }                                                                                          \
    void dml_gemm_acc_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k, const float *A,  \
                                size_t lda, const float *B, size_t ldb, float *C, size_t ldc,  \
                                float *work)                                                   \
    {                                                                                          \
        const gemm_opts o = { 1, 0, NULL, NULL, NULL };                                        \
        gemm_drive(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work, &o);                         \
    }                                                                                          \
    size_t dml_gemm_packed_floats_f32_##isa(size_t n, size_t k)                                \
    {                                                                                          \
        return gemm_packed_floats(n, k);                                                       \
    }                                                                                          \
    void dml_gemm_pack_b_f32_##isa(int tb, size_t n, size_t k, const float *B, size_t ldb,     \
                                   float *Bp)                                                  \
    {                                                                                          \
        gemm_pack_b_whole(tb, n, k, B, ldb, Bp);                                               \
    }                                                                                          \
    void dml_gemm_packed_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,               \
                                   const float *A, size_t lda, const float *B, size_t ldb,     \
                                   const float *Bp, float *C, size_t ldc, float *work,         \
                                   int accumulate)                                             \
    {                                                                                          \
        const gemm_opts o = { accumulate != 0, 0, Bp, NULL, NULL };                            \
        gemm_drive(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work, &o);                         \
    }                                                                                          \
    void dml_gemm_packed_nb_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,            \
                                      const float *A, size_t lda, const float *B, size_t ldb,  \
                                      const float *Bp, const float *Y, const float *inv,       \
                                      float *C, size_t ldc, float *work)                       \
    {                                                                                          \
        const gemm_opts o = { 0, 0, Bp, Y, inv };                                              \
        gemm_drive(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work, &o);                         \
    }                                                                                          \
    void dml_syrk_f32_##isa(size_t n, size_t k, const float *A, size_t lda, float *C,          \
                            size_t ldc, float *work)                                           \
    {                                                                                          \
        gemm_syrk(n, k, A, lda, C, ldc, work);                                                 \
    }

#endif /* DML_GEMM_DRIVER_H */
