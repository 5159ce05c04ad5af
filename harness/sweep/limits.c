/* limits.c — what each point of a study implies, checked when the study is
 * read (before any point runs): the memory it needs fits in what this
 * process may allocate, and (timing points) its first, pilot step — which
 * runs whole before max_seconds can cut the reps — fits in max_seconds.  A
 * study fails here with the point's line, not after running the points
 * before it (with a partial CSV left behind).  The estimates are in
 * point/cost.c and (a learning point's) train/limits.c. */
#include <stdio.h>

#include "point/cost.h"
#include "sweep/study.h"

static double learn_bytes(const sweep_point *p)
{
    return train_bytes(p->ls.H, p->sp.batch.D, p->sp.batch.M, p->ls.eval_limit);
}

static double kernel_bytes(const sweep_point *p)
{
    const batch_spec *b = &p->sp.batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D;
    return 4 * 2 * (M * D + C * D + M * C);
}

static double kernel_seconds(const sweep_point *p)
{
    const batch_spec *b = &p->sp.batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D;
    double rate = p->sp.isa == DML_ISA_REF ? 1e10 : 4e11; /* as point/cost.c */
    double ops = p->kernel == KER_GEMM ? 2 * M * C * D : p->kernel == KER_LSE ? 20 * M * C : 5 * M * D;
    return ops / rate + (M * D + C * D) / 2e8;
}

int point_limits(const sweep_point *p, const char *file, int line)
{
    int learn = p->kind == PK_TRAIN || p->kind == PK_BASELINE;
    double bytes = learn ? learn_bytes(p) : p->is_kernel ? kernel_bytes(p) : point_bytes(&p->sp);
    double avail = memory_available();
    char need[32], have[32];
    if (bytes > avail)
        return def_error(file, line, "a point (%s) needs about %s of memory, more than the %s this process may use",
                         p->key, bytes_text(bytes, need, sizeof need), bytes_text(avail, have, sizeof have));
    char err[300];
    if (learn && p->ls.eval_limit &&
        train_limits_check(train_default_data_dir(), (train_protocol)p->ls.protocol, p->ls.eval_limit, err, sizeof err))
        return def_error(file, line, "a point (%s): eval_limit %zu: %s", p->key, p->ls.eval_limit, err);
    if (learn) return 0;
    double t = p->is_kernel ? kernel_seconds(p) : point_step_seconds(&p->sp);
    if (t > p->max_seconds)
        return def_error(file, line, "a point (%s): its first step takes at least %.3g s, and max_seconds %g cannot "
                         "cut it short (raise max_seconds, or make the point smaller)", p->key, t, p->max_seconds);
    return 0;
}

/* The fit reads the loss rows of the fewest threads with M >= fit_min_M
 * (sweep/fit.c): without rows at two values of M it could only fail, after
 * the whole study ran. */
int fit_limits(const study *st, const char *file)
{
    if (st->fit_min_M <= 0) return 0;
    int thr = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->pts[i].kind == PK_LOSS && (!thr || st->pts[i].sp.threads < thr)) thr = st->pts[i].sp.threads;
    size_t lo = 0, hi = 0, top = 0;
    for (size_t i = 0; i < st->n; i++) {
        const sweep_point *p = &st->pts[i];
        if (p->kind != PK_LOSS || p->sp.threads != thr) continue;
        size_t M = p->sp.batch.M;
        if (M > top) top = M;
        if ((double)M < st->fit_min_M) continue;
        if (!lo || M < lo) lo = M;
        if (M > hi) hi = M;
    }
    if (!lo)
        return def_error(file, st->fit_line, "fit_min_M %g: no loss point of %d thread%s has M >= %g (the largest "
                         "M is %zu): the fit would have no rows", st->fit_min_M, thr, thr == 1 ? "" : "s",
                         st->fit_min_M, top);
    if (lo == hi)
        return def_error(file, st->fit_line, "fit_min_M %g: every loss point it fits has M = %zu: a slope needs "
                         "two values of M at least", st->fit_min_M, lo);
    return 0;
}
