/* lse_avx512.c — masked LSE⁺ and vector exp, AVX-512 (F, VL, BW, DQ) + FMA.
 *
 * The algorithm is that of lse_ref.c (see dml.h for the contract), 16 lanes at
 * a time, with membership held in k-mask registers:
 *   pass 1  membership (labels vs c, the skip index, lo < s < hi), z =
 *           fma(a, s, b) of the lane's side, the max of z per side and the
 *           member count; z is parked in g (−inf for non-members);
 *   pass 2  e = exp(z − shift of the lane's side) from the parked z — the one
 *           exp per entry; non-members give 0 — per-side sums, e stored in g;
 *   pass 3  g ·= coef / sum of its side.
 * Parking z means pass 2 needs only the labels, not s, the bounds or skip.
 * The final partial vector uses masked loads and stores: nothing past n is
 * read or written, and the tail goes through the same arithmetic as the body.
 * exp is the algorithm of exp_poly.h with vscalefps for the 2^n scaling. */
#include <immintrin.h>
#include <math.h>

#include "dml_kernels.h"
#include "exp_poly.h"
#include "lse_sides.h"

#define W 16

/* exp of x already clamped to [lo, DML_EXP_HI] (NaN allowed), lo ≥ DML_EXP_LO. */
static inline __m512 exp16_clamped(__m512 x)
{
    const __m512 magic = _mm512_set1_ps(DML_EXP_MAGIC);
    __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(DML_EXP_LOG2E), magic), magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(DML_EXP_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(DML_EXP_LN2_LO), r);
    __m512 u = _mm512_set1_ps(DML_EXP_P0);
    u = _mm512_fmadd_ps(u, r, _mm512_set1_ps(DML_EXP_P1));
    u = _mm512_fmadd_ps(u, r, _mm512_set1_ps(DML_EXP_P2));
    u = _mm512_fmadd_ps(u, r, _mm512_set1_ps(DML_EXP_P3));
    u = _mm512_fmadd_ps(u, r, _mm512_set1_ps(DML_EXP_P4));
    u = _mm512_fmadd_ps(u, r, _mm512_set1_ps(DML_EXP_P5));
    u = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_mul_ps(r, r), u, r));
    /* u · 2^n with one rounding: correct subnormals, +inf on overflow. */
    return _mm512_scalef_ps(u, n);
}

/* exp over every float: NaN passes both clamps (the second operand of
 * max/min is returned when either is NaN); ±inf and far-out x clamp. */
static inline __m512 exp16(__m512 x)
{
    x = _mm512_max_ps(_mm512_set1_ps(DML_EXP_LO), x);
    return exp16_clamped(_mm512_min_ps(_mm512_set1_ps(DML_EXP_HI), x));
}

/* The LSE kernel's exp, for w = z − shift ≤ 0 of members: results below
 * exp(DML_EXP_LSE_LO) ≈ 1.65e-38 (where they would turn subnormal) are 0 —
 * see exp_poly.h.  Only the lower clamp is needed (it keeps every lane's
 * result normal); w > 0 only occurs in non-member lanes, whose value is
 * discarded.  NaN stays NaN. */
static inline __m512 exp16_lse(__m512 w)
{
    const __m512 lo = _mm512_set1_ps(DML_EXP_LSE_LO);
    __mmask16 keep = _mm512_cmp_ps_mask(w, lo, _CMP_NLT_UQ); /* w ≥ lo or NaN */
    return _mm512_maskz_mov_ps(keep, exp16_clamped(_mm512_max_ps(lo, w)));
}

void dml_exp_f32_avx512(const float *x, size_t n, float *y)
{
    size_t j = 0;
    for (; j + W <= n; j += W)
        _mm512_storeu_ps(y + j, exp16(_mm512_loadu_ps(x + j)));
    if (j < n) {
        __mmask16 lm = (__mmask16)((1u << (n - j)) - 1u);
        _mm512_mask_storeu_ps(y + j, lm, exp16(_mm512_maskz_loadu_ps(lm, x + j)));
    }
}

/* Per-call constants.  A NULL side gets lo = +inf, hi = −inf: lo < s never
 * holds (not even for NaN), so it has no members and needs no branch. */
