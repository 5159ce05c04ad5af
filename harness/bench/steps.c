/* steps.c — whole loss steps, two variants of one step side by side: the
 * same loss, shape and batch computed two ways (triplet's enumeration
 * against its sorted walk), measured interleaved on one context per ISA, so
 * that the speed-up of one over the other is a ratio of the same moment.
 * Each variant's rate is the FLOPs of the step's products (dml_ctx_flops)
 * over its fastest and median step, and its share of the core's FP32 peak
 * measured in the same run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_run.h"
#include "core/error.h"
#include "core/timing.h"
#include "point/batch.h"

/* Sets variant `which` (0 or 1) of a step on its parameters or context. */
typedef void (*step_variant)(dml_params *p, dml_ctx *ctx, int which);

static void triplet_algorithm(dml_params *p, dml_ctx *ctx, int which)
{
    (void)ctx;
    p->u.triplet.algorithm = which ? DML_TRIPLET_SORTED : DML_TRIPLET_ENUMERATE;
}

typedef struct step_case {
    dml_loss loss;
    size_t M, C, D, per_class;
    const char *name[2];  /* the two variants */
    step_variant set;
    int quick;            /* measured by --quick too */
} step_case;

/* The all-triplet loss at the batch study's shape (8 classes per batch). */
static const step_case cases[] = {
    { DML_LOSS_TRIPLET, 512, 100, 512, 64, { "enumerate", "sorted" }, triplet_algorithm, 1 },
    { DML_LOSS_TRIPLET, 1024, 100, 512, 128, { "enumerate", "sorted" }, triplet_algorithm, 0 },
};

typedef struct step_call {
    dml_ctx *ctx;
    dml_params p;
    const batch *bt;
    float *dX, *dP;
    dml_status st;
} step_call;

static int step_once(void *arg)
{
    step_call *a = arg;
    float loss;
    a->st = dml_loss_step(a->ctx, &a->p, a->bt->X, a->bt->y, a->bt->P, &loss, a->dX, a->dP);
    return a->st != DML_OK;
}

/* Both variants of case sc on one ISA, interleaved; fills out. */
static int time_case(const bench_run *R, const step_case *sc, const contender *c, const batch *bt,
                     float *dX, float *dP, step_row *out)
{
    dml_status st;
    step_call call[2];
    for (int v = 0; v < 2; v++) {
        call[v] = (step_call){ dml_ctx_create(sc->loss, sc->M, sc->C, sc->D, c->k->isa, 1, &st),
                               dml_params_default(sc->loss), bt, dX, dP, DML_OK };
        if (!call[v].ctx) return die("bench: %s", lib_error(st));
        sc->set(&call[v].p, call[v].ctx, v);
    }
    timed_fn fns[2] = { step_once, step_once };
    void *args[2] = { &call[0], &call[1] };
    timing_spec ts = { .warmup = 1, .samples = R->quick ? 3 : 7 };
    timing_result tr[2];
    int rc = timing_interleaved(fns, args, 2, &ts, tr);
    double fwd, bwd;
    dml_ctx_flops(call[0].ctx, &fwd, &bwd);
    for (int v = 0; v < 2; v++) dml_ctx_destroy(call[v].ctx);
    if (rc) return die("bench: %s step: %s", dml_loss_name(sc->loss),
                       rc < 0 ? "out of memory" : lib_error(call[0].st ? call[0].st : call[1].st));
    snprintf(out->what, sizeof out->what, "%s M=%zu C=%zu D=%zu", dml_loss_name(sc->loss), sc->M,
             sc->C, sc->D);
    snprintf(out->isa, sizeof out->isa, "%.31s", c->name);
    for (int v = 0; v < 2; v++) {
        snprintf(out->variant[v], sizeof out->variant[v], "%s", sc->name[v]);
        out->min_ns[v] = tr[v].cpu.min;
        out->median_ns[v] = tr[v].cpu.median;
    }
    out->flops = fwd + bwd;
    out->speedup = tr[0].cpu.min / tr[1].cpu.min;
    return 0;
}

/* Every case on every ISA but the scalar reference. */
int bench_steps(bench_run *R)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const step_case *sc = &cases[i];
        if (R->quick && !sc->quick) continue;
        batch_spec bs = { .M = sc->M, .C = sc->C, .D = sc->D, .per_class = sc->per_class,
                          .noise = 2.5f, .proxy_noise = 1.0f, .seed = 7 };
        batch bt;
        char err[256];
        if (batch_make(&bs, &bt, err, sizeof err)) return die("bench: %s", err);
        float *dX = malloc(sc->M * sc->D * sizeof *dX), *dP = malloc(sc->C * sc->D * sizeof *dP);
        int rc = !dX || !dP ? die("bench: out of memory") : 0;
        for (int c = 0; c < R->ncs && !rc; c++) {
            if (c == R->ref_idx || R->nsteps >= MAX_STEPS) continue;
            rc = time_case(R, sc, &R->cs[c], &bt, dX, dP, &R->steps[R->nsteps]);
            if (!rc) {
                const step_row *s = &R->steps[R->nsteps++];
                fprintf(R->log, "  step %-30s %-7s %s %.2f ms, %s %.2f ms (fastest): %.1fx\n", s->what,
                        s->isa, s->variant[0], s->min_ns[0] / 1e6, s->variant[1], s->min_ns[1] / 1e6,
                        s->speedup);
                fflush(R->log);
            }
        }
        free(dX);
        free(dP);
        batch_free(&bt);
        if (rc) return rc;
    }
    return 0;
}
