/* lse_avx2.c — masked LSE⁺ and vector exp, AVX2 + FMA.
 *
 * The algorithm is that of lse_ref.c (see dml.h for the contract), 8 lanes at
 * a time, with membership held in all-ones/all-zeros vector masks:
 *   pass 1  membership (labels vs c, the skip index, lo < s < hi), z =
 *           fma(a, s, b) of the lane's side, the max of z per side and the
 *           member count; z is parked in g (−inf for non-members);
 *   pass 2  e = exp(z − shift of the lane's side) from the parked z — the one
 *           exp per entry; non-members give exp(−inf) = 0 — per-side sums,
 *           e stored in g;
 *   pass 3  g ·= coef / sum of its side.
 * Parking z means pass 2 needs only the labels, not s, the bounds or skip.
 * The final partial vector (n mod 8 lanes) is copied into a local vector, goes
 * through the same arithmetic as the body with the missing lanes masked off,
 * and only its valid lanes are copied back: nothing past n is read or written.
 * (Not vmaskmovps: qemu-user, which runs this path with -cpu Haswell to prove
 * it free of AVX-512, faults on its masked-off lanes at a page end.)
 * exp is the algorithm of exp_poly.h. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "dml_kernels.h"
#include "exp_poly.h"
#include "lse_sides.h"

#define W 8

/* exp of x already clamped to [lo, DML_EXP_HI] (NaN allowed), lo ≥ DML_EXP_LO. */
static inline __m256 exp8_clamped(__m256 x)
{
    const __m256 magic = _mm256_set1_ps(DML_EXP_MAGIC);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(DML_EXP_LOG2E), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256i q = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(DML_EXP_MAGIC_BITS));
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(DML_EXP_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(DML_EXP_LN2_LO), r);
    __m256 u = _mm256_set1_ps(DML_EXP_P0);
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P1));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P2));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P3));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P4));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P5));
    u = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(r, r), u, r));
    /* u · 2^q1 · 2^q2, q1 = q >> 1, q2 = q − q1 ∈ [−75, 64]: the first product
     * is exact, the second rounds once (subnormals right, overflow to inf). */
    __m256i q1 = _mm256_srai_epi32(q, 1);
    __m256i q2 = _mm256_sub_epi32(q, q1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(q1, bias), 23));
    __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(q2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(u, p1), p2);
}

/* exp over every float: NaN passes both clamps (the second operand of
 * max/min is returned when either is NaN); ±inf and far-out x clamp. */
static inline __m256 exp8(__m256 x)
{
    x = _mm256_max_ps(_mm256_set1_ps(DML_EXP_LO), x);
    return exp8_clamped(_mm256_min_ps(_mm256_set1_ps(DML_EXP_HI), x));
}

/* The LSE kernel's exp, for w = z − shift ≤ 0 of members: results below
 * exp(DML_EXP_LSE_LO) ≈ 1.65e-38 (where they would turn subnormal) are 0 —
 * see exp_poly.h.  Kept lanes have n ∈ [−126, 0] and u · 2^n normal, so the
 * scaling is exact as an integer add of n << 23 to u's bits (and n << 23 is
 * bits(t) << 23: the magic constant's bits shift out).  No clamp is needed:
 * w > 0 never occurs (z ≤ max z ≤ shift, and non-member and tail lanes arrive
 * as −inf), and every lane below DML_EXP_LSE_LO, −inf included, is zeroed
 * whatever its arithmetic gave.  NaN stays NaN. */
static inline __m256 exp8_lse(__m256 w)
{
    __m256 keep = _mm256_cmp_ps(w, _mm256_set1_ps(DML_EXP_LSE_LO), _CMP_NLT_UQ);
    const __m256 magic = _mm256_set1_ps(DML_EXP_MAGIC);
    __m256 t = _mm256_fmadd_ps(w, _mm256_set1_ps(DML_EXP_LOG2E), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(DML_EXP_LN2_HI), w);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(DML_EXP_LN2_LO), r);
    __m256 u = _mm256_fmadd_ps(_mm256_set1_ps(DML_EXP_P0), r, _mm256_set1_ps(DML_EXP_P1));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P2));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P3));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P4));
    u = _mm256_fmadd_ps(u, r, _mm256_set1_ps(DML_EXP_P5));
    u = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(r, r), u, r));
    __m256i e = _mm256_add_epi32(_mm256_castps_si256(u),
                                 _mm256_slli_epi32(_mm256_castps_si256(t), 23));
    return _mm256_or_ps(_mm256_and_ps(_mm256_castsi256_ps(e), keep),
                        _mm256_cmp_ps(w, w, _CMP_UNORD_Q));
}

