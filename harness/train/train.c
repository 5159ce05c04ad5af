/* train.c — one training run: class-balanced batches through the network,
 * the library's loss step, back-propagation of its dX, AdamW on the network
 * and (×100 learning rate) on the proxies, and a retrieval evaluation every
 * eval_every epochs.  Everything is allocated before the first step. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/timing.h"
#include "point/precision.h"
#include "train/train.h"

/* Epoch 0's loss: the untrained network's mean over this many batches (or an
 * epoch's worth, if fewer), from a sampler of its own so the training batches
 * are the same whether or not it is computed. */
#define UNTRAINED_BATCHES 20
#define EVAL_ROWS 1000
/* a convolution's im2col matrix is 9·cin floats an output pixel: fewer rows */
#define EVAL_ROWS_CONV 200

typedef struct trainer {
    const train_opts *o;
    const train_data *d;
    size_t C, R;                 /* classes; rows of P (0 for pair losses) */
    net nt;
    net_ws ws, ews;
    dml_ctx *ctx;
    adamw opt_net, opt_proxy;
    sampler smp;
    float *P, *dP, *dE, *grad, *Xb, *emb;
    uint16_t *P16;               /* precision bf16: P rounded after each update (P is the master) */
    int32_t *yb;
    size_t *idx;
    double *step_s;
} trainer;

void train_opts_default(train_opts *o, dml_loss loss)
{
    memset(o, 0, sizeof *o);
    o->params = dml_params_default(loss);
    o->M = 180, o->D = 128, o->H = 512;
    o->epochs = 4;
    o->lr = 1e-3f;
    o->proxy_lr_mult = 100;
    o->weight_decay = 1e-4f;
    o->seed = 1;
    o->isa = DML_ISA_AUTO;
    o->threads = 1;
    o->eval_every = 1;
    o->eval_untrained = 1;
}

static int check_opts(const train_opts *o, const train_data *d, char *err, size_t errlen)
{
    const char *bad = o->M < 2 ? "M must be at least 2"
                    : o->D < 1 ? "D must be at least 1"
                    : o->epochs < 0 ? "epochs must be >= 0"
                    : o->eval_every < 1 ? "eval_every must be >= 1"
                    : o->threads < 1 ? "threads must be >= 1"
                    : !(o->proxy_lr_mult > 0) ? "the proxies' learning-rate multiplier must be > 0"
                    : o->per_class > o->M ? "per_class must not exceed M"
                    : d->train.n < o->M ? "fewer training items than M"
                    : d->train.classes < 2 ? "training needs at least 2 classes" : NULL;
    if (bad) snprintf(err, errlen, "train: %s (M = %zu, %zu training items)", bad, o->M, d->train.n);
    return bad != NULL;
}

/* Proxies as the Proxy-Anchor authors' code: kaiming_normal_(mode='fan_out')
 * on an R × D tensor (R = C proxies, or C·K for SoftTriple), i.e. N(0, 2/R). */
static void proxies_init(float *P, size_t C, size_t D, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed ^ 0x9e3779b97f4a7c15ull);
    double sd = sqrt(2.0 / (double)C);
    for (size_t i = 0; i < C * D; i++) P[i] = (float)(sd * rng_normal(&r));
}

static int setup(trainer *t, char *err, size_t errlen)
{
    const train_opts *o = t->o;
    size_t in = t->d->train.dim, M = o->M, D = o->D;
    t->C = (size_t)t->d->train.classes;
    t->R = dml_proxy_rows(&o->params, t->C); /* 0: a pair loss */
    int proxies = t->R > 0;
    net_shape sh = { t->d->train.h, t->d->train.w, o->conv, o->H, D };
    if (!o->conv) sh.h = in, sh.w = 1;  /* the MLP needs no image shape */
    if (net_init_shape(&t->nt, &sh, o->seed, err, errlen) ||
        net_ws_init(&t->ws, &t->nt, M, o->isa, o->threads, err, errlen) ||
        net_ws_init(&t->ews, &t->nt, o->conv ? EVAL_ROWS_CONV : EVAL_ROWS, o->isa, o->threads, err, errlen) ||
        adamw_init(&t->opt_net, t->nt.nparams, o->lr, o->weight_decay, err, errlen) ||
        adamw_init(&t->opt_proxy, proxies ? t->R * D : 0, o->proxy_lr_mult * o->lr, o->weight_decay,
                   err, errlen) ||
        sampler_init(&t->smp, t->d->train.y, t->d->train.n, (int)t->C, M, o->seed + 1, err, errlen))
        return 1;
    t->smp.per_class = o->per_class;
    dml_status st;
    t->ctx = dml_ctx_create_for(&o->params, M, t->C, D, o->isa, o->threads, &st);
    if (!t->ctx) {
        snprintf(err, errlen, "train: the loss refused the shape: %s", lib_error(st));
        return 1;
    }
    dml_ctx_set_sample_seed(t->ctx, o->seed + 3); /* sampled proxies: draws from the run's seed */
    t->P = malloc((proxies ? t->R : t->C) * D * sizeof(float));
    t->dP = malloc((proxies ? t->R : t->C) * D * sizeof(float));
    t->dE = malloc(M * D * sizeof(float));
    t->grad = malloc(t->nt.nparams * sizeof(float));
    t->Xb = malloc(M * in * sizeof(float));
    t->yb = malloc(M * sizeof(int32_t));
    t->idx = malloc(M * sizeof(size_t));
    t->emb = malloc(t->d->eval.n * D * sizeof(float));
    size_t steps = t->d->train.n / M;
    t->step_s = malloc((steps * (size_t)(o->epochs ? o->epochs : 1) + 1) * sizeof(double));
    if (!t->P || !t->dP || !t->dE || !t->grad || !t->Xb || !t->yb || !t->idx || !t->emb || !t->step_s) {
        snprintf(err, errlen, "train: out of memory");
        return 1;
    }
    proxies_init(t->P, proxies ? t->R : t->C, D, o->seed);
    return precision_copy(&o->params, t->P, t->R * D, &t->P16, err, errlen);
}

