/* gradstats_acc.h — the accumulators of the gradient statistics, shared by
 * the readers of a whole G (gradstats_sides.c, after an unfused step) and
 * the gatherers of the fused step's blocks (gradstats_blocks.c, during the
 * sweep), so that both add the same terms in the same way: with the blocks
 * taken in order on one thread they give the same bits. */
#ifndef DML_GRADSTATS_ACC_H
#define DML_GRADSTATS_ACC_H

#include <math.h>
#include <stddef.h>

#include "dml.h"

/* One anchor's members on one side: Σ|g|, max |g|, Σg², how many non-zero. */
typedef struct member_acc {
    double sum, max, sq;
    size_t n;
} member_acc;

/* One side over the anchors: Σ of top-1 shares and of effective counts. */
typedef struct side_acc {
    double top1, eff;
    size_t anchors;
} side_acc;

static inline void member_add(member_acc *m, float g)
{
    double a = fabs((double)g);
    if (a == 0.0)
        return;
    m->sum += a;
    m->sq += a * a;
    if (a > m->max) m->max = a;
    m->n++;
}

/* b's members after a's (a's sums first: the order of the columns). */
static inline void member_merge(member_acc *a, const member_acc *b)
{
    a->sum += b->sum;
    a->sq += b->sq;
    if (b->max > a->max) a->max = b->max;
    a->n += b->n;
}

static inline void side_close(side_acc *s, const member_acc *m)
{
    if (m->n < 2)
        return;
    s->top1 += m->max / m->sum;
    s->eff += m->sum * m->sum / m->sq;
    s->anchors++;
}

static inline void side_merge(side_acc *a, const side_acc *b)
{
    a->top1 += b->top1;
    a->eff += b->eff;
    a->anchors += b->anchors;
}

static inline double mean_or_nan(double v, size_t n)
{
    return n ? v / (double)n : NAN;
}

/* The means of both sides into out (pos_*, neg_*, the anchor counts). */
static inline void sides_out(dml_gradstats *out, const side_acc *pos, const side_acc *neg)
{
    out->pos_top1_share = mean_or_nan(pos->top1, pos->anchors);
    out->pos_eff_n = mean_or_nan(pos->eff, pos->anchors);
    out->neg_top1_share = mean_or_nan(neg->top1, neg->anchors);
    out->neg_eff_n = mean_or_nan(neg->eff, neg->anchors);
    out->pos_anchors = pos->anchors;
    out->neg_anchors = neg->anchors;
}

/* What one thread of a fused step gathers: both sides over its anchors, the
 * proxies' own view (col), the non-zero entries; when samples are the
 * anchors, each sample's members so far on each side (M each), since a
 * sample's row spans every thread's blocks. */
typedef struct dml_gs_part {
    side_acc pos, neg, col;
    double nonzero;
    member_acc *rp, *rn;
} dml_gs_part;

#endif
