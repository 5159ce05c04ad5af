/* lse_avx512.c — the vector helpers of the masked LSE⁺ kernel and the vector
 * exp for AVX-512 (F, VL, BW, DQ) + FMA: 16 lanes, membership in k-mask
 * registers.  The passes are lse_driver.h's, exp is exp_vec.h's (the
 * algorithm of exp_poly.h) with vscalefps for the 2^n scaling.
 *
 * The final partial vector uses masked loads and stores: nothing past n is
 * read or written, and the tail goes through the same arithmetic as the body. */
#include <immintrin.h>
#include <math.h>

#include "dml_kernels.h"
#include "lse_x86.h"

#define LSE_W 16
LSE_X86_OPS(_mm512, __m512, __m512i)
static inline __m512i lse_iota(void)
{
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
/* u · 2^n with one rounding: correct subnormals, +inf on overflow. */
#define LSE_HAVE_SCALEF 1
#define lse_exp_scale(u, t, n) _mm512_scalef_ps(u, n)
#include "exp_vec.h"

/* The LSE kernel's exp, for w = z − shift ≤ 0 of members: results below
 * exp(DML_EXP_LSE_LO) ≈ 1.65e-38 (where they would turn subnormal) are 0 —
 * see exp_poly.h.  Only the lower clamp is needed (it keeps every lane's
 * result normal); w > 0 only occurs in non-member lanes, whose value is
 * discarded.  NaN stays NaN. */
static inline __m512 lse_exp_member(__m512 w)
{
    const __m512 lo = _mm512_set1_ps(DML_EXP_LSE_LO);
    __mmask16 keep = _mm512_cmp_ps_mask(w, lo, _CMP_NLT_UQ); /* w ≥ lo or NaN */
    return _mm512_maskz_mov_ps(keep, exp_vec_clamped(_mm512_max_ps(lo, w)));
}

/* ------------------------------------------------------------ lanes */

typedef __mmask16 lse_vm;
typedef __mmask16 lse_lanes;
static inline __mmask16 lse_lanes_all(void) { return 0xFFFF; }
static inline __mmask16 lse_lanes_tail(size_t m) { return (__mmask16)((1u << m) - 1u); }

static inline __m512 lse_load(const float *p, __mmask16 L) { return _mm512_maskz_loadu_ps(L, p); }
static inline __m512 lse_load_fill(const float *p, __mmask16 L, float fill)
{
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), L, p);
}
static inline __m512i lse_load_i(const int32_t *p, __mmask16 L)
{
    return _mm512_maskz_loadu_epi32(L, p);
}
static inline void lse_store(float *p, __mmask16 L, __m512 v) { _mm512_mask_storeu_ps(p, L, v); }

/* ------------------------------------------------------------ masks */

static inline __mmask16 lse_eq(__m512i lab, __m512i c, __mmask16 L)
{
    return _mm512_mask_cmpeq_epi32_mask(L, lab, c);
}
static inline __mmask16 lse_ne(__m512i lab, __m512i c, __mmask16 eq, __mmask16 L)
{
    (void)eq;
    return _mm512_mask_cmpneq_epi32_mask(L, lab, c);
}
static inline __mmask16 lse_drop_lane(__mmask16 m, __m512i iota, size_t i)
{
    (void)iota;
    return m & (__mmask16)~(1u << i);
}
static inline __mmask16 lse_within(__mmask16 m, __m512 lo, __m512 s, __m512 hi)
{
    m = _mm512_mask_cmp_ps_mask(m, lo, s, _CMP_LT_OQ);
    return _mm512_mask_cmp_ps_mask(m, s, hi, _CMP_LT_OQ);
}

/* ------------------------------------------------------------ pass 1 */

/* max(z, mx): a NaN z is ignored, as in the reference's z > zmax. */
static inline __m512 lse_max_in(__m512 mx, __mmask16 m, __m512 z)
{
    return _mm512_mask_max_ps(mx, m, z, mx);
}
static inline __m512 lse_park(__mmask16 eq, __mmask16 pm, __mmask16 nm, __m512 zp, __m512 zn)
{
    (void)eq;
    __m512 z = _mm512_mask_blend_ps(nm, _mm512_set1_ps(-INFINITY), zn);
    return _mm512_mask_blend_ps(pm, z, zp);
}
typedef size_t lse_cnt;
static inline size_t lse_cnt_zero(void) { return 0; }
static inline size_t lse_cnt_add(size_t c, __mmask16 pm, __mmask16 nm)
{
    return c + (size_t)_mm_popcnt_u32((unsigned)(pm | nm));
}
static inline size_t lse_cnt_total(size_t c) { return c; }

/* ------------------------------------------------------------ passes 2, 3 */

static inline __m512 lse_select(__mmask16 m, __m512 x, __m512 y) { return _mm512_mask_blend_ps(m, y, x); }
static inline void lse_sum_in(__m512 *sp, __m512 *sn, __mmask16 eq, __m512 e)
{
    *sp = _mm512_mask_add_ps(*sp, eq, *sp, e);
    *sn = _mm512_mask_add_ps(*sn, (__mmask16)~eq, *sn, e);
}
/* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
 * includes e = 0) become 0 without a multiply. */
static inline __m512 lse_weight(__m512 e, __m512 sc, __m512 th)
{
    return _mm512_maskz_mul_ps(_mm512_cmp_ps_mask(e, th, _CMP_NLT_UQ), e, sc);
}

static inline float lse_hmax(__m512 v) { return _mm512_reduce_max_ps(v); }
static inline float lse_hsum(__m512 v) { return _mm512_reduce_add_ps(v); }

#include "lse_driver.h"

DML_LSE_ENTRIES(avx512)