/* Lanes [0, m) set, m ∈ [0, 8]. */
static inline __m256i lanes_below(size_t m)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)m),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The first m < 8 elements at p as a vector (the rest `fill`), and back. */
static inline __m256 load_part_fill(const float *p, size_t m, float fill)
{
    float b[W] = { fill, fill, fill, fill, fill, fill, fill, fill };
    memcpy(b, p, m * sizeof(float));
    return _mm256_loadu_ps(b);
}
static inline __m256 load_part_ps(const float *p, size_t m)
{
    return load_part_fill(p, m, 0.0f);
}
static inline __m256i load_part_epi32(const int32_t *p, size_t m)
{
    int32_t b[W] = { 0 };
    memcpy(b, p, m * sizeof(int32_t));
    return _mm256_loadu_si256((const __m256i *)b);
}
static inline void store_part_ps(float *p, size_t m, __m256 v)
{
    float b[W];
    _mm256_storeu_ps(b, v);
    memcpy(p, b, m * sizeof(float));
}

void dml_exp_f32_avx2(const float *x, size_t n, float *y)
{
    size_t j = 0;
    for (; j + W <= n; j += W)
        _mm256_storeu_ps(y + j, exp8(_mm256_loadu_ps(x + j)));
    if (j < n)
        store_part_ps(y + j, n - j, exp8(load_part_ps(x + j, n - j)));
}

/* Per-call constants.  A NULL side gets lo = +inf, hi = −inf: lo < s never
 * holds (not even for NaN), so it has no members and needs no branch. */
typedef struct lse_consts {
    __m256 a_p, b_p, lo_p, hi_p, a_n, b_n, lo_n, hi_n;
    __m256i c, iota;
    const float *s;
    const int32_t *labels;
    size_t skip;
} lse_consts;

/* Everything below handles lanes [j, j + 8) when full, else the tail
 * [j, j + m) with lm = lanes_below(m). */
static inline __m256 load_s(const lse_consts *K, size_t j, int full, size_t m)
{
    return full ? _mm256_loadu_ps(K->s + j) : load_part_ps(K->s + j, m);
}

/* Lanes whose label equals c, within lm. */
static inline __m256 label_eq(const lse_consts *K, size_t j, int full, size_t m, __m256i lm)
{
    __m256i lab;
    if (!K->labels)
        lab = _mm256_add_epi32(K->iota, _mm256_set1_epi32((int32_t)j));
    else if (full)
        lab = _mm256_loadu_si256((const __m256i *)(K->labels + j));
    else
        lab = load_part_epi32(K->labels + j, m);
    __m256i eq = _mm256_cmpeq_epi32(lab, K->c);
    return _mm256_castsi256_ps(full ? eq : _mm256_and_si256(eq, lm));
}

/* Membership of lanes j.. (within lm): *pm positives, *nm negatives, *eqm the
 * lanes labelled c; returns s. */
static inline __m256 members(const lse_consts *K, size_t j, int full, size_t m, __m256i lm, __m256 *eqm,
                             __m256 *pm, __m256 *nm)
{
    __m256 sv = load_s(K, j, full, m);
    __m256 eq = label_eq(K, j, full, m, lm);
    __m256 in = full ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : _mm256_castsi256_ps(lm);
    __m256 ne = _mm256_andnot_ps(eq, in);
    __m256 p = eq;
    if (K->skip - j < W)
        p = _mm256_andnot_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(
                                 K->iota, _mm256_set1_epi32((int32_t)(K->skip - j)))),
                             p);
    p = _mm256_and_ps(p, _mm256_and_ps(_mm256_cmp_ps(K->lo_p, sv, _CMP_LT_OQ),
                                       _mm256_cmp_ps(sv, K->hi_p, _CMP_LT_OQ)));
    __m256 q = _mm256_and_ps(ne, _mm256_and_ps(_mm256_cmp_ps(K->lo_n, sv, _CMP_LT_OQ),
                                               _mm256_cmp_ps(sv, K->hi_n, _CMP_LT_OQ)));
    *eqm = eq;
    *pm = p;
    *nm = q;
    return sv;
}

