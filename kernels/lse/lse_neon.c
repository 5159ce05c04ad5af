/* lse_neon.c — the vector helpers of the masked LSE⁺ kernel and the vector
 * exp for AArch64 Advanced SIMD: 4 lanes, membership in all-ones/all-zeros
 * vectors.  The passes are lse_driver.h's, exp is exp_vec.h's (the algorithm
 * of exp_poly.h).
 * NEON has no masked load: the tail goes through lse_copy_tail.h. */
#include <arm_neon.h>
#include <math.h>

#include "dml_kernels.h"

#define LSE_W 4
typedef float32x4_t lse_vf;
typedef int32x4_t lse_vi;

static inline float32x4_t lse_set1(float f) { return vdupq_n_f32(f); }
static inline float32x4_t lse_fma(float32x4_t a, float32x4_t b, float32x4_t c)
{
    return vfmaq_f32(c, a, b);
}
static inline float32x4_t lse_fnma(float32x4_t a, float32x4_t b, float32x4_t c)
{
    return vfmsq_f32(c, a, b);
}
static inline float32x4_t lse_add(float32x4_t a, float32x4_t b) { return vaddq_f32(a, b); }
static inline float32x4_t lse_sub(float32x4_t a, float32x4_t b) { return vsubq_f32(a, b); }
static inline float32x4_t lse_mul(float32x4_t a, float32x4_t b) { return vmulq_f32(a, b); }
/* FMAX/FMIN return NaN when either operand is NaN. */
static inline float32x4_t lse_max(float32x4_t a, float32x4_t b) { return vmaxq_f32(a, b); }
static inline float32x4_t lse_min(float32x4_t a, float32x4_t b) { return vminq_f32(a, b); }
static inline int32x4_t lse_bits(float32x4_t v) { return vreinterpretq_s32_f32(v); }
static inline float32x4_t lse_floats(int32x4_t v) { return vreinterpretq_f32_s32(v); }
static inline int32x4_t lse_iset1(int32_t i) { return vdupq_n_s32(i); }
static inline int32x4_t lse_iadd(int32x4_t a, int32x4_t b) { return vaddq_s32(a, b); }
static inline int32x4_t lse_isub(int32x4_t a, int32x4_t b) { return vsubq_s32(a, b); }
static inline int32x4_t lse_isra1(int32x4_t a) { return vshrq_n_s32(a, 1); }
static inline int32x4_t lse_ishl23(int32x4_t a) { return vshlq_n_s32(a, 23); }
static inline int32x4_t lse_iota(void)
{
    static const int32_t iota[LSE_W] = { 0, 1, 2, 3 };
    return vld1q_s32(iota);
}
#define lse_exp_scale(u, t, n) exp_vec_pow2_twice(u, t)
#include "exp_vec.h"

/* The LSE kernel's exp: results below exp(DML_EXP_LSE_LO) (≈1.65e-38, where
 * they would turn subnormal) are 0 — see exp_poly.h (the same on every ISA,
 * so every ISA gives the same weights). */
static inline float32x4_t lse_exp_member(float32x4_t x)
{
    const float32x4_t lo = vdupq_n_f32(DML_EXP_LSE_LO);
    uint32x4_t keep = vmvnq_u32(vcltq_f32(x, lo)); /* x ≥ lo or NaN */
    x = vminq_f32(vdupq_n_f32(DML_EXP_HI), vmaxq_f32(lo, x));
    return vreinterpretq_f32_u32(vandq_u32(keep, vreinterpretq_u32_f32(exp_vec_clamped(x))));
}

/* ------------------------------------------------------------ lanes */

typedef uint32x4_t lse_vm;
static inline float32x4_t lse_loadu(const float *p) { return vld1q_f32(p); }
static inline int32x4_t lse_loadu_i(const int32_t *p) { return vld1q_s32(p); }
static inline void lse_storeu(float *p, float32x4_t v) { vst1q_f32(p, v); }
static inline uint32x4_t lse_first(size_t m) { return vcltq_s32(lse_iota(), vdupq_n_s32((int32_t)m)); }
#include "lse_copy_tail.h"

