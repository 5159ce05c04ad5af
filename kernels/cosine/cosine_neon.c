/* cosine_neon.c — AArch64 Advanced SIMD versions of the cosine-similarity kernels.
 *
 * normalize / normalize_backward: one row at a time, four q-register partial
 * sums (16 lanes) with FMA, then a true division (vdivq_f32) so that D = 1 gives
 * exactly ±1 and a zero row gives 0, as the reference does.
 *
 * gemm / syrk: a BLIS-style packed design (Goto/van de Geijn loop nest
 * jc → pc → ic → jr → ir).  op(B) is packed in NR-column micro-panels and op(A)
 * in MR-row micro-panels into the caller's work buffer (zero-padded at the
 * tails), so one 8×12 register-blocked micro-kernel serves every combination of
 * transposes: 24 q-register accumulators, 2 q registers of A and 3 of B per k
 * step, vfmaq_laneq_f32 broadcasting an A element from its lane (29 of the 32
 * vector registers).  syrk runs the same nest with B = A and skips every
 * micro-tile that lies strictly above the diagonal, then mirrors the strict
 * lower triangle into the upper one, so the result is exactly symmetric.
 *
 * The blocking/packing driver is self-contained here (no shared driver header
 * existed in kernels/cosine/ when this was written).
 *
 * Sums are reassociated (vector lanes, FMA, KC blocks), so results agree with
 * the scalar reference within float32 rounding, not bit for bit. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "dml_kernels.h"

#define DML_NORM_EPS 1e-12f

/* ------------------------------------------------------------ normalisation */

static inline float dot_row(const float *a, const float *b, size_t d)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 16 <= d; k += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + k), vld1q_f32(b + k));
        s1 = vfmaq_f32(s1, vld1q_f32(a + k + 4), vld1q_f32(b + k + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + k + 8), vld1q_f32(b + k + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + k + 12), vld1q_f32(b + k + 12));
    }
    for (; k + 4 <= d; k += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(a + k), vld1q_f32(b + k));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; k < d; k++)
        s = fmaf(a[k], b[k], s);
    return s;
}

void dml_normalize_f32_neon(const float *X, size_t n, size_t d, float *Y, float *inv_norm)
{
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * d;
        float *y = Y + i * d;
        float norm = sqrtf(dot_row(x, x, d));
        float den = norm > DML_NORM_EPS ? norm : DML_NORM_EPS;
        inv_norm[i] = 1.0f / den;
        float32x4_t vden = vdupq_n_f32(den);
        size_t k = 0;
        for (; k + 16 <= d; k += 16) {
            float32x4_t x0 = vld1q_f32(x + k), x1 = vld1q_f32(x + k + 4);
            float32x4_t x2 = vld1q_f32(x + k + 8), x3 = vld1q_f32(x + k + 12);
            vst1q_f32(y + k, vdivq_f32(x0, vden));
            vst1q_f32(y + k + 4, vdivq_f32(x1, vden));
            vst1q_f32(y + k + 8, vdivq_f32(x2, vden));
            vst1q_f32(y + k + 12, vdivq_f32(x3, vden));
        }
        for (; k + 4 <= d; k += 4)
            vst1q_f32(y + k, vdivq_f32(vld1q_f32(x + k), vden));
        for (; k < d; k++)
            y[k] = x[k] / den;
    }
}

void dml_normalize_backward_f32_neon(const float *Y, const float *inv_norm, const float *G,
                                     size_t n, size_t d, float *dX)
{
    for (size_t i = 0; i < n; i++) {
        const float *y = Y + i * d, *g = G + i * d;
        float *dx = dX + i * d;
        float dot = dot_row(y, g, d);
        float inv = inv_norm[i];
        float32x4_t vdot = vdupq_n_f32(dot), vinv = vdupq_n_f32(inv);
        /* dX may alias G: each chunk of g is loaded before the same chunk of dX
         * is stored, and chunks never overlap. */
        size_t k = 0;
        for (; k + 8 <= d; k += 8) {
            float32x4_t g0 = vld1q_f32(g + k), g1 = vld1q_f32(g + k + 4);
            float32x4_t y0 = vld1q_f32(y + k), y1 = vld1q_f32(y + k + 4);
            vst1q_f32(dx + k, vmulq_f32(vfmsq_f32(g0, y0, vdot), vinv));
            vst1q_f32(dx + k + 4, vmulq_f32(vfmsq_f32(g1, y1, vdot), vinv));
        }
        for (; k + 4 <= d; k += 4)
            vst1q_f32(dx + k, vmulq_f32(vfmsq_f32(vld1q_f32(g + k), vld1q_f32(y + k), vdot), vinv));
        for (; k < d; k++)
            dx[k] = fmaf(-y[k], dot, g[k]) * inv;
    }
}

