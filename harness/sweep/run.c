/* run.c — one pass of one point: a loss point (point_run, and its forward
 * products timed alone) or a kernel point (a kernel case on the timing
 * runner), formatted as its CSV row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timing.h"
#include "point/kcase.h"
#include "sweep/study.h"

/* One more pass of a point.  Its row is kept when the pass is the fastest
 * yet by `judged` (a 1-thread loss step's thread CPU time, what the fit
 * uses and what a neighbour on the core inflates least; else the wall
 * time), or by wall time against a row --resume read (its judged time is
 * not known).  The two fastest judged times are remembered, so that the
 * sweep can tell when a point's fastest passes disagree (sweep.c). */
static void keep_pass(sweep_point *p, char *row, double total_min_ms, double judged, const char *isa)
{
    int known = p->row && p->best_judged > 0;
    int faster = !p->row || (known ? judged < p->best_judged : !(total_min_ms >= p->best_total));
    double prev = known ? p->best_judged : INFINITY, sec = p->second_judged > 0 ? p->second_judged : INFINITY;
    if (judged < prev) sec = prev;
    else if (judged < sec) sec = judged;
    p->second_judged = sec;
    if (faster) {
        free(p->row);
        p->row = row;
        p->best_total = total_min_ms;
        p->best_judged = judged;
        snprintf(p->isa, sizeof p->isa, "%s", isa);
    } else {
        free(row);
    }
    p->passes_done++;
    p->nrows = 1;
}

/* The kernel case each kernel of the ISA study times; normalize's rows are M. */
static const kernel_op kernel_ops[KER_COUNT] = { KOP_GEMM_S, KOP_LSE, KOP_NORMALIZE };

typedef struct kernel_call { const kernel_case *kc; const dml_kernels *k; } kernel_call;

static int call_kernel(void *arg)
{
    const kernel_call *c = arg;
    kernel_case_run(c->kc, c->k);
    return 0;
}

static int run_kernel_point(study *st, size_t idx, char *err, size_t errlen)
{
    sweep_point *p = &st->pts[idx];
    dml_isa isa = p->sp.isa == DML_ISA_AUTO ? dml_isa_default() : p->sp.isa;
    const dml_kernels *kt = dml_kernels_for(isa);
    if (!kt) { snprintf(err, errlen, "no kernels for %s", dml_isa_name(isa)); return 1; }
    const batch_spec *b = &p->sp.batch;
    kernel_case kc;
    kernel_op op = kernel_ops[p->kernel];
    if (kernel_case_init(&kc, op, b->M, op == KOP_NORMALIZE ? b->M : b->C, b->D, b->seed, err, errlen))
        return 1;
    /* Samples of about 0.2 ms, as many as reps asks and max_seconds allows (>= 3). */
    timing_spec ts = { .warmup = p->sp.warmup, .samples = p->sp.reps, .min_samples = 3,
                       .epoch_ns = 2e5, .budget_ns = p->max_seconds * 1e9 };
    timing_result tr;
    kernel_call call = { &kc, kt };
    int rc = timing_run(call_kernel, &call, &ts, &tr);
    if (rc) { kernel_case_free(&kc); snprintf(err, errlen, "out of memory"); return 1; }
    point_result r;
    memset(&r, 0, sizeof r);
    r.total_ns = r.fwd_ns = tr.wall;
    r.bwd_ns = r.cpu_ns = (sample_stats){ NAN, NAN, NAN, NAN };
    double gelem = NAN;
    if (kc.work_is_flops) r.fwd_flops = kc.work;
    else gelem = kc.work / r.total_ns.median;
    kernel_case_free(&kc);
    p->value = NAN;
    sbuf row = { 0 };
    fmt_row(&row, st, idx, p, &r, dml_isa_name(isa), 1, gelem, NAN, NAN, NAN);
    keep_pass(p, row.s, r.total_ns.min / 1e6, r.total_ns.min / 1e6, dml_isa_name(isa));
    return 0;
}

/* A multi-thread point's loss against its 1-thread twin, in golden tolerances. */
static double value_error(const study *st, const sweep_point *p, float loss)
{
    char k1[sizeof p->key];
    point_key(p, 1, k1, sizeof k1);
    double verr = NAN;
    for (size_t j = 0; j < st->n; j++)
        if (!strcmp(st->pts[j].key, k1) && isfinite(st->pts[j].value)) {
            double v1 = st->pts[j].value;
            verr = fabs((double)loss - v1) / (1e-5 * fabs(v1) + 1e-6);
        }
    return verr;
}

/* Reps shrink to what max_seconds allows (>= 3), judged on a pilot step
 * that is also the first warm-up (point_run's budget_s). */
static int run_loss_point(study *st, size_t idx, char *err, size_t errlen)
{
    sweep_point *p = &st->pts[idx];
    point_result r;
    point_spec sp = p->sp;
    sp.budget_s = p->max_seconds;
    if (point_run(&sp, &r, err, errlen)) return 1;
    sp.reps = r.reps;
    const char *isa_name = dml_isa_name(r.isa);
    p->value = r.loss;
    double prod = NAN, fwd = NAN, verr = NAN;
    /* The forward products and step alone, for the loss-specific time: on
     * one thread, where S whole fits the library's cap (above it, C near
     * 10⁶, dml_ctx_forward_products refuses and the columns stay empty). */
    if (r.threads == 1) {
        int n = sp.reps < 5 ? sp.reps : 5;
        char perr[256];
        if (point_products(&sp, n, p->max_seconds * 0.5e9, &prod, &fwd, perr, sizeof perr)) prod = fwd = NAN;
    } else {
        verr = value_error(st, p, r.loss);
    }
    /* the key keeps the requested reps; the row says what ran */
    sweep_point shown = *p;
    shown.sp.reps = sp.reps;
    sbuf row = { 0 };
    fmt_row(&row, st, idx, &shown, &r, isa_name, r.threads, NAN, prod, fwd - prod, verr);
    double judged = r.threads == 1 && isfinite(r.cpu_ns.min) && r.cpu_ns.min > 0 ? r.cpu_ns.min : r.total_ns.min;
    keep_pass(p, row.s, r.total_ns.min / 1e6, judged / 1e6, isa_name);
    if (isfinite(verr) && verr > 1)
        fprintf(stderr, "\ndmlbench: sweep: %s: point %zu: %d threads give loss %.9g, outside the golden "
                "tolerance of the 1-thread value (error %.2f x tolerance)\n",
                st->name, idx, r.threads, (double)r.loss, verr);
    return 0;
}

int run_point(study *st, size_t idx, char *err, size_t errlen)
{
    if (st->pts[idx].kind != PK_LOSS) /* only loss points share batches (point/batch.h) */
        batch_kept_for(NULL);
    switch (st->pts[idx].kind) {
    case PK_KERNEL: return run_kernel_point(st, idx, err, errlen);
    case PK_LOSS: return run_loss_point(st, idx, err, errlen);
    default: return run_learn_point(st, idx, err, errlen);
    }
}
