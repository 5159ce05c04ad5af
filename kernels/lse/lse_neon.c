/* lse_neon.c — masked LSE⁺ and vector exp, AArch64 Advanced SIMD.
 *
 * The algorithm is that of lse_ref.c (see dml.h for the contract), 4 lanes at
 * a time, with membership held in all-ones/all-zeros vector masks:
 *   pass 1  membership (labels vs c, the skip index, lo < s < hi), z =
 *           fma(a, s, b) of the lane's side, the max of z per side and the
 *           member count; z is parked in g (−inf for non-members);
 *   pass 2  e = exp(z − shift of the lane's side) from the parked z — the one
 *           exp per entry; non-members give 0 — per-side sums, e stored in g;
 *   pass 3  g ·= coef / sum of its side.
 * NEON has no masked load: the final partial vector (n mod 4 lanes) is copied
 * into a local vector, goes through the same arithmetic as the body with the
 * missing lanes masked off, and only its valid lanes are copied back — nothing
 * past n is read or written.  exp is the algorithm of exp_poly.h. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "dml_kernels.h"
#include "exp_poly.h"
#include "lse_sides.h"

#define W 4

/* exp of x already clamped to [lo, DML_EXP_HI] (NaN allowed), lo ≥ DML_EXP_LO. */
static inline float32x4_t exp4_clamped(float32x4_t x)
{
    const float32x4_t magic = vdupq_n_f32(DML_EXP_MAGIC);
    float32x4_t t = vfmaq_f32(magic, x, vdupq_n_f32(DML_EXP_LOG2E));
    float32x4_t n = vsubq_f32(t, magic);
    int32x4_t q = vsubq_s32(vreinterpretq_s32_f32(t), vdupq_n_s32(DML_EXP_MAGIC_BITS));
    float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(DML_EXP_LN2_HI));
    r = vfmsq_f32(r, n, vdupq_n_f32(DML_EXP_LN2_LO));
    float32x4_t u = vdupq_n_f32(DML_EXP_P0);
    u = vfmaq_f32(vdupq_n_f32(DML_EXP_P1), u, r);
    u = vfmaq_f32(vdupq_n_f32(DML_EXP_P2), u, r);
    u = vfmaq_f32(vdupq_n_f32(DML_EXP_P3), u, r);
    u = vfmaq_f32(vdupq_n_f32(DML_EXP_P4), u, r);
    u = vfmaq_f32(vdupq_n_f32(DML_EXP_P5), u, r);
    u = vaddq_f32(vdupq_n_f32(1.0f), vfmaq_f32(r, vmulq_f32(r, r), u));
    /* u · 2^q1 · 2^q2, q1 = q >> 1, q2 = q − q1 ∈ [−75, 64]: the first product
     * is exact, the second rounds once (subnormals right, overflow to inf). */
    int32x4_t q1 = vshrq_n_s32(q, 1);
    int32x4_t q2 = vsubq_s32(q, q1);
    const int32x4_t bias = vdupq_n_s32(127);
    float32x4_t p1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(q1, bias), 23));
    float32x4_t p2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(q2, bias), 23));
    return vmulq_f32(vmulq_f32(u, p1), p2);
}

/* exp over every float: FMAX/FMIN return NaN when either operand is NaN, so
 * NaN passes the clamp; ±inf and far-out x clamp. */
static inline float32x4_t exp4(float32x4_t x)
{
    x = vmaxq_f32(vdupq_n_f32(DML_EXP_LO), x);
    return exp4_clamped(vminq_f32(vdupq_n_f32(DML_EXP_HI), x));
}

/* The LSE kernel's exp: results below exp(DML_EXP_LSE_LO) (≈1.65e-38, where
 * they would turn subnormal) are 0 — see exp_poly.h (the same on every ISA,
 * so every ISA gives the same weights). */