static void teardown(trainer *t)
{
    net_free(&t->nt);
    net_ws_free(&t->ws);
    net_ws_free(&t->ews);
    dml_ctx_destroy(t->ctx);
    adamw_free(&t->opt_net);
    adamw_free(&t->opt_proxy);
    sampler_free(&t->smp);
    free(t->P); free(t->P16); free(t->dP); free(t->dE); free(t->grad); free(t->Xb); free(t->yb); free(t->idx);
    free(t->emb); free(t->step_s);
}

/* The next batch into Xb / yb (contiguous rows: the GEMM reads them packed). */
static void gather(trainer *t, sampler *s)
{
    const dataset *tr = &t->d->train;
    sampler_next(s, tr->y, t->idx, t->yb);
    for (size_t i = 0; i < t->o->M; i++)
        memcpy(t->Xb + i * tr->dim, tr->x + t->idx[i] * tr->dim, tr->dim * sizeof(float));
}

/* Forward, loss, and (when learn) backward and the optimiser steps. */
static int step(trainer *t, int learn, float *loss, char *err, size_t errlen)
{
    int proxies = t->R > 0;
    net_forward(&t->nt, &t->ws, t->Xb, t->o->M);
    float *dE = learn ? t->dE : NULL;
    dml_status st = precision_step(t->ctx, &t->o->params, t->ws.E, t->yb, t->P, t->P16, loss,
                                   dE, learn && proxies ? t->dP : NULL);
    if (st != DML_OK) {
        snprintf(err, errlen, "train: loss step failed: %s", lib_error(st));
        return 1;
    }
    if (!learn) return 0;
    net_backward(&t->nt, &t->ws, t->Xb, dE, t->o->M, t->grad);
    adamw_step(&t->opt_net, t->nt.params, t->grad);
    const int32_t *rows;
    size_t n = dml_ctx_sample(t->ctx, &rows, NULL); /* sampled proxies: those rows alone */
    if (proxies && n) adamw_step_rows(&t->opt_proxy, t->P, t->dP, t->o->D, rows, n);
    else if (proxies) adamw_step(&t->opt_proxy, t->P, t->dP);
    if (t->P16) /* mixed precision: the update went to the float32 master; the step reads it rounded */
        dml_bf16_round(t->P, t->R * t->o->D, t->P16);
    return 0;
}

static int evaluate(trainer *t, train_row *row, char *err, size_t errlen)
{
    double t0 = dml_now_ns(), c0 = dml_thread_cpu_ns();
    net_embed(&t->nt, &t->ews, &t->d->eval, t->emb);
    int rc = retrieval_eval(t->emb, t->d->eval.n, t->o->D, t->d->eval.y, t->o->isa, 0,
                            t->o->threads, &row->m, err, errlen);
    row->eval_s = (dml_now_ns() - t0) * 1e-9;
    row->eval_cpu_s = (dml_thread_cpu_ns() - c0) * 1e-9;
    return rc;
}

/* Epoch 0: the untrained network's loss and retrieval. */
static int untrained(trainer *t, train_row *row, size_t steps, char *err, size_t errlen)
{
    sampler s;
    if (sampler_init(&s, t->d->train.y, t->d->train.n, (int)t->C, t->o->M, t->o->seed + 2, err,
                     errlen))
        return 1;
    s.per_class = t->o->per_class;
    size_t n = steps < UNTRAINED_BATCHES ? steps : UNTRAINED_BATCHES;
    double sum = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        float L;
        gather(t, &s);
        rc = step(t, 0, &L, err, errlen);
        sum += L;
    }
    sampler_free(&s);
    dml_ctx_set_sample_seed(t->ctx, t->o->seed + 3); /* the training draws as if this never ran */
    row->epoch = 0;
    row->loss = sum / (double)n;
    if (rc || !t->o->eval_untrained) {
        for (int k = 0; k < 4; k++) row->m.recall[k] = NAN;
        row->m.r_precision = row->m.map_at_r = NAN;
        return rc;
    }
    return evaluate(t, row, err, errlen);
}

