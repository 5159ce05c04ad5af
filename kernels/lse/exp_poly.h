/* exp_poly.h — the one vector-exp algorithm of every SIMD lse file.
 *
 * Steps 1–4 and the two-factor step 5 are written once, in exp_vec.h, over
 * each ISA's vector operations (lse_avx2.c, lse_avx512.c, lse_neon.c define
 * them); the constants live here.
 *
 *   1. Clamp x to [DML_EXP_LO, DML_EXP_HI] with max(LO, x) then min(HI, ·), in
 *      that operand order: x86 max/min return the SECOND operand when either
 *      is NaN and AArch64 FMAX/FMIN return NaN, so NaN passes through the clamp
 *      and propagates to the result.  −inf and every x < LO become LO, whose
 *      exp (2^−150.04) rounds to 0 in step 5; +inf and every x > HI become HI,
 *      whose exp overflows to +inf in step 5.
 *   2. n = round-to-nearest(x · log2 e) by the "magic number" trick:
 *      t = fma(x, LOG2E, MAGIC), n = t − MAGIC, and the integer n is the low
 *      bits of t (bits(t) − bits(MAGIC)).  Valid for |x · log2 e| < 2^22,
 *      which the clamp guarantees (n ∈ [−150, 128]).
 *   3. Cody–Waite reduction with a two-constant split of ln 2:
 *      r = fma(−n, LN2_HI, x); r = fma(−n, LN2_LO, r).  LN2_HI has 16
 *      significant bits, so n·LN2_HI is exact for |n| < 2^8 and the first step
 *      is exact; |r| ≤ ln2/2 + tiny.
 *   4. exp(r) ≈ 1 + (r + r²·P(r)), P of degree 5 in Horner form
 *      (P0·r + P1)·r + … + P5 — a degree-7 polynomial overall.
 *   5. Scale by 2^n.  n reaches −150 (subnormal results) and 128 (overflow),
 *      outside the normal exponent range, so 2^n is applied as two factors
 *      2^(n>>1) · 2^(n − (n>>1)), each built in the exponent bits
 *      ((k + 127) << 23, k ∈ [−75, 64]).  The first product stays normal and is
 *      exact, so the result is rounded once — subnormal results are correct
 *      (not flushed) and overflow gives +inf.  AVX-512 does the same in one
 *      instruction with vscalefps (u · 2^n, one rounding).
 *
 * Origin of the constants: the ln 2 split, the −104 underflow threshold and
 * the polynomial coefficients are those of SLEEF's xexpf (sleefsimdsp.c, the
 * 1.0-ulp single-precision exp; Boost Software License 1.0), a minimax fit of
 * (exp(r) − 1 − r)/r² on [−ln2/2, ln2/2]; the upper clamp (89) and the
 * clamp-instead-of-select structure are ours.  The Cephes expf coefficients
 * (1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2,
 * 1.6666665459E-1, 5.0000001201E-1) were measured as well: both give at most
 * 1 ulp over every float input, SLEEF's with slightly fewer 1-ulp results.
 *
 * Measured with these constants (AVX2 and AVX-512 natively, NEON under
 * qemu-aarch64; all 2^32 inputs, versus (float)exp((double)x)): max error
 * 1 ulp, counting ulps as the distance of the bit patterns, so it covers
 * subnormal results and the overflow edge (FLT_MAX vs +inf is 1 ulp);
 * 4,260,980,674 results exact and 17,209,408 off by 1 ulp on each ISA, with
 * exactly 0 for x ≤ −104, +inf for x ≥ 89 and NaN for NaN.  The test (tests/checks/check_lse.c) holds every ISA to
 * 2 ulp on a dense sweep.
 *
 * Inside the LSE kernels the same algorithm runs on w = z − shift, which is
 * ≤ 0 for every member, with one change: results that would be subnormal are
 * flushed to 0 — every lane with w < DML_EXP_LSE_LO is zeroed (and clamped
 * there, or never scaled, so no subnormal is ever produced) — and so are
 * weights coef·e/sum that would be subnormal (dml_lse_weight_floor).  On x86
 * every subnormal result of a multiply costs a microcode assist of ~100+
 * cycles (no FTZ: the library never touches MXCSR), and at α ≥ 64 most
 * entries of a row underflow: before this the AVX-512 kernel went from 0.73 to
 * 9 ns per entry.  The flushed values are below 1.7e-38 (e) and FLT_MIN
 * (weights): invisible in a sum that is ≥ 1, and inside the tests' absolute
 * tolerance on g.  For members (w ∈ [LSE_LO, 0], n ∈ [−126, 0]) u · 2^n is
 * normal, so AVX2 applies 2^n as an exact integer add of n << 23 to u's bits
 * (one step instead of two multiplies); AVX-512 keeps vscalefps and NEON the
 * two factors — the same value in all three.
 */
#ifndef DML_EXP_POLY_H
#define DML_EXP_POLY_H

#include <float.h>
#include <math.h>

#define DML_EXP_LO     (-104.0f)   /* exp(−104) < 2^−150: rounds to 0 */
#define DML_EXP_HI     (89.0f)     /* exp(89) > FLT_MAX: overflows to +inf */
/* LSE variant: exp(−87) = 1.65e-38 > FLT_MIN; x ≥ −87 means x·log2 e ≥
 * −125.52, so no intermediate or result u · 2^n is subnormal. */
#define DML_EXP_LSE_LO (-87.0f)
#define DML_EXP_LOG2E  1.44269504088896341f
#define DML_EXP_MAGIC  12582912.0f /* 0x1.8p23: adding it rounds to an integer */
#define DML_EXP_MAGIC_BITS 0x4B400000
#define DML_EXP_LN2_HI 0.693145751953125f        /* 0x1.62e4p-1, 16 significant bits */
#define DML_EXP_LN2_LO 1.428606765330187045e-06f /* ln 2 − LN2_HI */

/* P(r), highest degree first: exp(r) ≈ 1 + r + r²·P(r). */
#define DML_EXP_P0 0.000198527617612853646278381f
#define DML_EXP_P1 0.00139304355252534151077271f
#define DML_EXP_P2 0.00833336077630519866943359f
#define DML_EXP_P3 0.0416664853692054748535156f
#define DML_EXP_P4 0.166666671633720397949219f
#define DML_EXP_P5 0.5f

/* The smallest exponential e (= exp(z − shift)) whose weight e · scale is kept
 * in the LSE kernels' last pass: below FLT_MIN / |scale| the weight would be
 * subnormal and is written as 0.  Always > 0, so e = 0 never meets the scale
 * (0 · inf would be NaN; the reference skips zeros); scale = 0 gives +inf
 * (every weight 0); a NaN scale gives FLT_TRUE_MIN (NaN propagates, as in
 * the reference). */
static inline float dml_lse_weight_floor(float scale)
{
    float f = FLT_MIN / fabsf(scale);
    return f > FLT_TRUE_MIN ? f : FLT_TRUE_MIN;
}

#endif
