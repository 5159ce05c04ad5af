/* triplet_internal.h — what the two triplet algorithms (triplet.c enumerates,
 * triplet_sorted.c sorts and walks) share: the one hinge decision, and the
 * tally both return.  Exactness between them rests on the predicate below
 * being the only place the decision is made. */
#ifndef DML_TRIPLET_INTERNAL_H
#define DML_TRIPLET_INTERNAL_H

#include "dml_internal.h"

/* Is the triplet (a, p, n) active, v = d_ap − d_an + m > 0?  Evaluated in
 * float, left to right, exactly as written: FLT_EVAL_METHOD is 0 on x86-64
 * (SSE) and AArch64, and with no product in it -ffp-contract has nothing to
 * fuse, so every caller gets the same bits for the same inputs.
 *
 * Monotone, which is what lets the sorted algorithm replace the enumeration:
 * fl(d_ap − d_an) is non-increasing in d_an and non-decreasing in d_ap (a
 * correctly rounded operation is monotone in its exact result), and so is
 * fl(t + m) in t.  Hence for a fixed d_ap the active negatives are a prefix of
 * the negatives in ascending order of distance, and for a fixed d_an the
 * positives that activate it are a suffix of the positives in ascending order;
 * equal distances always get the same decision. */
static inline int dml_triplet_active(float d_ap, float d_an, float m)
{
    return (d_ap - d_an) + m > 0.0f;
}

/* The hinge value of an active triplet, the same float expression. */
static inline float dml_triplet_hinge(float d_ap, float d_an, float m)
{
    return (d_ap - d_an) + m;
}

/* What one pass over the anchors found: every valid triplet, the active ones
 * (K), and the sum of their hinges (in double). */
typedef struct dml_triplet_tally {
    double total, active, sum;
} dml_triplet_tally;

/* The sorted algorithm.  dist: the M×M distances; writes cnt (M×M), row a:
 * cnt[a][p] = #{n active with p} for each positive p, cnt[a][n] = −#{p active
 * with n} for each negative n, 0 elsewhere — the same numbers the enumeration
 * accumulates.  Per-thread scratch is the context's GEMM work buffer, free
 * between the products; dml_triplet_sorted_fits says whether it is enough. */
dml_triplet_tally dml_triplet_sorted_counts(dml_ctx *ctx, const float *dist, float m, float *cnt);
int dml_triplet_sorted_fits(size_t M);

#endif
