/* lse_avx2.c — the vector helpers of the masked LSE⁺ kernel and the vector
 * exp for AVX2 + FMA: 8 lanes, membership in all-ones/all-zeros vectors.  The
 * passes are lse_driver.h's, exp is exp_vec.h's (the algorithm of exp_poly.h).
 * The tail goes through lse_copy_tail.h (not vmaskmovps: see there). */
#include <immintrin.h>
#include <math.h>

#include "dml_kernels.h"
#include "lse_x86.h"

#define LSE_W 8
LSE_X86_OPS(_mm256, __m256, __m256i)
static inline __m256i lse_bits(__m256 v) { return _mm256_castps_si256(v); }
static inline __m256 lse_floats(__m256i v) { return _mm256_castsi256_ps(v); }
static inline __m256i lse_iota(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
#define lse_exp_scale(u, t, n) exp_vec_pow2_twice(u, t)
#include "exp_vec.h"

/* The LSE kernel's exp, for w = z − shift ≤ 0 of members: results below
 * exp(DML_EXP_LSE_LO) ≈ 1.65e-38 (where they would turn subnormal) are 0 —
 * see exp_poly.h.  Kept lanes have n ∈ [−126, 0] and u · 2^n normal, so the
 * scaling is exact as an integer add of n << 23 to u's bits (and n << 23 is
 * bits(t) << 23: the magic constant's bits shift out).  No clamp is needed:
 * w > 0 never occurs (z ≤ max z ≤ shift, and non-member and tail lanes arrive
 * as −inf), and every lane below DML_EXP_LSE_LO, −inf included, is zeroed
 * whatever its arithmetic gave.  NaN stays NaN. */
static inline __m256 lse_exp_member(__m256 w)
{
    __m256 keep = _mm256_cmp_ps(w, _mm256_set1_ps(DML_EXP_LSE_LO), _CMP_NLT_UQ);
    __m256 t, n;
    __m256 u = exp_vec_poly(w, &t, &n);
    __m256i e = _mm256_add_epi32(_mm256_castps_si256(u),
                                 _mm256_slli_epi32(_mm256_castps_si256(t), 23));
    return _mm256_or_ps(_mm256_and_ps(_mm256_castsi256_ps(e), keep),
                        _mm256_cmp_ps(w, w, _CMP_UNORD_Q));
}

/* ------------------------------------------------------------ lanes */

typedef __m256 lse_vm;
static inline __m256 lse_loadu(const float *p) { return _mm256_loadu_ps(p); }
static inline __m256i lse_loadu_i(const int32_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void lse_storeu(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
static inline __m256 lse_first(size_t m)
{
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)m), lse_iota()));
}
#include "lse_copy_tail.h"

/* ------------------------------------------------------------ masks */

static inline __m256 lse_eq(__m256i lab, __m256i c, lse_lanes L)
{
    __m256 eq = _mm256_castsi256_ps(_mm256_cmpeq_epi32(lab, c));
    return L.full ? eq : _mm256_and_ps(eq, L.lm);
}
static inline __m256 lse_ne(__m256i lab, __m256i c, __m256 eq, lse_lanes L)
{
    (void)lab, (void)c;
    return _mm256_andnot_ps(eq, L.lm);
}
static inline __m256 lse_drop_lane(__m256 m, __m256i iota, size_t i)
{
    __m256i hit = _mm256_cmpeq_epi32(iota, _mm256_set1_epi32((int32_t)i));
    return _mm256_andnot_ps(_mm256_castsi256_ps(hit), m);
}
static inline __m256 lse_within(__m256 m, __m256 lo, __m256 s, __m256 hi)
{
    return _mm256_and_ps(m, _mm256_and_ps(_mm256_cmp_ps(lo, s, _CMP_LT_OQ),
                                          _mm256_cmp_ps(s, hi, _CMP_LT_OQ)));
}

/* ------------------------------------------------------------ pass 1 */

/* z − inf off the mask: −inf, or NaN (z = +inf), which max(·, mx) ignores
 * (the second operand is returned) — as the reference's z > zmax ignores a
 * NaN z. */
static inline __m256 lse_max_in(__m256 mx, __m256 m, __m256 z)
{
    return _mm256_max_ps(_mm256_add_ps(z, _mm256_andnot_ps(m, _mm256_set1_ps(-INFINITY))), mx);
}
static inline __m256 lse_park(__m256 eq, __m256 pm, __m256 nm, __m256 zp, __m256 zn)
{
    return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_blendv_ps(zn, zp, eq),
                            _mm256_or_ps(pm, nm));
}
typedef size_t lse_cnt;
static inline size_t lse_cnt_zero(void) { return 0; }
static inline size_t lse_cnt_add(size_t c, __m256 pm, __m256 nm)
{
    return c + (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_or_ps(pm, nm)));
}
static inline size_t lse_cnt_total(size_t c) { return c; }

/* ------------------------------------------------------------ passes 2, 3 */

/* x where m, else y: a bitwise select, y ^ (m & (x ^ y)), with x ^ y hoisted
 * out of the loops (2 simple ops where vblendvps takes 3 µops on recent
 * Intel cores). */
static inline __m256 lse_select(__m256 m, __m256 x, __m256 y)
{
    return _mm256_xor_ps(y, _mm256_and_ps(m, _mm256_xor_ps(x, y)));
}
static inline void lse_sum_in(__m256 *sp, __m256 *sn, __m256 eq, __m256 e)
{
    *sp = _mm256_add_ps(*sp, _mm256_and_ps(eq, e));
    *sn = _mm256_add_ps(*sn, _mm256_andnot_ps(eq, e));
}
/* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
 * includes e = 0) become 0, and are zeroed before the multiply. */
static inline __m256 lse_weight(__m256 e, __m256 sc, __m256 th)
{
    __m256 keep = _mm256_cmp_ps(e, th, _CMP_NLT_UQ);
    return _mm256_and_ps(_mm256_mul_ps(_mm256_and_ps(e, keep), sc), keep);
}

static inline float lse_hmax(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}
static inline float lse_hsum(__m256 v)
{
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

#include "lse_driver.h"

DML_LSE_ENTRIES(avx2)
