/* point.c — one measured point: a batch, warm-up, repeated forward+backward
 * steps, timing statistics and the gradient statistics of the last step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memuse.h"
#include "core/timing.h"
#include "point/cost.h"
#include "point/point.h"
#include "point/precision.h"

void point_spec_default(point_spec *sp, dml_loss loss)
{
    memset(sp, 0, sizeof *sp);
    sp->params = dml_params_default(loss);
    sp->batch = (batch_spec){ .M = 180, .C = 100, .D = 512, .per_class = 5, .noise = 2.5f,
                              .proxy_noise = 1.0f, .seed = 1 };
    sp->reps = 20;
    sp->warmup = 2;
    sp->isa = DML_ISA_AUTO;
    sp->threads = 1;
    sp->fused = -1; /* the sweep has no fused key: its points follow DML_FUSED */
}

int point_fused(const point_spec *sp)
{
    if (sp->fused >= 0) return sp->fused;
    const char *v = getenv("DML_FUSED");
    return !(v && strcmp(v, "0") == 0);
}

/* The point's batch: its loss's proxies a class (0, a pair loss: one). */
static batch_spec point_batch(const point_spec *sp)
{
    batch_spec bs = sp->batch;
    bs.K = dml_proxy_rows(&sp->params, 1);
    return bs;
}

/* A kept batch that is not this point's is freed first; one that is counts
 * as memory the point already has. */
int point_fits(const point_spec *sp, char *err, size_t errlen)
{
    const batch_spec *bs = &sp->batch;
    batch_spec mine = point_batch(sp);
    double kept = batch_kept_for(&mine);
    dml_loss l = sp->params.loss;
    double pd = (double)dml_proxy_rows(&sp->params, bs->C) * (double)bs->D * sizeof(float);
    double need = point_bytes(sp) - kept; /* point/cost.c: the batch, the gradients, the library's context */
    char why[64];
    double avail = mem_available_bytes(why, sizeof why);
    if (avail <= 0 || need <= avail) return 0;
    snprintf(err, errlen, "%s M=%zu C=%zu D=%zu needs about %.2f GB (P and its gradient %.2f GB), "
             "%s leaves %.2f GB: refused before it starts", dml_loss_name(l), bs->M, bs->C, bs->D,
             (need + kept) / 1e9, 2 * pd / 1e9, why, (avail + kept) / 1e9);
    return 1;
}

/* The batch and a context for it; on failure nothing is left allocated. */
static int point_setup(const point_spec *sp, batch *b, dml_ctx **ctx, char *err, size_t errlen)
{
    if (point_fits(sp, err, errlen))
        return 1;
    batch_spec bs = point_batch(sp);
    if (batch_make(&bs, b, err, errlen))
        return 1;
    if (precision_copy(&sp->params, b->P, b->P ? b->C * b->K * b->D : 0, &b->P16, err, errlen)) {
        batch_free(b);
        return 1;
    }
    dml_status st;
    *ctx = dml_ctx_create_for(&sp->params, b->M, b->C, b->D, sp->isa, sp->threads, &st);
    if (*ctx) /* sampled proxies: each point's draws follow from its seed */
        dml_ctx_set_sample_seed(*ctx, bs.seed);
    if (*ctx && sp->fused >= 0 && (st = dml_ctx_set_fused(*ctx, sp->fused)) != DML_OK) {
        dml_ctx_destroy(*ctx);
        *ctx = NULL;
    }
    if (*ctx) return 0;
    snprintf(err, errlen, "%s", lib_error(st));
    batch_free(b);
    return 1;
}

/* One timed step: its phase times are kept once the warm-up is over. */
typedef struct step_call {
    dml_ctx *ctx;
    const dml_params *params;
    const batch *b;
    float *dX, *dP, loss;
    double *fwd, *bwd;
    int warmup, calls;
    dml_status st;
} step_call;

static int one_step(void *arg)
{
    step_call *s = arg;
    s->st = precision_step(s->ctx, s->params, s->b->X, s->b->y, s->b->P, s->b->P16, &s->loss,
                           s->dX, s->dP);
    if (s->st != DML_OK) return 1;
    int i = s->calls++ - s->warmup;
    if (i >= 0) dml_ctx_phase_ns(s->ctx, &s->fwd[i], &s->bwd[i]);
    return 0;
}

/* The pilot (budget_s > 0): one untimed step, then the reps and warm-up
 * steps that budget_s allows, the pilot counted as the first warm-up: it
 * warms the same context and batch the timed steps run on. */
static int pilot(const point_spec *sp, step_call *s, int *reps, int *warmup)
{
    *reps = sp->reps;
    *warmup = sp->warmup;
    if (!(sp->budget_s > 0)) return 0;
    s->warmup = 1; /* one_step keeps no time of it */
    double t0 = dml_now_ns();
    if (one_step(s)) return 1;
    double t = dml_now_ns() - t0, fit = sp->budget_s * 1e9 / (t > 1 ? t : 1);
    int min_reps = sp->reps < 3 ? sp->reps : 3;
    if (fit < *reps) *reps = fit < min_reps ? min_reps : (int)fit;
    if (fit < *warmup) *warmup = (int)fit;
    *warmup = *warmup > 1 ? *warmup - 1 : 0;
    s->calls = 0;
    s->warmup = *warmup;
    return 0;
}