/* x where mask, else y: bitwise select with a precomputed xy = x ^ y
 * (2 simple ops where vblendvps takes 3 µops on recent Intel cores). */
static inline __m256 select_x(__m256 mask, __m256 xy, __m256 y)
{
    return _mm256_xor_ps(y, _mm256_and_ps(mask, xy));
}

static inline void pass_max(const lse_consts *K, size_t j, int full, size_t m, __m256i lm,
                            __m256 *mx_p, __m256 *mx_n, size_t *count, float *g)
{
    __m256 eq, pm, nm;
    __m256 sv = members(K, j, full, m, lm, &eq, &pm, &nm);
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    __m256 zp = _mm256_fmadd_ps(K->a_p, sv, K->b_p);
    __m256 zn = _mm256_fmadd_ps(K->a_n, sv, K->b_n);
    __m256 mem = _mm256_or_ps(pm, nm);
    /* z − inf for non-members: −inf, or NaN (z = +inf), which max(·, m)
     * ignores (the second operand is returned) — as the reference's z > zmax
     * ignores a NaN z. */
    *mx_p = _mm256_max_ps(_mm256_add_ps(zp, _mm256_andnot_ps(pm, ninf)), *mx_p);
    *mx_n = _mm256_max_ps(_mm256_add_ps(zn, _mm256_andnot_ps(nm, ninf)), *mx_n);
    *count += (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(mem));
    __m256 z = _mm256_blendv_ps(ninf, _mm256_blendv_ps(zn, zp, eq), mem);
    if (full)
        _mm256_storeu_ps(g + j, z);
    else
        store_part_ps(g + j, m, z);
}

static inline void pass_exp(const lse_consts *K, size_t j, int full, size_t m, __m256i lm,
                            __m256 sh_x, __m256 sh_n, __m256 *sum_p, __m256 *sum_n, float *g)
{
    /* Lanes past the tail read as −inf, like non-members: exp gives 0. */
    __m256 z = full ? _mm256_loadu_ps(g + j) : load_part_fill(g + j, m, -INFINITY);
    __m256 eq = label_eq(K, j, full, m, lm);
    __m256 e = exp8_lse(_mm256_sub_ps(z, select_x(eq, sh_x, sh_n)));
    *sum_p = _mm256_add_ps(*sum_p, _mm256_and_ps(eq, e));
    *sum_n = _mm256_add_ps(*sum_n, _mm256_andnot_ps(eq, e));
    if (full)
        _mm256_storeu_ps(g + j, e);
    else
        store_part_ps(g + j, m, e);
}

static inline void pass_scale(const lse_consts *K, size_t j, int full, size_t m, __m256i lm,
                              __m256 sc_x, __m256 sc_n, __m256 th_x, __m256 th_n, float *g)
{
    __m256 e = full ? _mm256_loadu_ps(g + j) : load_part_ps(g + j, m);
    __m256 eq = label_eq(K, j, full, m, lm);
    __m256 sc = select_x(eq, sc_x, sc_n);
    /* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
     * includes e = 0) become 0, and are zeroed before the multiply. */
    __m256 keep = _mm256_cmp_ps(e, select_x(eq, th_x, th_n), _CMP_NLT_UQ);
    __m256 w = _mm256_and_ps(_mm256_mul_ps(_mm256_and_ps(e, keep), sc), keep);
    if (full)
        _mm256_storeu_ps(g + j, w);
    else
        store_part_ps(g + j, m, w);
}