/* ------------------------------------------------------------ masks */

static inline uint32x4_t lse_eq(int32x4_t lab, int32x4_t c, lse_lanes L)
{
    uint32x4_t eq = vceqq_s32(lab, c);
    return L.full ? eq : vandq_u32(eq, L.lm);
}
static inline uint32x4_t lse_ne(int32x4_t lab, int32x4_t c, uint32x4_t eq, lse_lanes L)
{
    (void)lab, (void)c;
    return L.full ? vmvnq_u32(eq) : vbicq_u32(L.lm, eq);
}
static inline uint32x4_t lse_drop_lane(uint32x4_t m, int32x4_t iota, size_t i)
{
    return vbicq_u32(m, vceqq_s32(iota, vdupq_n_s32((int32_t)i)));
}
/* vcltq is an ordered compare: false for NaN. */
static inline uint32x4_t lse_within(uint32x4_t m, float32x4_t lo, float32x4_t s, float32x4_t hi)
{
    return vandq_u32(m, vandq_u32(vcltq_f32(lo, s), vcltq_f32(s, hi)));
}

/* ------------------------------------------------------------ pass 1 */

/* FMAXNM ignores a (quiet) NaN z, as the reference's z > zmax does. */
static inline float32x4_t lse_max_in(float32x4_t mx, uint32x4_t m, float32x4_t z)
{
    return vmaxnmq_f32(mx, vbslq_f32(m, z, vdupq_n_f32(-INFINITY)));
}
static inline float32x4_t lse_park(uint32x4_t eq, uint32x4_t pm, uint32x4_t nm, float32x4_t zp,
                                   float32x4_t zn)
{
    (void)eq;
    return vbslq_f32(pm, zp, vbslq_f32(nm, zn, vdupq_n_f32(-INFINITY)));
}
typedef uint64x2_t lse_cnt;
static inline uint64x2_t lse_cnt_zero(void) { return vdupq_n_u64(0); }
static inline uint64x2_t lse_cnt_add(uint64x2_t c, uint32x4_t pm, uint32x4_t nm)
{
    return vpadalq_u32(c, vshrq_n_u32(vorrq_u32(pm, nm), 31));
}
static inline size_t lse_cnt_total(uint64x2_t c) { return (size_t)vaddvq_u64(c); }

/* ------------------------------------------------------------ passes 2, 3 */

static inline float32x4_t lse_select(uint32x4_t m, float32x4_t x, float32x4_t y)
{
    return vbslq_f32(m, x, y);
}
static inline void lse_sum_in(float32x4_t *sp, float32x4_t *sn, uint32x4_t eq, float32x4_t e)
{
    uint32x4_t eu = vreinterpretq_u32_f32(e);
    *sp = vaddq_f32(*sp, vreinterpretq_f32_u32(vandq_u32(eu, eq)));
    *sn = vaddq_f32(*sn, vreinterpretq_f32_u32(vbicq_u32(eu, eq)));
}
/* Entries whose weight would be subnormal (e < FLT_MIN / |scale|, which
 * includes e = 0) become 0, and are zeroed before the multiply. */
static inline float32x4_t lse_weight(float32x4_t e, float32x4_t sc, float32x4_t th)
{
    uint32x4_t keep = vmvnq_u32(vcltq_f32(e, th));
    float32x4_t ek = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(e), keep));
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vmulq_f32(ek, sc)), keep));
}

static inline float lse_hmax(float32x4_t v) { return vmaxnmvq_f32(v); }
static inline float lse_hsum(float32x4_t v) { return vaddvq_f32(v); }

#include "lse_driver.h"

DML_LSE_ENTRIES(neon)