static inline float32x4_t exp4_lse(float32x4_t x)
{
    const float32x4_t lo = vdupq_n_f32(DML_EXP_LSE_LO);
    uint32x4_t keep = vmvnq_u32(vcltq_f32(x, lo)); /* x ≥ lo or NaN */
    x = vminq_f32(vdupq_n_f32(DML_EXP_HI), vmaxq_f32(lo, x));
    return vreinterpretq_f32_u32(vandq_u32(keep, vreinterpretq_u32_f32(exp4_clamped(x))));
}

/* The first m < 4 elements at p as a vector (the rest `fill`), and back. */
static inline float32x4_t load_part_fill(const float *p, size_t m, float fill)
{
    float b[W] = { fill, fill, fill, fill };
    memcpy(b, p, m * sizeof(float));
    return vld1q_f32(b);
}
static inline float32x4_t load_part_f32(const float *p, size_t m)
{
    return load_part_fill(p, m, 0.0f);
}
static inline int32x4_t load_part_s32(const int32_t *p, size_t m)
{
    int32_t b[W] = { 0 };
    memcpy(b, p, m * sizeof(int32_t));
    return vld1q_s32(b);
}
static inline void store_part_f32(float *p, size_t m, float32x4_t v)
{
    float b[W];
    vst1q_f32(b, v);
    memcpy(p, b, m * sizeof(float));
}

/* Lanes [0, m) set, m ∈ [0, 4]. */
static inline uint32x4_t lanes_below(size_t m)
{
    static const int32_t iota[W] = { 0, 1, 2, 3 };
    return vcltq_s32(vld1q_s32(iota), vdupq_n_s32((int32_t)m));
}

void dml_exp_f32_neon(const float *x, size_t n, float *y)
{
    size_t j = 0;
    for (; j + W <= n; j += W)
        vst1q_f32(y + j, exp4(vld1q_f32(x + j)));
    if (j < n)
        store_part_f32(y + j, n - j, exp4(load_part_f32(x + j, n - j)));
}

/* Per-call constants.  A NULL side gets lo = +inf, hi = −inf: lo < s never
 * holds (not even for NaN), so it has no members and needs no branch. */
typedef struct lse_consts {
    float32x4_t a_p, b_p, lo_p, hi_p, a_n, b_n, lo_n, hi_n;
    int32x4_t c, iota;
    const float *s;
    const int32_t *labels;
    size_t skip;
} lse_consts;

/* Everything below handles lanes [j, j + 4) when full, else the tail
 * [j, j + m) with lm = lanes_below(m). */
static inline uint32x4_t label_eq(const lse_consts *K, size_t j, int full, size_t m,
                                  uint32x4_t lm)
{
    int32x4_t lab;
    if (!K->labels)
        lab = vaddq_s32(K->iota, vdupq_n_s32((int32_t)j));
    else if (full)
        lab = vld1q_s32(K->labels + j);
    else
        lab = load_part_s32(K->labels + j, m);
    uint32x4_t eq = vceqq_s32(lab, K->c);
    return full ? eq : vandq_u32(eq, lm);
}

static inline float32x4_t members(const lse_consts *K, size_t j, int full, size_t m,
                                  uint32x4_t lm, uint32x4_t *eqm, uint32x4_t *pm,
                                  uint32x4_t *nm)
{
    float32x4_t sv = full ? vld1q_f32(K->s + j) : load_part_f32(K->s + j, m);
    uint32x4_t eq = label_eq(K, j, full, m, lm);
    uint32x4_t ne = full ? vmvnq_u32(eq) : vbicq_u32(lm, eq);
    uint32x4_t p = eq;
    if (K->skip - j < W)
        p = vbicq_u32(p, vceqq_s32(K->iota, vdupq_n_s32((int32_t)(K->skip - j))));
    /* vcltq is an ordered compare: false for NaN. */
    p = vandq_u32(p, vandq_u32(vcltq_f32(K->lo_p, sv), vcltq_f32(sv, K->hi_p)));
    uint32x4_t q = vandq_u32(ne, vandq_u32(vcltq_f32(K->lo_n, sv), vcltq_f32(sv, K->hi_n)));
    *eqm = eq;
    *pm = p;
    *nm = q;
    return sv;
}