static int time_steps(const point_spec *sp, step_call *s, point_result *res, char *err, size_t errlen)
{
    int reps, warmup;
    if (pilot(sp, s, &reps, &warmup)) {
        snprintf(err, errlen, "%s", lib_error(s->st));
        return 1;
    }
    timing_spec ts = { .warmup = warmup, .samples = reps };
    timing_result tr;
    int rc = timing_run(one_step, s, &ts, &tr);
    if (rc) {
        snprintf(err, errlen, "%s", rc < 0 ? "out of memory" : lib_error(s->st));
        return 1;
    }
    res->loss = s->loss;
    res->reps = reps;
    res->fwd_ns = stats_of(s->fwd, (size_t)reps);
    res->bwd_ns = stats_of(s->bwd, (size_t)reps);
    res->total_ns = tr.wall;
    res->cpu_ns = tr.cpu;
    return 0;
}

int point_run(const point_spec *sp, point_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (sp->reps < 1) {
        snprintf(err, errlen, "reps must be at least 1");
        return 1;
    }
    batch b;
    step_call s = { .params = &sp->params, .b = &b, .warmup = sp->warmup };
    batch_spec mine = point_batch(sp);
    double kept = batch_kept_for(&mine); /* already resident: added to the peak below */
    double rss0 = mem_rss_bytes();
    int peak_ok = mem_peak_reset();
    if (point_setup(sp, &b, &s.ctx, err, errlen))
        return 1;
    size_t n = (size_t)sp->reps;
    s.dX = malloc(b.M * b.D * sizeof(float));
    size_t R = dml_ctx_proxy_rows(s.ctx); /* rows of P: 0 for pair losses */
    s.dP = R ? malloc(R * b.D * sizeof(float)) : NULL;
    s.fwd = malloc(2 * n * sizeof(double));
    s.bwd = s.fwd ? s.fwd + n : NULL;
    int rc = 1;
    if (!s.dX || (R && !s.dP) || !s.fwd)
        snprintf(err, errlen, "out of memory");
    else if (time_steps(sp, &s, res, err, errlen) == 0) {
        dml_ctx_flops(s.ctx, &res->fwd_flops, &res->bwd_flops);
        res->isa = dml_ctx_isa(s.ctx);
        res->threads = dml_ctx_threads(s.ctx);
        res->fused = dml_loss_has_fused(sp->params.loss) ? dml_ctx_fused(s.ctx) : -1;
        dml_ctx_traffic(s.ctx, &res->p_bytes, &res->bytes);
        res->peak_rss = peak_ok ? mem_peak_bytes() - rss0 + kept : NAN;
        dml_status st = DML_OK;
        if (!sp->no_stats && dml_ctx_fused(s.ctx)) { /* it gathers them as it sweeps: one more step, untimed */
            st = dml_ctx_set_gradstats(s.ctx, 1);
            if (st == DML_OK)
                st = precision_step(s.ctx, s.params, b.X, b.y, b.P, b.P16, &s.loss, s.dX, s.dP);
        }
        if (st == DML_OK && !sp->no_stats)
            st = dml_ctx_gradstats(s.ctx, s.dX, s.dP, &res->gs);
        rc = st != DML_OK;
        if (rc) snprintf(err, errlen, "%s", lib_error(st));
    }
    free(s.fwd); free(s.dX); free(s.dP);
    dml_ctx_destroy(s.ctx);
    batch_keep(&b);
    return rc;
}

typedef struct products_call {
    dml_ctx *ctx;
    const batch *b;
    const dml_params *params;
    dml_status st;
} products_call;

static int forward_products(void *arg)
{
    products_call *p = arg;
    p->st = dml_ctx_forward_products(p->ctx, p->b->X, p->b->P);
    return p->st != DML_OK;
}

static int forward_step(void *arg)
{
    products_call *p = arg;
    float loss;
    p->st = dml_loss_step(p->ctx, p->params, p->b->X, p->b->y, p->b->P, &loss, NULL, NULL);
    return p->st != DML_OK;
}

int point_products(const point_spec *sp, int samples, double budget_ns, double *prod_ns, double *fwd_ns,
                   char *err, size_t errlen)
{
    batch b;
    products_call p = { .b = &b, .params = &sp->params };
    *prod_ns = *fwd_ns = NAN;
    if (point_setup(sp, &b, &p.ctx, err, errlen))
        return 1;
    /* Samples of about 0.2 ms each, as the kernels are timed; the budget
     * shared by the two, taken in turn (A B A B) so that both see the
     * machine as it is. */
    timing_spec ts = { .samples = samples < 3 ? 3 : samples, .min_samples = 3,
                       .epoch_ns = 2e5, .budget_ns = budget_ns / 2 };
    timing_result tr[2];
    timed_fn fns[2] = { forward_products, forward_step };
    void *args[2] = { &p, &p };
    int rc = timing_interleaved(fns, args, 2, &ts, tr);
    if (rc) snprintf(err, errlen, "%s", rc < 0 ? "out of memory" : lib_error(p.st));
    else *prod_ns = tr[0].cpu.min, *fwd_ns = tr[1].cpu.min;
    dml_ctx_destroy(p.ctx);
    batch_keep(&b);
    return rc != 0;
}
