/* point.c — one measured point: a batch, warm-up, repeated forward+backward
 * steps, timing statistics and the gradient statistics of the last step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int params_set(dml_params *p, const char *name, const char *value, char *err, size_t errlen)
{
    float v = 0;
    long iv = 0;
    int is_flag = !strcmp(name, "include_positive") || !strcmp(name, "mine");
    if (is_flag ? parse_int(value, 0, 1, &iv) : parse_float(value, &v)) {
        int known = is_flag || !strcmp(name, "alpha") || !strcmp(name, "delta") ||
                    !strcmp(name, "scale") || !strcmp(name, "beta") || !strcmp(name, "base") ||
                    !strcmp(name, "epsilon") || !strcmp(name, "margin");
        if (!known)
            return 2;
        snprintf(err, errlen, "%s: '%s' is not a %s", name, value,
                 is_flag ? "flag (0 or 1)" : "finite number");
        return 1;
    }
    /* A parameter that belongs to another loss is accepted and ignored, so
     * one sweep definition can vary a shared knob for every loss. */
    switch (p->loss) {
    case DML_LOSS_PROXY_ANCHOR:
        if (!strcmp(name, "alpha")) p->u.pa.alpha = v;
        else if (!strcmp(name, "delta")) p->u.pa.delta = v;
        break;
    case DML_LOSS_PROXY_NCA:
        if (!strcmp(name, "scale")) p->u.nca.scale = v;
        else if (!strcmp(name, "include_positive")) p->u.nca.include_positive = (int)iv;
        break;
    case DML_LOSS_MS:
        if (!strcmp(name, "alpha")) p->u.ms.alpha = v;
        else if (!strcmp(name, "beta")) p->u.ms.beta = v;
        else if (!strcmp(name, "base")) p->u.ms.base = v;
        else if (!strcmp(name, "epsilon")) p->u.ms.epsilon = v;
        else if (!strcmp(name, "mine")) p->u.ms.mine = (int)iv;
        break;
    case DML_LOSS_TRIPLET:
        if (!strcmp(name, "margin")) p->u.triplet.margin = v;
        break;
    default: break;
    }
    if (!strcmp(name, "alpha") || !strcmp(name, "delta") || !strcmp(name, "scale") ||
        !strcmp(name, "beta") || !strcmp(name, "base") || !strcmp(name, "epsilon") ||
        !strcmp(name, "margin") || is_flag)
        return 0;
    return 2;
}

int point_run(const point_spec *sp, point_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (sp->reps < 1) {
        snprintf(err, errlen, "reps must be at least 1");
        return 1;
    }
    batch b;
    if (batch_make(&sp->batch, &b, err, errlen))
        return 1;
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(sp->params.loss, b.M, b.C, b.D, sp->isa, sp->threads, &st);
    int proxies = dml_loss_has_proxies(sp->params.loss);
    float *dX = malloc(b.M * b.D * sizeof(float));
    float *dP = proxies ? malloc(b.C * b.D * sizeof(float)) : NULL;
    size_t n = (size_t)sp->reps;
    double *t = malloc(4 * n * sizeof(double));
    int rc = 1;
    if (!ctx) {
        snprintf(err, errlen, "%s", lib_error(st));
        goto out;
    }
    if (!dX || (proxies && !dP) || !t) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    float loss = 0;
    for (int r = -sp->warmup; r < sp->reps; r++) {
        double c0 = thread_cpu_ns(), w0 = now_ns();
        st = dml_loss_step(ctx, &sp->params, b.X, b.y, b.P, &loss, dX, dP);
        COMPILER_BARRIER();
        double w1 = now_ns(), c1 = thread_cpu_ns();
        if (st != DML_OK) {
            snprintf(err, errlen, "%s", lib_error(st));
            goto out;
        }
        if (r >= 0) {
            double f, bw;
            dml_ctx_phase_ns(ctx, &f, &bw);
            t[r] = f; t[n + r] = bw; t[2 * n + r] = w1 - w0; t[3 * n + r] = c1 - c0;
        }
    }
    res->loss = loss;
    res->fwd_ns = stats_of(t, n);
    res->bwd_ns = stats_of(t + n, n);
    res->total_ns = stats_of(t + 2 * n, n);
    res->cpu_ns = stats_of(t + 3 * n, n);
    dml_ctx_flops(ctx, &res->fwd_flops, &res->bwd_flops);
    res->isa = dml_ctx_isa(ctx);
    res->threads = dml_ctx_threads(ctx);
    st = dml_ctx_gradstats(ctx, dX, dP, &res->gs);
    if (st != DML_OK) {
        snprintf(err, errlen, "%s", lib_error(st));
        goto out;
    }
    rc = 0;
out:
    free(t); free(dX); free(dP);
    dml_ctx_destroy(ctx);
    batch_free(&b);
    return rc;
}