/* ------------------------------------------------------------ GEMM blocking */

enum {
    MR = 8,                /* micro-tile rows (2 q registers of A) */
    NR = 12,               /* micro-tile columns (3 q registers of B) */
    KC = 256,              /* depth of a packed block: B micro-panel 12 KiB, A micro-panel 8 KiB (L1) */
    MC = 128,              /* rows of a packed A block: 128 KiB (L2) */
};
/* Columns of a packed B block: the rest of the work buffer, a multiple of NR. */
#define NC ((((size_t)DML_GEMM_WORK_FLOATS - (size_t)MC * KC) / KC) / NR * NR)

_Static_assert((size_t)MC * KC + NC * KC <= DML_GEMM_WORK_FLOATS, "packing exceeds the work buffer");
_Static_assert(MC % MR == 0, "MC must be a multiple of MR");

/* 4×4 transpose of the rows r0..r3 into columns c0..c3. */
#define TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3)                                      \
    do {                                                                                \
        float32x4x2_t t01_ = vtrnq_f32(r0, r1), t23_ = vtrnq_f32(r2, r3);               \
        c0 = vcombine_f32(vget_low_f32(t01_.val[0]), vget_low_f32(t23_.val[0]));        \
        c1 = vcombine_f32(vget_low_f32(t01_.val[1]), vget_low_f32(t23_.val[1]));        \
        c2 = vcombine_f32(vget_high_f32(t01_.val[0]), vget_high_f32(t23_.val[0]));      \
        c3 = vcombine_f32(vget_high_f32(t01_.val[1]), vget_high_f32(t23_.val[1]));      \
    } while (0)

/* Packs a micro-panel of R rows (R = MR or NR) whose element (r, p) lies at
 * src[r·ld + p] — rows contiguous in depth — as dst[p·R + r], p < kc; rows
 * r >= nvalid are zero. */
static void pack_rows(const float *src, size_t ld, size_t nvalid, size_t R, size_t kc,
                      float *restrict dst)
{
    if (nvalid == R) {
        size_t p = 0;
        for (; p + 4 <= kc; p += 4) {
            for (size_t g = 0; g < R; g += 4) {
                const float *s = src + g * ld + p;
                float32x4_t r0 = vld1q_f32(s), r1 = vld1q_f32(s + ld);
                float32x4_t r2 = vld1q_f32(s + 2 * ld), r3 = vld1q_f32(s + 3 * ld);
                float32x4_t c0, c1, c2, c3;
                TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3);
                vst1q_f32(dst + (p + 0) * R + g, c0);
                vst1q_f32(dst + (p + 1) * R + g, c1);
                vst1q_f32(dst + (p + 2) * R + g, c2);
                vst1q_f32(dst + (p + 3) * R + g, c3);
            }
        }
        for (; p < kc; p++)
            for (size_t r = 0; r < R; r++)
                dst[p * R + r] = src[r * ld + p];
        return;
    }
    for (size_t p = 0; p < kc; p++) {
        size_t r = 0;
        for (; r < nvalid; r++)
            dst[p * R + r] = src[r * ld + p];
        for (; r < R; r++)
            dst[p * R + r] = 0.0f;
    }
}

/* Packs a micro-panel of R rows whose element (r, p) lies at src[p·ld + r] —
 * rows contiguous across the panel — as dst[p·R + r]; rows r >= nvalid are 0. */
static void pack_cols(const float *src, size_t ld, size_t nvalid, size_t R, size_t kc,
                      float *restrict dst)
{
    if (nvalid == R) {
        for (size_t p = 0; p < kc; p++)
            for (size_t g = 0; g < R; g += 4)
                vst1q_f32(dst + p * R + g, vld1q_f32(src + p * ld + g));
        return;
    }
    for (size_t p = 0; p < kc; p++) {
        size_t r = 0;
        for (; r < nvalid; r++)
            dst[p * R + r] = src[p * ld + r];
        for (; r < R; r++)
            dst[p * R + r] = 0.0f;
    }
}

