/* cosine_neon.c — AArch64 Advanced SIMD versions of the cosine-similarity kernels.
 *
 * normalize / normalize_backward: one row at a time, four q-register partial
 * sums (16 lanes) with FMA, then a true division (vdivq_f32) so that D = 1 gives
 * exactly ±1 and a zero row gives 0, as the reference does.
 *
 * gemm / syrk: a BLIS-style packed design.  The blocking loops are the shared
 * kernels/cosine/gemm_driver.h (also used by the x86 files): op(B) is packed
 * in NR-column micro-panels, op(A) in MR-row micro-panels, into the caller's
 * work buffer, zero-padded at the tails, so one 8×12 register-blocked
 * micro-kernel serves every combination of transposes.  The micro-kernel keeps
 * 24 q-register accumulators and loads 2 q registers of A and 3 of B per k step
 * (29 of the 32 vector registers), broadcasting each A element from its lane
 * with vfmaq_laneq_f32.  syrk runs the same loops with B = A, skips micro-tiles
 * strictly above the diagonal and mirrors the strict lower triangle into the
 * upper one, so the result is exactly symmetric.
 *
 * Sums are reassociated (vector lanes, FMA, k blocks), so results agree with
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

/* ------------------------------------------------------------ GEMM blocking
 *
 * The loops (blocking, packing order, lower-triangle skipping, mirroring) are
 * those of the shared kernels/cosine/gemm_driver.h; this file supplies the
 * NEON packing routines and micro-kernel it expects. */

#define GEMM_MR 8            /* micro-tile rows (2 q registers of A) */
#define GEMM_NR 12           /* micro-tile columns (3 q registers of B) */
#define GEMM_KC 256          /* A micro-panel 8 KiB and B micro-panel 12 KiB: both in L1 */
/* 512 KiB of packed B: half of the 1 MiB L2 of the Neoverse N1/V1 class, leaving
 * room for the A panel and C; the packed B block streams from L2. */
#define GEMM_B_FLOATS (1 << 17)

/* 4×4 transpose of the rows r0..r3 into columns c0..c3. */
#define TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3)                                      \
    do {                                                                                \
        float32x4x2_t t01_ = vtrnq_f32(r0, r1), t23_ = vtrnq_f32(r2, r3);               \
        c0 = vcombine_f32(vget_low_f32(t01_.val[0]), vget_low_f32(t23_.val[0]));        \
        c1 = vcombine_f32(vget_low_f32(t01_.val[1]), vget_low_f32(t23_.val[1]));        \
        c2 = vcombine_f32(vget_high_f32(t01_.val[0]), vget_high_f32(t23_.val[0]));      \
        c3 = vcombine_f32(vget_high_f32(t01_.val[1]), vget_high_f32(t23_.val[1]));      \
    } while (0)

/* Packs a micro-panel of R rows (R = GEMM_MR or GEMM_NR) whose element (r, p) lies at
 * src[r·ld + p] — rows contiguous in depth — as dst[p·R + r], p < kc; rows
 * r >= nvalid are zero. */
static void pack_panel_transposed(const float *src, size_t ld, size_t nvalid, size_t R,
                                  size_t kc, float *restrict dst)
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
static void pack_panel_copied(const float *src, size_t ld, size_t nvalid, size_t R,
                              size_t kc, float *restrict dst)
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
        DML_STEP(GEMM_MR, GEMM_NR);
        a += 2 * GEMM_MR;
        b += 2 * GEMM_NR;
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

/* A partial tile (mr < GEMM_MR or nr < GEMM_NR): the full micro-kernel into a local tile
 * (the packed tails are zero), then only the valid part into C. */
static void ukernel_edge(size_t kc, const float *a, const float *b, float *c, size_t ldc,
                         size_t mr, size_t nr, int accumulate)
{
    _Alignas(16) float tile[GEMM_MR * GEMM_NR];
    ukernel_8x12(kc, a, b, tile, GEMM_NR, 0);
    for (size_t i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        const float *tr = tile + i * GEMM_NR;
        if (accumulate)
            for (size_t j = 0; j < nr; j++)
                cr[j] += tr[j];
        else
            memcpy(cr, tr, nr * sizeof(float));
    }
}

/* The micro-kernel as gemm_driver.h calls it: C[mr×nr] (=|+=) a-panel · b-panel. */
static inline void gemm_ukernel(size_t kc, const float *a, const float *b, float *C, size_t ldc,
                                size_t mr, size_t nr, int accumulate)
{
    if (mr == GEMM_MR && nr == GEMM_NR)
        ukernel_8x12(kc, a, b, C, ldc, accumulate);
    else
        ukernel_edge(kc, a, b, C, ldc, mr, nr, accumulate);
}

#define GEMM_ROW_BACKWARD dml_normalize_backward_f32_neon
#include "gemm_driver.h"

DML_GEMM_ENTRIES(neon)
