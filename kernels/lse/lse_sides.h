/* lse_sides.h — the scalar steps between the passes of every masked LSE
 * kernel, written once for all ISAs: each side's shift before the exp pass,
 * and its lse value and weight scale after it. */
#ifndef DML_LSE_SIDES_H
#define DML_LSE_SIDES_H

#include <math.h>

#include "dml.h"

/* shift = max(0, max z) for LSE⁺ and max z for a plain LSE (so every
 * exp(z − shift) ≤ 1); one = exp(−shift), the shifted "1 +" of LSE⁺, 0 for
 * a plain LSE.  A NULL side gets 0 and 0. */
static inline void lse_side_shift(const dml_lse_side *sd, float zmax, float *shift, float *one)
{
    *shift = *one = 0.0f;
    if (!sd)
        return;
    *shift = sd->plus ? (zmax > 0.0f ? zmax : 0.0f) : zmax;
    *one = sd->plus ? expf(-*shift) : 0.0f;
}

/* From sum = one + Σ exp(z − shift): lse = shift + log(sum), and the scale
 * that turns exp(z − shift) into the weight coef·exp(z − lse).  A plain LSE
 * over an empty set is −inf with no weights; a NULL side gives 0 and 0. */
static inline void lse_side_finish(const dml_lse_side *sd, float zmax, float shift, float sum,
                                   float *lse, float *scale)
{
    *lse = *scale = 0.0f;
    if (!sd)
        return;
    if (!sd->plus && zmax == -INFINITY) {
        *lse = -INFINITY;
        return;
    }
    *lse = shift + logf(sum);
    *scale = sd->coef / sum;
}

#endif