/* The 8×12 micro-kernel: c[0..8)[0..12) (row stride ldc) = a·b over kc packed
 * steps, or += when accumulate. */
static void ukernel_8x12(size_t kc, const float *restrict a, const float *restrict b,
                         float *restrict c, size_t ldc, int accumulate)
{
    float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00;
    float32x4_t c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00;
    float32x4_t c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00;
    float32x4_t c50 = c00, c51 = c00, c52 = c00, c60 = c00, c61 = c00, c62 = c00;
    float32x4_t c70 = c00, c71 = c00, c72 = c00;

#define DML_STEP(ao, bo)                                                                  \
    do {                                                                                  \
        float32x4_t a0 = vld1q_f32(a + (ao)), a1 = vld1q_f32(a + (ao) + 4);               \
        float32x4_t b0 = vld1q_f32(b + (bo)), b1 = vld1q_f32(b + (bo) + 4);               \
        float32x4_t b2 = vld1q_f32(b + (bo) + 8);                                         \
        c00 = vfmaq_laneq_f32(c00, b0, a0, 0); c01 = vfmaq_laneq_f32(c01, b1, a0, 0);     \
        c02 = vfmaq_laneq_f32(c02, b2, a0, 0);                                            \
        c10 = vfmaq_laneq_f32(c10, b0, a0, 1); c11 = vfmaq_laneq_f32(c11, b1, a0, 1);     \
        c12 = vfmaq_laneq_f32(c12, b2, a0, 1);                                            \
        c20 = vfmaq_laneq_f32(c20, b0, a0, 2); c21 = vfmaq_laneq_f32(c21, b1, a0, 2);     \
        c22 = vfmaq_laneq_f32(c22, b2, a0, 2);                                            \
        c30 = vfmaq_laneq_f32(c30, b0, a0, 3); c31 = vfmaq_laneq_f32(c31, b1, a0, 3);     \
        c32 = vfmaq_laneq_f32(c32, b2, a0, 3);                                            \
        c40 = vfmaq_laneq_f32(c40, b0, a1, 0); c41 = vfmaq_laneq_f32(c41, b1, a1, 0);     \
        c42 = vfmaq_laneq_f32(c42, b2, a1, 0);                                            \
        c50 = vfmaq_laneq_f32(c50, b0, a1, 1); c51 = vfmaq_laneq_f32(c51, b1, a1, 1);     \
        c52 = vfmaq_laneq_f32(c52, b2, a1, 1);                                            \
        c60 = vfmaq_laneq_f32(c60, b0, a1, 2); c61 = vfmaq_laneq_f32(c61, b1, a1, 2);     \
        c62 = vfmaq_laneq_f32(c62, b2, a1, 2);                                            \
        c70 = vfmaq_laneq_f32(c70, b0, a1, 3); c71 = vfmaq_laneq_f32(c71, b1, a1, 3);     \
        c72 = vfmaq_laneq_f32(c72, b2, a1, 3);                                            \
    } while (0)

    size_t p = 0;
    for (; p + 2 <= kc; p += 2) {
        DML_STEP(0, 0);
        DML_STEP(MR, NR);
        a += 2 * MR;
        b += 2 * NR;
    }
    if (p < kc)
        DML_STEP(0, 0);
#undef DML_STEP

#define DML_ROW(r, x0, x1, x2)                                                            \
    do {                                                                                  \
        float *cr = c + (r) * ldc;                                                        \
        if (accumulate) {                                                                 \
            x0 = vaddq_f32(vld1q_f32(cr), x0);                                            \
            x1 = vaddq_f32(vld1q_f32(cr + 4), x1);                                        \
            x2 = vaddq_f32(vld1q_f32(cr + 8), x2);                                        \
        }                                                                                 \
        vst1q_f32(cr, x0); vst1q_f32(cr + 4, x1); vst1q_f32(cr + 8, x2);                  \
    } while (0)
    DML_ROW(0, c00, c01, c02);
    DML_ROW(1, c10, c11, c12);
    DML_ROW(2, c20, c21, c22);
    DML_ROW(3, c30, c31, c32);
    DML_ROW(4, c40, c41, c42);
    DML_ROW(5, c50, c51, c52);
    DML_ROW(6, c60, c61, c62);
    DML_ROW(7, c70, c71, c72);
#undef DML_ROW
}

