/* lse_driver.h — the masked LSE⁺ kernel and the vector exp, written once for
 * every SIMD ISA over that ISA's vector helpers (as gemm_driver.h is the GEMM
 * once over per-ISA micro-kernels; SLEEF's helper<isa>.h pattern).
 *
 * The algorithm is that of lse_ref.c (see dml.h for the contract), LSE_W
 * lanes at a time, membership held in lane masks:
 *   pass 1  membership (labels vs c, the skip index, lo < s < hi), z =
 *           fma(a, s, b) of the lane's side, the max of z per side and the
 *           member count; z is parked in g (−inf for non-members);
 *   pass 2  e = exp(z − shift of the lane's side) from the parked z — the one
 *           exp per entry; non-members give exp(−inf) = 0 — per-side sums,
 *           e stored in g;
 *   pass 3  g ·= coef / sum of its side.
 * Parking z means pass 2 needs only the labels, not s, the bounds or skip.
 * The final partial vector goes through the same arithmetic as the body with
 * the missing lanes masked off; nothing past n is read or written.
 *
 * The including file defines, besides what exp_vec.h asks for:
 *   LSE_W                    lanes of a vector;  lse_iota()  lanes 0, 1, … as int32
 *   lse_vm                   a set of lanes (vector mask or k-mask)
 *   lse_lanes                the live lanes of a block: lse_lanes_all(), or
 *                            the first m < LSE_W: lse_lanes_tail(m)
 *   lse_cnt                  the running member count
 *   lse_load(p, L), lse_load_fill(p, L, f), lse_store(p, L, v), lse_load_i(p, L)
 *                            live lanes only; dead ones read as 0 (or f)
 *   lse_eq(lab, c, L), lse_ne(lab, c, eq, L)   live lanes whose label is / is not c
 *   lse_drop_lane(m, iota, i)  m without lane i
 *   lse_within(m, lo, s, hi)   m and lo < s < hi (ordered: false for NaN)
 *   lse_max_in(mx, m, z)     max with z over the lanes of m, a NaN z ignored
 *   lse_park(eq, pm, nm, zp, zn)  zp on pm, zn on nm, −inf elsewhere
 *   lse_cnt_zero(), lse_cnt_add(c, pm, nm), lse_cnt_total(c)
 *   lse_select(m, x, y)      x on the lanes of m, else y
 *   lse_exp_member(w)        exp of w = z − shift ≤ 0, 0 below DML_EXP_LSE_LO
 *   lse_sum_in(&sp, &sn, eq, e)   e added to sp where eq, to sn elsewhere
 *   lse_weight(e, sc, th)    e · sc, 0 where e < th (exp_poly.h: no subnormal weight)
 *   lse_hmax(v), lse_hsum(v) across the lanes
 * then says DML_LSE_ENTRIES(isa) after this header. */
#ifndef DML_LSE_DRIVER_H
#define DML_LSE_DRIVER_H

#include <math.h>
#include <stdint.h>

#include "dml_kernels.h"
#include "lse_sides.h"

/* Everything per block is forced inline so that the body's "every lane
 * live" folds away, as it did when each ISA wrote its own loops. */
#define LSE_INLINE static inline __attribute__((always_inline))

/* Per-call constants.  A NULL side gets lo = +inf, hi = −inf: lo < s never
 * holds (not even for NaN), so it has no members and needs no branch. */
typedef struct lse_consts {
    lse_vf a_p, b_p, lo_p, hi_p, a_n, b_n, lo_n, hi_n;
    lse_vi c, iota;
    const float *s;
    const int32_t *labels;
    size_t skip;
} lse_consts;

LSE_INLINE void lse_consts_init(lse_consts *K, const float *s, const int32_t *labels,
                                int32_t c, size_t skip, const dml_lse_side *pos,
                                const dml_lse_side *neg)
{
    K->a_p = lse_set1(pos ? pos->a : 0.0f);
    K->b_p = lse_set1(pos ? pos->b : 0.0f);
    K->lo_p = lse_set1(pos ? pos->lo : INFINITY);
    K->hi_p = lse_set1(pos ? pos->hi : -INFINITY);
    K->a_n = lse_set1(neg ? neg->a : 0.0f);
    K->b_n = lse_set1(neg ? neg->b : 0.0f);
    K->lo_n = lse_set1(neg ? neg->lo : INFINITY);
    K->hi_n = lse_set1(neg ? neg->hi : -INFINITY);
    K->c = lse_iset1(c);
    K->iota = lse_iota();
    K->s = s;
    K->labels = labels;
    K->skip = skip;
}