static inline float hmax8(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline float hsum8(__m256 v)
{
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

size_t dml_lse_f32_avx2(const float *s, size_t n, const int32_t *labels, int32_t c,
                        size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                        float out[2], float *g)
{
    const dml_lse_side *sides[2] = { pos, neg };
    lse_consts K;
    K.a_p = _mm256_set1_ps(pos ? pos->a : 0.0f);
    K.b_p = _mm256_set1_ps(pos ? pos->b : 0.0f);
    K.lo_p = _mm256_set1_ps(pos ? pos->lo : INFINITY);
    K.hi_p = _mm256_set1_ps(pos ? pos->hi : -INFINITY);
    K.a_n = _mm256_set1_ps(neg ? neg->a : 0.0f);
    K.b_n = _mm256_set1_ps(neg ? neg->b : 0.0f);
    K.lo_n = _mm256_set1_ps(neg ? neg->lo : INFINITY);
    K.hi_n = _mm256_set1_ps(neg ? neg->hi : -INFINITY);
    K.c = _mm256_set1_epi32(c);
    K.iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    K.s = s;
    K.labels = labels;
    K.skip = skip;

    const size_t nb = n - n % W, m = n % W;
    const __m256i tail = lanes_below(m);
    const __m256i all = _mm256_set1_epi32(-1);

    /* Pass 1: membership, max z per side, count; z parked in g. */
    __m256 mx_p = _mm256_set1_ps(-INFINITY), mx_n = mx_p;
    size_t count = 0;
    for (size_t j = 0; j < nb; j += W)
        pass_max(&K, j, 1, W, all, &mx_p, &mx_n, &count, g);
    if (nb < n)
        pass_max(&K, nb, 0, m, tail, &mx_p, &mx_n, &count, g);
    float zmax[2] = { hmax8(mx_p), hmax8(mx_n) };

    float shift[2], one[2]; /* one: the shifted "1 +" of LSE⁺ */
    for (int k = 0; k < 2; k++)
        lse_side_shift(sides[k], zmax[k], &shift[k], &one[k]);

    /* Pass 2: e = exp(z − shift) into g, sums per side.  A side without
     * members (shift −inf for plain LSE) subtracts 0 instead, so its lanes'
     * parked −inf gives exp(−inf) = 0 rather than exp(NaN). */
    const float sh[2] = { shift[0] == -INFINITY ? 0.0f : shift[0],
                          shift[1] == -INFINITY ? 0.0f : shift[1] };
    const __m256 sh_n = _mm256_set1_ps(sh[1]);
    const __m256 sh_x = _mm256_xor_ps(_mm256_set1_ps(sh[0]), sh_n);
    __m256 sum_p = _mm256_setzero_ps(), sum_n = _mm256_setzero_ps();
    for (size_t j = 0; j < nb; j += W)
        pass_exp(&K, j, 1, W, all, sh_x, sh_n, &sum_p, &sum_n, g);
    if (nb < n)
        pass_exp(&K, nb, 0, m, tail, sh_x, sh_n, &sum_p, &sum_n, g);
    float sum[2] = { one[0] + hsum8(sum_p), one[1] + hsum8(sum_n) };

    float lse[2], scale[2];
    for (int k = 0; k < 2; k++)
        lse_side_finish(sides[k], zmax[k], shift[k], sum[k], &lse[k], &scale[k]);

    /* Pass 3: weights. */
    const __m256 sc_n = _mm256_set1_ps(scale[1]);
    const __m256 sc_x = _mm256_xor_ps(_mm256_set1_ps(scale[0]), sc_n);
    const __m256 th_n = _mm256_set1_ps(dml_lse_weight_floor(scale[1]));
    const __m256 th_x = _mm256_xor_ps(_mm256_set1_ps(dml_lse_weight_floor(scale[0])), th_n);
    for (size_t j = 0; j < nb; j += W)
        pass_scale(&K, j, 1, W, all, sc_x, sc_n, th_x, th_n, g);
    if (nb < n)
        pass_scale(&K, nb, 0, m, tail, sc_x, sc_n, th_x, th_n, g);

    out[0] = lse[0];
    out[1] = lse[1];
    return count;
}