typedef struct lse_consts {
    __m512 a_p, b_p, lo_p, hi_p, a_n, b_n, lo_n, hi_n;
    __m512i c, iota;
    const float *s;
    const int32_t *labels;
    size_t skip;
} lse_consts;

/* Labels of lanes j.. (lanes outside lm are 0 and never used). */
static inline __m512i labels_at(const lse_consts *K, size_t j, __mmask16 lm)
{
    if (K->labels)
        return _mm512_maskz_loadu_epi32(lm, K->labels + j);
    return _mm512_add_epi32(K->iota, _mm512_set1_epi32((int32_t)j));
}

/* Membership of lanes j.. within lm: *pm positives, *nm negatives; returns s. */
static inline __m512 members(const lse_consts *K, size_t j, __mmask16 lm, __mmask16 *eqm,
                             __mmask16 *pm, __mmask16 *nm)
{
    __m512 sv = _mm512_maskz_loadu_ps(lm, K->s + j);
    __m512i lab = labels_at(K, j, lm);
    __mmask16 eq = _mm512_mask_cmpeq_epi32_mask(lm, lab, K->c);
    __mmask16 ne = _mm512_mask_cmpneq_epi32_mask(lm, lab, K->c);
    __mmask16 p = eq;
    if (K->skip - j < W)
        p &= (__mmask16)~(1u << (K->skip - j));
    p = _mm512_mask_cmp_ps_mask(p, K->lo_p, sv, _CMP_LT_OQ);
    p = _mm512_mask_cmp_ps_mask(p, sv, K->hi_p, _CMP_LT_OQ);
    __mmask16 q = _mm512_mask_cmp_ps_mask(ne, K->lo_n, sv, _CMP_LT_OQ);
    q = _mm512_mask_cmp_ps_mask(q, sv, K->hi_n, _CMP_LT_OQ);
    *eqm = eq;
    *pm = p;
    *nm = q;
    return sv;
}

static inline void pass_max(const lse_consts *K, size_t j, __mmask16 lm, __m512 *mx_p,
                            __m512 *mx_n, size_t *count, float *g)
{
    __mmask16 eq, pm, nm;
    __m512 sv = members(K, j, lm, &eq, &pm, &nm);
    __m512 zp = _mm512_fmadd_ps(K->a_p, sv, K->b_p);
    __m512 zn = _mm512_fmadd_ps(K->a_n, sv, K->b_n);
    /* max(z, m): a NaN z is ignored, as in the reference's z > zmax. */
    *mx_p = _mm512_mask_max_ps(*mx_p, pm, zp, *mx_p);
    *mx_n = _mm512_mask_max_ps(*mx_n, nm, zn, *mx_n);
    *count += (size_t)_mm_popcnt_u32((unsigned)(pm | nm));
    __m512 z = _mm512_mask_blend_ps(nm, _mm512_set1_ps(-INFINITY), zn);
    _mm512_mask_storeu_ps(g + j, lm, _mm512_mask_blend_ps(pm, z, zp));
}

static inline void pass_exp(const lse_consts *K, size_t j, __mmask16 lm, __m512 sh_p,
                            __m512 sh_n, __m512 *sum_p, __m512 *sum_n, float *g)
{
    /* Lanes past the tail read as −inf, like non-members: exp gives 0. */
    __m512 z = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), lm, g + j);
    __mmask16 eq = _mm512_mask_cmpeq_epi32_mask(lm, labels_at(K, j, lm), K->c);
    __m512 e = exp16_lse(_mm512_sub_ps(z, _mm512_mask_blend_ps(eq, sh_n, sh_p)));
    *sum_p = _mm512_mask_add_ps(*sum_p, eq, *sum_p, e);
    *sum_n = _mm512_mask_add_ps(*sum_n, (__mmask16)~eq, *sum_n, e);
    _mm512_mask_storeu_ps(g + j, lm, e);
}

static inline void pass_scale(const lse_consts *K, size_t j, __mmask16 lm, __m512 sc_p,
                              __m512 sc_n, __m512 th_p, __m512 th_n, float *g)
{
    __m512 e = _mm512_maskz_loadu_ps(lm, g + j);
    __mmask16 eq = _mm512_mask_cmpeq_epi32_mask(lm, labels_at(K, j, lm), K->c);
    __m512 sc = _mm512_mask_blend_ps(eq, sc_n, sc_p);
    /* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
     * includes e = 0) become 0 without a multiply. */
    __mmask16 keep = _mm512_cmp_ps_mask(e, _mm512_mask_blend_ps(eq, th_n, th_p), _CMP_NLT_UQ);
    _mm512_mask_storeu_ps(g + j, lm, _mm512_maskz_mul_ps(keep, e, sc));
}