/* A float for the lanes labelled c and one for the others. */
typedef struct lse_pair {
    lse_vf x, y;
} lse_pair;
LSE_INLINE lse_pair lse_pair_of(float x, float y) { return (lse_pair){ lse_set1(x), lse_set1(y) }; }
LSE_INLINE lse_vf lse_pick(lse_vm eq, lse_pair p) { return lse_select(eq, p.x, p.y); }

/* The labels of block j (labels NULL: label j is j).  `lab` says which, as
 * a constant: every pass runs its loop once per case (see LSE_BY_LABELS), so
 * neither loop carries the other's work or a branch. */
LSE_INLINE lse_vi lse_labels_at(const lse_consts *K, size_t j, lse_lanes L, int lab)
{
    if (lab)
        return lse_load_i(K->labels + j, L);
    return lse_iadd(K->iota, lse_iset1((int32_t)j));
}

LSE_INLINE lse_vm lse_label_eq(const lse_consts *K, size_t j, lse_lanes L, int lab)
{
    return lse_eq(lse_labels_at(K, j, L, lab), K->c, L);
}

/* Pass 1 on block j: members, their max z per side and count; z parked in g. */
LSE_INLINE void lse_block_max(const lse_consts *K, size_t j, lse_lanes L, int lab,
                              lse_vf mx[2], lse_cnt *count, float *g)
{
    lse_vf sv = lse_load(K->s + j, L);
    lse_vi lv = lse_labels_at(K, j, L, lab);
    lse_vm eq = lse_eq(lv, K->c, L), p = eq;
    if (K->skip - j < LSE_W)
        p = lse_drop_lane(p, K->iota, K->skip - j);
    lse_vm pm = lse_within(p, K->lo_p, sv, K->hi_p);
    lse_vm nm = lse_within(lse_ne(lv, K->c, eq, L), K->lo_n, sv, K->hi_n);
    lse_vf zp = lse_fma(K->a_p, sv, K->b_p);
    lse_vf zn = lse_fma(K->a_n, sv, K->b_n);
    mx[0] = lse_max_in(mx[0], pm, zp);
    mx[1] = lse_max_in(mx[1], nm, zn);
    *count = lse_cnt_add(*count, pm, nm);
    lse_store(g + j, L, lse_park(eq, pm, nm, zp, zn));
}

/* Pass 2 on block j: e = exp(z − shift of the lane's side), summed, into g.
 * Lanes past the tail read as −inf, like non-members: exp gives 0. */
LSE_INLINE void lse_block_exp(const lse_consts *K, size_t j, lse_lanes L, int lab, lse_pair sh,
                              lse_vf sum[2], float *g)
{
    lse_vf z = lse_load_fill(g + j, L, -INFINITY);
    lse_vm eq = lse_label_eq(K, j, L, lab);
    lse_vf e = lse_exp_member(lse_sub(z, lse_pick(eq, sh)));
    lse_sum_in(&sum[0], &sum[1], eq, e);
    lse_store(g + j, L, e);
}

/* Pass 3 on block j: the weights e · scale of the lane's side. */
LSE_INLINE void lse_block_scale(const lse_consts *K, size_t j, lse_lanes L, int lab,
                                lse_pair sc, lse_pair th, float *g)
{
    lse_vf e = lse_load(g + j, L);
    lse_vm eq = lse_label_eq(K, j, L, lab);
    lse_store(g + j, L, lse_weight(e, lse_pick(eq, sc), lse_pick(eq, th)));
}

/* A pass over the row: `block` on every full vector, then on the tail. */
#define LSE_ROW(block, lab, ...)                                                                   do {                                                                                               for (size_t j = 0; j < R->nb; j += LSE_W)                                                          block(R->K, j, lse_lanes_all(), lab, __VA_ARGS__);                                         if (R->nb < R->n)                                                                                  block(R->K, R->nb, R->tail, lab, __VA_ARGS__);                                         } while (0)
/* The row's loop once with labels, once without (the flag a constant in each). */
#define LSE_BY_LABELS(block, ...)                                                                  do {                                                                                               if (R->K->labels)                                                                                  LSE_ROW(block, 1, __VA_ARGS__);                                                            else                                                                                               LSE_ROW(block, 0, __VA_ARGS__);                                                        } while (0)