/* A partial tile (mr < MR or nr < NR): the full micro-kernel into a local tile
 * (the packed tails are zero), then only the valid part into C. */
static void ukernel_edge(size_t kc, const float *a, const float *b, float *c, size_t ldc,
                         size_t mr, size_t nr, int accumulate)
{
    float tile[MR * NR] __attribute__((aligned(16)));
    ukernel_8x12(kc, a, b, tile, NR, 0);
    for (size_t i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        const float *tr = tile + i * NR;
        if (accumulate)
            for (size_t j = 0; j < nr; j++)
                cr[j] += tr[j];
        else
            memcpy(cr, tr, nr * sizeof(float));
    }
}

/* C (m×n) = op(A) op(B); with lower_only (syrk: B = A, ta = 0, tb = 1, m = n)
 * micro-tiles lying strictly above the diagonal are skipped. */
static void gemm_blocked(int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                         size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                         float *work, int lower_only)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++)
            memset(C + i * ldc, 0, n * sizeof(float));
        return;
    }
    float *pa = work;                      /* MC × KC: MR-row micro-panels of op(A) */
    float *pb = work + (size_t)MC * KC;    /* KC × NC: NR-column micro-panels of op(B) */

    for (size_t jc = 0; jc < n; jc += NC) {
        size_t nc = n - jc < NC ? n - jc : NC;
        for (size_t pc = 0; pc < k; pc += KC) {
            size_t kc = k - pc < KC ? k - pc : KC;
            int acc = pc > 0;
            for (size_t jr = 0; jr < nc; jr += NR) {
                size_t nr = nc - jr < NR ? nc - jr : NR;
                if (tb)
                    pack_rows(B + (jc + jr) * ldb + pc, ldb, nr, NR, kc, pb + jr * kc);
                else
                    pack_cols(B + pc * ldb + jc + jr, ldb, nr, NR, kc, pb + jr * kc);
            }
            for (size_t ic = 0; ic < m; ic += MC) {
                size_t mc = m - ic < MC ? m - ic : MC;
                if (lower_only && ic + mc <= jc)
                    continue; /* the whole block lies above the diagonal */
                for (size_t ir = 0; ir < mc; ir += MR) {
                    size_t mr = mc - ir < MR ? mc - ir : MR;
                    if (ta)
                        pack_cols(A + pc * lda + ic + ir, lda, mr, MR, kc, pa + ir * kc);
                    else
                        pack_rows(A + (ic + ir) * lda + pc, lda, mr, MR, kc, pa + ir * kc);
                }
                for (size_t jr = 0; jr < nc; jr += NR) {
                    size_t nr = nc - jr < NR ? nc - jr : NR;
                    for (size_t ir = 0; ir < mc; ir += MR) {
                        size_t mr = mc - ir < MR ? mc - ir : MR;
                        if (lower_only && ic + ir + mr <= jc + jr)
                            continue; /* last row of the tile is above its first column */
                        float *c = C + (ic + ir) * ldc + jc + jr;
                        if (mr == MR && nr == NR)
                            ukernel_8x12(kc, pa + ir * kc, pb + jr * kc, c, ldc, acc);
                        else
                            ukernel_edge(kc, pa + ir * kc, pb + jr * kc, c, ldc, mr, nr, acc);
                    }
                }
            }
        }
    }
}

void dml_gemm_f32_neon(int ta, int tb, size_t m, size_t n, size_t k,
                       const float *A, size_t lda, const float *B, size_t ldb,
                       float *C, size_t ldc, float *work)
{
    gemm_blocked(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, work, 0);
}

void dml_syrk_f32_neon(size_t n, size_t k, const float *A, size_t lda, float *C, size_t ldc,
                       float *work)
{
    gemm_blocked(0, 1, n, n, k, A, lda, A, lda, C, ldc, work, 1);
    /* Mirror the strict lower triangle (tiles on the diagonal also wrote some
     * upper entries; they are replaced, so both triangles hold the same bits). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            C[j * ldc + i] = C[i * ldc + j];
}
