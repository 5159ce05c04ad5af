/* proxy_sample_step.c — the step of a loss with sampled proxies (proxy_sample
 * r < 1): draw the sample (proxy_sample.c), gather its rows of P into a
 * compact block and renumber the labels, run the ordinary step of the loss
 * on a context made for those n classes (the same ISA, threads and fused
 * form), then scatter its ∂L/∂P rows back and zero the rest (or, under
 * dml_loss_step_sgd, update those rows of P and leave the rest alone).  So the step is
 * exactly the library's loss on the gathered sub-problem, and a context at
 * full C holds only C bytes of marks (no M×C or C×D buffer).  The
 * sub-problem's context is remade only when n changes, which happens only
 * when a batch has more classes than ceil(r·C). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loss_table.h"

float dml_sample_ratio(const dml_params *p)
{
    for (const dml_param_info *d = dml_loss_params(p->loss); d && d->name; d++)
        if (d->type == DML_PARAM_RATIO)
            return *(const float *)(const void *)((const char *)p + d->offset);
    return 1.0f;
}

int dml_sampled_alloc(dml_ctx *ctx, const dml_params *p)
{
    size_t nmax = dml_sample_rows_max(ctx->M, ctx->C, ctx->sample_r), D = ctx->D;
    ctx->sub_params = *p;
    for (const dml_param_info *d = dml_loss_params(p->loss); d && d->name; d++)
        if (d->type == DML_PARAM_RATIO) /* the sub-problem is the whole of its n classes */
            *(float *)(void *)((char *)&ctx->sub_params + d->offset) = 1.0f;
    ctx->seen = malloc(ctx->C);
    ctx->sidx = malloc(nmax * sizeof(int32_t));
    ctx->sy = malloc(ctx->M * sizeof(int32_t));
    ctx->sP = malloc(nmax * D * sizeof(float));
    ctx->sdP = malloc(nmax * D * sizeof(float));
    return ctx->seen && ctx->sidx && ctx->sy && ctx->sP && ctx->sdP;
}

void dml_sampled_free(dml_ctx *ctx)
{
    dml_ctx_destroy(ctx->sub);
    free(ctx->sidx); free(ctx->sy); free(ctx->sP); free(ctx->sdP);
}

dml_status dml_ctx_set_sample_seed(dml_ctx *ctx, uint64_t seed)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    ctx->sample_seed = seed;
    ctx->sample_steps = 0;
    return dml_ok();
}

size_t dml_ctx_sample(const dml_ctx *ctx, const int32_t **idx, uint64_t *seed)
{
    int any = ctx && ctx->sample_r != 1.0f && ctx->sn;
    if (idx) *idx = any ? ctx->sidx : NULL;
    if (seed) *seed = any ? ctx->sample_last : 0;
    return any ? ctx->sn : 0;
}

/* The checks a sampled step makes before it draws; the sub-step checks X and
 * the gathered rows of P (so the rows not sampled are never read). */
static dml_status check_sampled(const dml_ctx *ctx, const dml_params *p, const float *X,
                                const int32_t *y, const float *P, const float *loss,
                                const float *dX, const float *dP)
{
    if (!ctx) return dml_fail(DML_ERR_NULL, "context is NULL");
    if (!X || !y || !P || !loss)
        return dml_fail(DML_ERR_NULL, "X, y, P and the loss output must not be NULL");
    if (ctx->loss != p->loss)
        return dml_fail(DML_ERR_SHAPE, "context was made for %s, called for %s",
                        dml_loss_name(ctx->loss), dml_loss_name(p->loss));
    float r = dml_sample_ratio(p);
    dml_status s = dml_check_ratio("proxy_sample", r);
    if (s != DML_OK) return s;
    if (r != ctx->sample_r)
        return dml_fail(DML_ERR_SHAPE, "context was made for proxy_sample = %g, called with %g",
                        (double)ctx->sample_r, (double)r);
    if ((dX == NULL) != (dP == NULL))
        return dml_fail(DML_ERR_NULL, "pass both dX and dP, or neither for the forward pass alone");
    return DML_OK;
}

/* The context of the sub-problem for n classes, made anew when n changed. */
static dml_status sub_for(dml_ctx *ctx, size_t n)
{
    if (ctx->sub && ctx->sub->C == n)
        return DML_OK;
    dml_ctx_destroy(ctx->sub);
    dml_status s;
    ctx->sub = dml_ctx_create_for(&ctx->sub_params, ctx->M, n, ctx->D, ctx->k->isa, ctx->threads, &s);
    if (!ctx->sub) return s;
    ctx->sub->gs_on = ctx->gs_on; /* the fused step gathers its statistics only when asked */
    return dml_ctx_set_fused(ctx->sub, ctx->fused);
}