/* One row: its constants, full-vector count nb and tail lanes, computed once. */
typedef struct lse_row {
    const lse_consts *K;
    size_t n, nb;
    lse_lanes tail;
    float *g;
} lse_row;

/* Pass 1 over the row: zmax per side; returns the member count. */
LSE_INLINE size_t lse_pass_max(const lse_row *R, float zmax[2])
{
    lse_vf mx[2] = { lse_set1(-INFINITY), lse_set1(-INFINITY) };
    lse_cnt count = lse_cnt_zero();
    LSE_BY_LABELS(lse_block_max, mx, &count, R->g);
    zmax[0] = lse_hmax(mx[0]);
    zmax[1] = lse_hmax(mx[1]);
    return lse_cnt_total(count);
}

/* Pass 2 over the row: sum[k] = one[k] + Σ exp(z − shift[k]).  A side
 * without members (shift −inf for plain LSE) subtracts 0 instead, so its
 * lanes' parked −inf gives exp(−inf) = 0 rather than exp(NaN). */
LSE_INLINE void lse_pass_exp(const lse_row *R, const float shift[2], const float one[2],
                             float sum[2])
{
    const lse_pair sh = lse_pair_of(shift[0] == -INFINITY ? 0.0f : shift[0],
                                    shift[1] == -INFINITY ? 0.0f : shift[1]);
    lse_vf s[2] = { lse_set1(0.0f), lse_set1(0.0f) };
    LSE_BY_LABELS(lse_block_exp, sh, s, R->g);
    sum[0] = one[0] + lse_hsum(s[0]);
    sum[1] = one[1] + lse_hsum(s[1]);
}

/* Pass 3 over the row. */
LSE_INLINE void lse_pass_scale(const lse_row *R, const float scale[2])
{
    const lse_pair sc = lse_pair_of(scale[0], scale[1]);
    const lse_pair th = lse_pair_of(dml_lse_weight_floor(scale[0]),
                                    dml_lse_weight_floor(scale[1]));
    LSE_BY_LABELS(lse_block_scale, sc, th, R->g);
}

static size_t lse_drive(const float *s, size_t n, const int32_t *labels, int32_t c, size_t skip,
                        const dml_lse_side *pos, const dml_lse_side *neg, float out[2],
                        float *g)
{
    const dml_lse_side *sides[2] = { pos, neg };
    lse_consts K;
    lse_consts_init(&K, s, labels, c, skip, pos, neg);
    const lse_row R = { &K, n, n - n % LSE_W, lse_lanes_tail(n % LSE_W), g };

    float zmax[2], shift[2], one[2], sum[2], lse[2], scale[2]; /* one: the shifted "1 +" of LSE⁺ */
    size_t count = lse_pass_max(&R, zmax);
    for (int k = 0; k < 2; k++)
        lse_side_shift(sides[k], zmax[k], &shift[k], &one[k]);
    lse_pass_exp(&R, shift, one, sum);
    for (int k = 0; k < 2; k++)
        lse_side_finish(sides[k], zmax[k], shift[k], sum[k], &lse[k], &scale[k]);
    lse_pass_scale(&R, scale);
    out[0] = lse[0];
    out[1] = lse[1];
    return count;
}

/* y = exp(x) over every float: exp_vec_any, the tail through the same lanes. */
static void lse_exp_drive(const float *x, size_t n, float *y)
{
    size_t j = 0;
    for (; j + LSE_W <= n; j += LSE_W)
        lse_store(y + j, lse_lanes_all(), exp_vec_any(lse_load(x + j, lse_lanes_all())));
    if (j < n)
        lse_store(y + j, lse_lanes_tail(n - j),
                  exp_vec_any(lse_load(x + j, lse_lanes_tail(n - j))));
}

/* The public entries of an ISA file: DML_LSE_ENTRIES(avx2) defines
 * dml_lse_f32_avx2 and dml_exp_f32_avx2. */
#define DML_LSE_ENTRIES(isa)                                                                   \
    void dml_exp_f32_##isa(const float *x, size_t n, float *y)                                 \
    {                                                                                          \
        lse_exp_drive(x, n, y);                                                                \
    }                                                                                          \
    size_t dml_lse_f32_##isa(const float *s, size_t n, const int32_t *labels, int32_t c,       \
                             size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,    \
                             float out[2], float *g)                                           \
    {                                                                                          \
        return lse_drive(s, n, labels, c, skip, pos, neg, out, g);                             \
    }

#endif /* DML_LSE_DRIVER_H */
