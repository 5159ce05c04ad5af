/* exp_vec.h — the steps of exp_poly.h written once over an ISA's vector
 * operations (SLEEF's pattern: sleefsimdsp.c once, over helper<isa>.h).
 *
 * The including ISA file (lse_avx2.c, lse_avx512.c, lse_neon.c) defines first:
 *   lse_vf, lse_vi          a vector of floats, of int32
 *   lse_set1(f)             every lane f
 *   lse_fma(a, b, c)        a·b + c, fused;   lse_fnma(a, b, c)  c − a·b, fused
 *   lse_add, lse_sub, lse_mul
 *   lse_max(a, b), lse_min(a, b)   the ISA's max/min in this operand order (their
 *                           NaN rules are what carries NaN through the clamp)
 *   lse_iset1(i), lse_iadd(a, b)   int32 lanes (the LSE driver's labels too)
 * and, unless it scales by 2^n in one instruction (LSE_HAVE_SCALEF: AVX-512's
 * vscalefps), the other int32 lane operations of step 5:
 *   lse_bits(v), lse_floats(i)   reinterpret;  lse_isub, lse_isra1 (>> 1,
 *   arithmetic), lse_ishl23 (<< 23)
 * and then lse_exp_scale(u, t, n): u · 2^n (t from exp_vec_poly). */
#ifndef DML_EXP_VEC_H
#define DML_EXP_VEC_H

#include "exp_poly.h"

/* Steps 2–4: n = round(x · log2 e) by the magic number (t keeps n in its low
 * bits), the Cody–Waite reduction r = x − n ln 2, and u ≈ exp(r). */
static inline lse_vf exp_vec_poly(lse_vf x, lse_vf *t, lse_vf *n)
{
    const lse_vf magic = lse_set1(DML_EXP_MAGIC);
    *t = lse_fma(x, lse_set1(DML_EXP_LOG2E), magic);
    *n = lse_sub(*t, magic);
    lse_vf r = lse_fnma(*n, lse_set1(DML_EXP_LN2_HI), x);
    r = lse_fnma(*n, lse_set1(DML_EXP_LN2_LO), r);
    lse_vf u = lse_fma(lse_set1(DML_EXP_P0), r, lse_set1(DML_EXP_P1));
    u = lse_fma(u, r, lse_set1(DML_EXP_P2));
    u = lse_fma(u, r, lse_set1(DML_EXP_P3));
    u = lse_fma(u, r, lse_set1(DML_EXP_P4));
    u = lse_fma(u, r, lse_set1(DML_EXP_P5));
    return lse_add(lse_set1(1.0f), lse_fma(lse_mul(r, r), u, r));
}

#ifndef LSE_HAVE_SCALEF
/* Step 5 without a scale instruction: u · 2^q1 · 2^q2, q = n = bits(t) −
 * bits(MAGIC), q1 = q >> 1, q2 = q − q1 ∈ [−75, 64], each factor built in the
 * exponent bits.  The first product is exact, the second rounds once
 * (subnormal results right, overflow to +inf). */
static inline lse_vf exp_vec_pow2_twice(lse_vf u, lse_vf t)
{
    lse_vi q = lse_isub(lse_bits(t), lse_iset1(DML_EXP_MAGIC_BITS));
    lse_vi q1 = lse_isra1(q);
    lse_vi q2 = lse_isub(q, q1);
    const lse_vi bias = lse_iset1(127);
    lse_vf p1 = lse_floats(lse_ishl23(lse_iadd(q1, bias)));
    lse_vf p2 = lse_floats(lse_ishl23(lse_iadd(q2, bias)));
    return lse_mul(lse_mul(u, p1), p2);
}
#endif

/* exp of x already clamped to [lo, DML_EXP_HI] (NaN allowed), lo ≥ DML_EXP_LO. */
static inline lse_vf exp_vec_clamped(lse_vf x)
{
    lse_vf t, n;
    lse_vf u = exp_vec_poly(x, &t, &n);
    return lse_exp_scale(u, t, n);
}

/* exp over every float (step 1, then the rest): max(LO, x) then min(HI, ·),
 * so that NaN passes both (x86 returns the second operand when either is NaN,
 * AArch64 returns NaN); ±inf and far-out x clamp. */
static inline lse_vf exp_vec_any(lse_vf x)
{
    x = lse_max(lse_set1(DML_EXP_LO), x);
    return exp_vec_clamped(lse_min(lse_set1(DML_EXP_HI), x));
}

#endif