static inline void pass_max(const lse_consts *K, size_t j, int full, size_t m, uint32x4_t lm,
                            float32x4_t *mx_p, float32x4_t *mx_n, uint64x2_t *count, float *g)
{
    uint32x4_t eq, pm, nm;
    float32x4_t sv = members(K, j, full, m, lm, &eq, &pm, &nm);
    const float32x4_t ninf = vdupq_n_f32(-INFINITY);
    float32x4_t zp = vbslq_f32(pm, vfmaq_f32(K->b_p, K->a_p, sv), ninf);
    float32x4_t zn = vbslq_f32(nm, vfmaq_f32(K->b_n, K->a_n, sv), ninf);
    /* FMAXNM ignores a (quiet) NaN z, as the reference's z > zmax does. */
    *mx_p = vmaxnmq_f32(*mx_p, zp);
    *mx_n = vmaxnmq_f32(*mx_n, zn);
    *count = vpadalq_u32(*count, vshrq_n_u32(vorrq_u32(pm, nm), 31));
    float32x4_t z = vbslq_f32(pm, zp, zn); /* −inf for non-members */
    if (full)
        vst1q_f32(g + j, z);
    else
        store_part_f32(g + j, m, z);
}

static inline void pass_exp(const lse_consts *K, size_t j, int full, size_t m, uint32x4_t lm,
                            float32x4_t sh_p, float32x4_t sh_n, float32x4_t *sum_p,
                            float32x4_t *sum_n, float *g)
{
    /* Lanes past the tail read as −inf, like non-members: exp gives 0. */
    float32x4_t z = full ? vld1q_f32(g + j) : load_part_fill(g + j, m, -INFINITY);
    uint32x4_t eq = label_eq(K, j, full, m, lm);
    float32x4_t e = exp4_lse(vsubq_f32(z, vbslq_f32(eq, sh_p, sh_n)));
    uint32x4_t eu = vreinterpretq_u32_f32(e);
    *sum_p = vaddq_f32(*sum_p, vreinterpretq_f32_u32(vandq_u32(eu, eq)));
    *sum_n = vaddq_f32(*sum_n, vreinterpretq_f32_u32(vbicq_u32(eu, eq)));
    if (full)
        vst1q_f32(g + j, e);
    else
        store_part_f32(g + j, m, e);
}

static inline void pass_scale(const lse_consts *K, size_t j, int full, size_t m, uint32x4_t lm,
                              float32x4_t sc_p, float32x4_t sc_n, float32x4_t th_p,
                              float32x4_t th_n, float *g)
{
    float32x4_t e = full ? vld1q_f32(g + j) : load_part_f32(g + j, m);
    uint32x4_t eq = label_eq(K, j, full, m, lm);
    float32x4_t sc = vbslq_f32(eq, sc_p, sc_n);
    /* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
     * includes e = 0) become 0, and are zeroed before the multiply. */
    uint32x4_t keep = vmvnq_u32(vcltq_f32(e, vbslq_f32(eq, th_p, th_n)));
    float32x4_t ek = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(e), keep));
    float32x4_t w = vreinterpretq_f32_u32(
        vandq_u32(vreinterpretq_u32_f32(vmulq_f32(ek, sc)), keep));
    if (full)
        vst1q_f32(g + j, w);
    else
        store_part_f32(g + j, m, w);
}