/* Rows sidx of P into sP, and the labels renumbered (sidx is increasing). */
static void gather(dml_ctx *ctx, const float *P, const int32_t *y)
{
    const size_t n = ctx->sn, D = ctx->D;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t j = 0; j < n; j++)
        memcpy(ctx->sP + j * D, P + (size_t)ctx->sidx[j] * D, D * sizeof(float));
    for (size_t i = 0; i < ctx->M; i++) {
        size_t lo = 0, hi = n; /* the label is sampled: find its place */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (ctx->sidx[mid] <= y[i]) lo = mid; else hi = mid;
        }
        ctx->sy[i] = (int32_t)lo;
    }
}

/* ∂L/∂P: zero, then the sampled rows from the sub-problem, thread by slice. */
static void scatter(dml_ctx *ctx, float *dP)
{
    const size_t n = ctx->sn, D = ctx->D, C = ctx->C;
    const int T = ctx->threads;
#pragma omp parallel for num_threads(T) schedule(static) if (T > 1)
    for (int t = 0; t < T; t++) {
        size_t lo = C * (size_t)t / (size_t)T, hi = C * (size_t)(t + 1) / (size_t)T;
        memset(dP + lo * D, 0, (hi - lo) * D * sizeof(float));
    }
#pragma omp parallel for num_threads(T) schedule(static) if (T > 1)
    for (size_t j = 0; j < n; j++)
        memcpy(dP + (size_t)ctx->sidx[j] * D, ctx->sdP + j * D, D * sizeof(float));
}

/* dml_loss_step_sgd's update: P −= lr·∂L/∂P on the sampled rows alone, the
 * bits of scatter() then the dense update (a row not sampled would get
 * P − lr·0 = P), without the C×D write of zeros that dominates a step at
 * small r (docs/scale.md). */
static void update_sampled(dml_ctx *ctx)
{
    const size_t n = ctx->sn, D = ctx->D;
    const float lr = ctx->sgd_lr;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t j = 0; j < n; j++) {
        float *p = ctx->sgd_P + (size_t)ctx->sidx[j] * D;
        const float *g = ctx->sdP + j * D;
        for (size_t k = 0; k < D; k++) p[k] -= lr * g[k];
    }
}

/* A non-finite proxy, named by its row of P rather than of the sample. */
static dml_status name_row(const dml_ctx *ctx, dml_status s)
{
    for (size_t j = 0; j < ctx->sn; j++)
        for (size_t k = 0; k < ctx->D; k++)
            if (!isfinite(ctx->sP[j * ctx->D + k]))
                return dml_fail(DML_ERR_NONFINITE, "P[%d][%zu] = %g is not finite", (int)ctx->sidx[j],
                                k, (double)ctx->sP[j * ctx->D + k]);
    return s; /* it was X: the sub-step's message is right */
}

dml_status dml_sampled_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                            const float *P, float *loss, float *dX, float *dP)
{
    dml_status s = check_sampled(ctx, p, X, y, P, loss, dX, dP);
    if (s != DML_OK) return s;
    double t0 = dml_now_ns();
    uint64_t seed = dml_sample_step_seed(ctx->sample_seed, ctx->sample_steps);
    size_t n = dml_proxy_sample(y, ctx->M, ctx->C, ctx->sample_r, seed, ctx->seen, ctx->sidx);
    if (n == 0) return DML_ERR_LABEL; /* r was checked: a label is outside [0, C) */
    if ((s = sub_for(ctx, n)) != DML_OK) return s;
    ctx->sn = n;
    gather(ctx, P, y);
    double tg = dml_now_ns();
    const dml_loss_row *row = dml_loss_row_of(p->loss);
    s = row->step(ctx->sub, &ctx->sub_params, X, ctx->sy, ctx->sP, loss, dX, dX ? ctx->sdP : NULL);
    if (s != DML_OK) {
        ctx->sn = 0;
        return s == DML_ERR_NONFINITE ? name_row(ctx, s) : s;
    }
    double ts = dml_now_ns();
    if (dX && ctx->sgd_P) update_sampled(ctx);
    else if (dX) scatter(ctx, dP);
    /* The phases: the sub-step's, with the draw and gather in the forward
     * and the scatter in the backward. */
    ctx->fwd_ns = ctx->sub->fwd_ns + (tg - t0);
    ctx->bwd_ns = ctx->sub->bwd_ns + (dX ? dml_now_ns() - ts : 0);
    ctx->fwd_flops = ctx->sub->fwd_flops, ctx->bwd_flops = ctx->sub->bwd_flops;
    ctx->has_grad = ctx->sub->has_grad;
    ctx->sample_last = seed;
    ctx->sample_steps++;
    return dml_ok();
}