size_t dml_lse_f32_avx512(const float *s, size_t n, const int32_t *labels, int32_t c,
                          size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                          float out[2], float *g)
{
    const dml_lse_side *sides[2] = { pos, neg };
    lse_consts K;
    K.a_p = _mm512_set1_ps(pos ? pos->a : 0.0f);
    K.b_p = _mm512_set1_ps(pos ? pos->b : 0.0f);
    K.lo_p = _mm512_set1_ps(pos ? pos->lo : INFINITY);
    K.hi_p = _mm512_set1_ps(pos ? pos->hi : -INFINITY);
    K.a_n = _mm512_set1_ps(neg ? neg->a : 0.0f);
    K.b_n = _mm512_set1_ps(neg ? neg->b : 0.0f);
    K.lo_n = _mm512_set1_ps(neg ? neg->lo : INFINITY);
    K.hi_n = _mm512_set1_ps(neg ? neg->hi : -INFINITY);
    K.c = _mm512_set1_epi32(c);
    K.iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    K.s = s;
    K.labels = labels;
    K.skip = skip;

    const size_t nb = n - n % W;
    const __mmask16 tail = (__mmask16)((1u << (n % W)) - 1u);

    /* Pass 1: membership, max z per side, count; z parked in g. */
    __m512 mx_p = _mm512_set1_ps(-INFINITY), mx_n = mx_p;
    size_t count = 0;
    for (size_t j = 0; j < nb; j += W)
        pass_max(&K, j, 0xFFFF, &mx_p, &mx_n, &count, g);
    if (tail)
        pass_max(&K, nb, tail, &mx_p, &mx_n, &count, g);
    float zmax[2] = { _mm512_reduce_max_ps(mx_p), _mm512_reduce_max_ps(mx_n) };

    float shift[2], one[2]; /* one: the shifted "1 +" of LSE⁺ */
    for (int k = 0; k < 2; k++)
        lse_side_shift(sides[k], zmax[k], &shift[k], &one[k]);

    /* Pass 2: e = exp(z − shift) into g, sums per side.  A side without
     * members (shift −inf for plain LSE) subtracts 0 instead, so its lanes'
     * parked −inf gives exp(−inf) = 0 rather than exp(NaN). */
    const __m512 sh_p = _mm512_set1_ps(shift[0] == -INFINITY ? 0.0f : shift[0]);
    const __m512 sh_n = _mm512_set1_ps(shift[1] == -INFINITY ? 0.0f : shift[1]);
    __m512 sum_p = _mm512_setzero_ps(), sum_n = _mm512_setzero_ps();
    for (size_t j = 0; j < nb; j += W)
        pass_exp(&K, j, 0xFFFF, sh_p, sh_n, &sum_p, &sum_n, g);
    if (tail)
        pass_exp(&K, nb, tail, sh_p, sh_n, &sum_p, &sum_n, g);
    float sum[2] = { one[0] + _mm512_reduce_add_ps(sum_p), one[1] + _mm512_reduce_add_ps(sum_n) };

    float lse[2], scale[2];
    for (int k = 0; k < 2; k++)
        lse_side_finish(sides[k], zmax[k], shift[k], sum[k], &lse[k], &scale[k]);

    /* Pass 3: weights. */
    const __m512 sc_p = _mm512_set1_ps(scale[0]), sc_n = _mm512_set1_ps(scale[1]);
    const __m512 th_p = _mm512_set1_ps(dml_lse_weight_floor(scale[0]));
    const __m512 th_n = _mm512_set1_ps(dml_lse_weight_floor(scale[1]));
    for (size_t j = 0; j < nb; j += W)
        pass_scale(&K, j, 0xFFFF, sc_p, sc_n, th_p, th_n, g);
    if (tail)
        pass_scale(&K, nb, tail, sc_p, sc_n, th_p, th_n, g);

    out[0] = lse[0];
    out[1] = lse[1];
    return count;
}