size_t dml_lse_f32_neon(const float *s, size_t n, const int32_t *labels, int32_t c,
                        size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                        float out[2], float *g)
{
    static const int32_t iota[W] = { 0, 1, 2, 3 };
    const dml_lse_side *sides[2] = { pos, neg };
    lse_consts K;
    K.a_p = vdupq_n_f32(pos ? pos->a : 0.0f);
    K.b_p = vdupq_n_f32(pos ? pos->b : 0.0f);
    K.lo_p = vdupq_n_f32(pos ? pos->lo : INFINITY);
    K.hi_p = vdupq_n_f32(pos ? pos->hi : -INFINITY);
    K.a_n = vdupq_n_f32(neg ? neg->a : 0.0f);
    K.b_n = vdupq_n_f32(neg ? neg->b : 0.0f);
    K.lo_n = vdupq_n_f32(neg ? neg->lo : INFINITY);
    K.hi_n = vdupq_n_f32(neg ? neg->hi : -INFINITY);
    K.c = vdupq_n_s32(c);
    K.iota = vld1q_s32(iota);
    K.s = s;
    K.labels = labels;
    K.skip = skip;

    const size_t nb = n - n % W, m = n % W;
    const uint32x4_t tail = lanes_below(m), all = vdupq_n_u32(0xFFFFFFFFu);

    /* Pass 1: membership, max z per side, count; z parked in g. */
    float32x4_t mx_p = vdupq_n_f32(-INFINITY), mx_n = mx_p;
    uint64x2_t cnt = vdupq_n_u64(0);
    for (size_t j = 0; j < nb; j += W)
        pass_max(&K, j, 1, W, all, &mx_p, &mx_n, &cnt, g);
    if (nb < n)
        pass_max(&K, nb, 0, m, tail, &mx_p, &mx_n, &cnt, g);
    const size_t count = (size_t)vaddvq_u64(cnt);
    float zmax[2] = { vmaxnmvq_f32(mx_p), vmaxnmvq_f32(mx_n) };

    float shift[2], one[2]; /* one: the shifted "1 +" of LSE⁺ */
    for (int k = 0; k < 2; k++)
        lse_side_shift(sides[k], zmax[k], &shift[k], &one[k]);

    /* Pass 2: e = exp(z − shift) into g, sums per side.  A side without
     * members (shift −inf for plain LSE) subtracts 0 instead, so its lanes'
     * parked −inf gives exp(−inf) = 0 rather than exp(NaN). */
    const float32x4_t sh_p = vdupq_n_f32(shift[0] == -INFINITY ? 0.0f : shift[0]);
    const float32x4_t sh_n = vdupq_n_f32(shift[1] == -INFINITY ? 0.0f : shift[1]);
    float32x4_t sum_p = vdupq_n_f32(0.0f), sum_n = vdupq_n_f32(0.0f);
    for (size_t j = 0; j < nb; j += W)
        pass_exp(&K, j, 1, W, all, sh_p, sh_n, &sum_p, &sum_n, g);
    if (nb < n)
        pass_exp(&K, nb, 0, m, tail, sh_p, sh_n, &sum_p, &sum_n, g);
    float sum[2] = { one[0] + vaddvq_f32(sum_p), one[1] + vaddvq_f32(sum_n) };

    float lse[2], scale[2];
    for (int k = 0; k < 2; k++)
        lse_side_finish(sides[k], zmax[k], shift[k], sum[k], &lse[k], &scale[k]);

    /* Pass 3: weights. */
    const float32x4_t sc_p = vdupq_n_f32(scale[0]), sc_n = vdupq_n_f32(scale[1]);
    const float32x4_t th_p = vdupq_n_f32(dml_lse_weight_floor(scale[0]));
    const float32x4_t th_n = vdupq_n_f32(dml_lse_weight_floor(scale[1]));
    for (size_t j = 0; j < nb; j += W)
        pass_scale(&K, j, 1, W, all, sc_p, sc_n, th_p, th_n, g);
    if (nb < n)
        pass_scale(&K, nb, 0, m, tail, sc_p, sc_n, th_p, th_n, g);

    out[0] = lse[0];
    out[1] = lse[1];
    return count;
}