static void report(const trainer *t, const train_row *row, int evaluated)
{
    if (!t->o->progress) return;
    int e = row->epoch, E = t->o->epochs;
    train_progress p = { e, E, row->train_s, row->loss, row->m.recall[0],
                         e ? row->train_s / e * (E - e) : NAN, evaluated };
    t->o->progress(&p, t->o->user);
}

static int epochs(trainer *t, train_result *r, size_t steps, char *err, size_t errlen)
{
    double train_s = 0, cpu_s = 0;
    size_t nstep = 0;
    for (int e = 1; e <= t->o->epochs; e++) {
        double sum = 0, t0 = dml_now_ns(), c0 = dml_thread_cpu_ns();
        for (size_t i = 0; i < steps; i++) {
            double s0 = dml_now_ns();
            float L;
            gather(t, &t->smp);
            if (step(t, 1, &L, err, errlen)) return 1;
            sum += L;
            t->step_s[nstep++] = (dml_now_ns() - s0) * 1e-9;
        }
        train_s += (dml_now_ns() - t0) * 1e-9;
        cpu_s += (dml_thread_cpu_ns() - c0) * 1e-9;
        train_row row = { e, train_s, cpu_s, sum / (double)steps, { { 0 }, 0, 0, 0 }, 0, 0 };
        int eval = e % t->o->eval_every == 0 || e == t->o->epochs;
        if (eval) {
            if (evaluate(t, &row, err, errlen)) return 1;
            r->rows[r->nrows++] = row;
        } else {
            row.m.recall[0] = NAN;
        }
        report(t, &row, eval);
    }
    sample_stats st = stats_of(t->step_s, nstep);
    r->step_s_median = nstep ? st.median : NAN;
    return 0;
}

static int keep_params(trainer *t, train_result *r, char *err, size_t errlen)
{
    r->nparams = t->nt.nparams;
    r->final_params = malloc(r->nparams * sizeof(float));
    int proxies = t->R > 0;
    r->proxies = proxies ? malloc(t->R * t->o->D * sizeof(float)) : NULL;
    if (!r->final_params || (proxies && !r->proxies)) {
        snprintf(err, errlen, "train: out of memory");
        return 1;
    }
    memcpy(r->final_params, t->nt.params, r->nparams * sizeof(float));
    if (proxies) memcpy(r->proxies, t->P, t->R * t->o->D * sizeof(float));
    return 0;
}

int train_run(const train_opts *o, const train_data *d, train_result *r, char *err,
              size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (check_opts(o, d, err, errlen)) return 1;
    trainer t = { .o = o, .d = d };
    size_t steps = d->train.n / o->M;
    r->steps_per_epoch = steps;
    r->rows = calloc((size_t)o->epochs + 1, sizeof(train_row));
    int rc = !r->rows || setup(&t, err, errlen);
    if (!r->rows) snprintf(err, errlen, "train: out of memory");
    if (!rc) {
        r->isa = t.ws.k->isa;
        rc = untrained(&t, &r->rows[0], steps, err, errlen);
        if (!rc) {
            r->nrows = 1;
            report(&t, &r->rows[0], t.o->eval_untrained);
            rc = epochs(&t, r, steps, err, errlen);
        }
    }
    if (!rc) {
        double ff, bf;
        dml_ctx_flops(t.ctx, &ff, &bf);
        r->step_flops = net_flops(&t.nt, o->M, 0) + net_flops(&t.nt, o->M, 1) + ff + bf;
        r->gflops = r->step_flops / r->step_s_median * 1e-9;
        rc = keep_params(&t, r, err, errlen);
    }
    teardown(&t);
    if (rc) train_result_free(r);
    return rc;
}

void train_result_free(train_result *r)
{
    free(r->rows);
    free(r->final_params);
    free(r->proxies);
    memset(r, 0, sizeof *r);
}

int train_pixel_baseline(const train_data *d, int standardised, dml_isa isa, int threads,
                         retrieval_metrics *m, double *seconds, char *err, size_t errlen)
{
    double t0 = dml_now_ns();
    size_t n = d->eval.n * d->eval.dim;
    float *x = d->eval.x;
    if (!standardised) {  /* undo (x − mean) / std: cosine is blind to the scale, not the shift */
        if (!(x = malloc(n * sizeof(float)))) {
            snprintf(err, errlen, "pixel baseline: out of memory");
            return 1;
        }
        for (size_t i = 0; i < n; i++) x[i] = (float)(d->eval.x[i] * d->std + d->mean);
    }
    int rc = retrieval_eval(x, d->eval.n, d->eval.dim, d->eval.y, isa, 0, threads, m, err, errlen);
    if (x != d->eval.x) free(x);
    if (seconds) *seconds = (dml_now_ns() - t0) * 1e-9;
    return rc;
}
