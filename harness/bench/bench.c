/* bench.c — `dmlbench bench`: throughput of every kernel on the loss shapes
 * of the paper (M = 180; C = 100, 1000, 11318; D = 64, 512, 1024), every ISA
 * this machine runs, one thread.
 *
 * In one process, interleaved across contenders (ISA A, ISA B, OpenBLAS, A, B,
 * ...), timed with CLOCK_THREAD_CPUTIME_ID (CLOCK_MONOTONIC beside), after a
 * warm-up, as medians over rounds.  Reports GFLOP/s for the products and
 * elements/s for normalize, LSE⁺ and exp; the fraction of this core's FP32 FMA
 * peak, measured in the same run by a probe per vector width
 * (bench/peak_<isa>.c, compiled with that ISA's flags); the ratio to
 * cblas_sgemm on the same product when OpenBLAS is installed (bench/blas.c);
 * and whole loss steps several ways (bench/steps.c: the proxy losses fused,
 * unfused and their three products alone, as the loss runs them).
 * Targets are reported as met / not met; nothing fails on them. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_run.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/prov.h"
#include "core/timing.h"
#include "point/batch.h"

/* ------------------------------------------------------------- timing */

typedef struct contender_call { const kernel_case *kc; const contender *c; } contender_call;

static int call_contender(void *arg)
{
    const contender_call *a = arg;
    if (a->c->k) kernel_case_run(a->kc, a->c->k);
    else if (a->c->probe) a->c->probe->fn(a->c->iters);
    else kernel_case_run_blas(a->kc, a->c->b->sgemm);
    return 0;
}

/* Interleaved rounds A B C A B C ...; each sample is ~2 ms of calls. */
static void measure(const kernel_case *kc, const contender *cs, int nc, int rounds, result *out)
{
    contender_call calls[MAX_CONT];
    timed_fn fns[MAX_CONT];
    void *args[MAX_CONT];
    for (int c = 0; c < nc; c++) {
        calls[c] = (contender_call){ kc, &cs[c] };
        fns[c] = call_contender;
        args[c] = &calls[c];
    }
    timing_spec ts = { .warmup = 1, .samples = rounds, .epoch_ns = 2e6 };
    timing_result tr[MAX_CONT];
    if (timing_interleaved(fns, args, nc, &ts, tr)) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    for (int c = 0; c < nc; c++)
        out[c] = (result){ tr[c].cpu.median, tr[c].cpu.min, tr[c].wall.median, 1 };
}

/* ------------------------------------------------------------- rows */

static brow *brow_add(brows *b)
{
    brow *x = grow_slot(&b->v, &b->cap, b->n++, sizeof *b->v, 128);
    x->vs_ref = x->vs_blas = x->vs_blas256 = x->peak = NAN;
    x->peak_best = x->vs_blas256_best = NAN;
    return x;
}

static const brow *find(const brows *b, kernel_op op, const char *who, size_t C, size_t D)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].op == op && !strcmp(b->v[i].who, who) && b->v[i].C == C &&
            (b->v[i].D == D || op == KOP_LSE || op == KOP_EXP))
            return &b->v[i];
    return NULL;
}

/* ------------------------------------------------------------- the run */

/* The paper's shapes: M = 180 and every C × D below (--quick: C=1000, D=512);
 * D = 128 for the products only (issue 17's AVX2 goals start there). */
#define BENCH_M 180
#define BENCH_NC 3
#define BENCH_ND 4
static const size_t bench_Cs[BENCH_NC] = { 100, 1000, 11318 }, bench_Ds[BENCH_ND] = { 64, 128, 512, 1024 };

/* The contenders, the yardstick and the peak, all measured before any kernel
 * so that the header can say what the table is relative to. */
static void bench_setup(bench_run *R)
{
    R->ref_idx = -1;
    for (int i = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_supported((dml_isa)i) && (R->isa < 0 || R->isa == i)) {
            if (i == DML_ISA_REF) R->ref_idx = R->ncs;
            snprintf(R->cs[R->ncs].name, sizeof R->cs[R->ncs].name, "%s", dml_isa_name((dml_isa)i));
            R->cs[R->ncs++].k = dml_kernels_for((dml_isa)i);
        }
    blas_open(&R->bl, &R->bl256, R->blnote, sizeof R->blnote);
    prov_cpu_model(R->cpu, sizeof R->cpu);
    R->cores = prov_ncores();
    /* Bound before anything is timed: thread 0 (this one) and, for the
     * two-thread rows, thread 1, each on its own allowed core. */
    prov_bind_threads(R->cores >= 2 ? 2 : 1, R->binding, sizeof R->binding);
    R->npk = peak_probe_all(R->pk);
    R->core_peak = 0;
    for (int i = 0; i < R->npk; i++)
        if (R->pk[i].gflops > R->core_peak) R->core_peak = R->pk[i].gflops;
}

static int is_gemm(kernel_op op)
{
    return op == KOP_GEMM_S || op == KOP_GEMM_DX || op == KOP_GEMM_DP;
}

/* Whether shape (Cs[ci], Ds[di]) is measured for op: --quick keeps one; a
 * kernel whose shape does not depend on C (syrk) or D (lse, exp) runs once. */
static int shape_wanted(const bench_run *R, kernel_op op, size_t ci, size_t di)
{
    if (R->products && !is_gemm(op)) return 0;
    if (R->quick && (bench_Cs[ci] != 1000 || bench_Ds[di] != 512)) return 0;
    if (bench_Ds[di] == 128 && !is_gemm(op)) return 0;
    if ((op == KOP_SYRK) && ci != (R->quick ? 1 : 0)) return 0;
    if ((op == KOP_LSE || op == KOP_EXP) && bench_Ds[di] != (R->quick ? 512 : 64)) return 0;
    return 1;
}

/* Every ISA; OpenBLAS and its AVX2 copy on the products only, as cblas_sgemm
 * has nothing to offer for the other kernels. */
static int pick_contenders(bench_run *R, kernel_op op, const kernel_case *kc, contender *use)
{
    int nuse = 0;
    memset(use, 0, MAX_CONT * sizeof *use); /* no contender is a probe unless made one */
    for (int c = 0; c < R->ncs; c++) {
        /* the scalar reference only where one call stays under ~50 ms */
        if (c == R->ref_idx && kc->work_is_flops && kc->work > 1.5e8) continue;
        use[nuse++] = R->cs[c];
    }
    if (is_gemm(op) && R->bl.h) {
        snprintf(use[nuse].name, sizeof use[nuse].name, "openblas");
        use[nuse].b = &R->bl;
        use[nuse++].k = NULL;
    }
    if (is_gemm(op) && R->bl256.h) {
        snprintf(use[nuse].name, sizeof use[nuse].name, "openblas256");
        use[nuse].b = &R->bl256;
        use[nuse++].k = NULL;
    }
    /* The FMA probe of each vector width, for as many FLOPs as the product,
     * in the same rounds: the % of peak divides rates measured at one clock. */
    for (int i = 0; i < R->npk && is_gemm(op); i++) {
        contender *c = &use[nuse++];
        *c = (contender){ .probe = &R->pk[i] };
        snprintf(c->name, sizeof c->name, "peak-%s", R->pk[i].isa);
        double per_iter = R->pk[i].fn(1);
        c->iters = (uint64_t)(kc->work / per_iter) + 1;
    }
    return nuse;
}

/* The vector width a contender runs: its own ISA's, OpenBLAS's AVX2 copy
 * avx2's, OpenBLAS the widest probed. */
static const char *width_of(const bench_run *R, const contender *c)
{
    if (c->k) return c->name;
    if (c->b == &R->bl256) return "avx2";
    return R->npk ? R->pk[R->npk - 1].isa : "";
}

/* One row per contender, with its speed-up over ref and its ratio to each
 * OpenBLAS copy (NaN where that contender was not run). */
static void add_rows(bench_run *R, kernel_op op, const kernel_case *kc, size_t C, size_t D,
                     const contender *use, int nuse, const result *res)
{
    double ref_t = NAN, blas_t = NAN, blas256_t = NAN, blas256_min = NAN;
    double peak_of[DML_ISA_COUNT], peak_best_of[DML_ISA_COUNT];
    for (int i = 0; i < R->npk; i++) peak_of[i] = R->pk[i].gflops, peak_best_of[i] = NAN;
    for (int c = 0; c < nuse; c++) {
        if (!strcmp(use[c].name, "ref")) ref_t = res[c].cpu_med;
        if (use[c].b == &R->bl) blas_t = res[c].cpu_med;
        if (use[c].b == &R->bl256) blas256_t = res[c].cpu_med, blas256_min = res[c].cpu_min;
        if (use[c].probe) {
            double flops = (double)use[c].iters * use[c].probe->fn(1);
            peak_of[use[c].probe - R->pk] = flops / res[c].cpu_med;
            peak_best_of[use[c].probe - R->pk] = flops / res[c].cpu_min;
        }
    }
    for (int c = 0; c < nuse; c++) {
        if (use[c].probe) continue;
        brow *x = brow_add(&R->rows);
        for (int i = 0; i < R->npk; i++)
            if (!strcmp(R->pk[i].isa, width_of(R, &use[c])))
                x->peak = peak_of[i], x->peak_best = peak_best_of[i];
        x->op = op;
        snprintf(x->shape, sizeof x->shape, "%s", kc->shape);
        snprintf(x->who, sizeof x->who, "%.31s", use[c].name);
        x->M = BENCH_M, x->C = C, x->D = D;
        x->work = kc->work;
        x->flops = kc->work_is_flops;
        x->r = res[c];
        x->vs_ref = ref_t / res[c].cpu_med;
        if (is_gemm(op)) x->vs_blas = blas_t / res[c].cpu_med;
        if (is_gemm(op)) x->vs_blas256 = blas256_t / res[c].cpu_med;
        if (is_gemm(op)) x->vs_blas256_best = blas256_min / res[c].cpu_min;
    }
}

/* One progress line per case as soon as it is measured, so that a long run
 * shows where it is. */
static void print_progress(const bench_run *R, kernel_op op, const kernel_case *kc,
                           const contender *use, int nuse, const result *res)
{
    fprintf(R->log, "  %-13s %-18s", kernel_op_name(op), kc->shape);
    for (int c = 0; c < nuse; c++)
        fprintf(R->log, "  %s %.2f %s", use[c].name,
                use[c].probe ? (double)use[c].iters * use[c].probe->fn(1) / res[c].cpu_med
                             : kc->work / res[c].cpu_med,
                kc->work_is_flops ? "GFLOP/s" : "Gelem/s");
    fprintf(R->log, "\n");
    fflush(R->log);
}

/* Measures op on one shape, all its contenders interleaved.  Returns 0, or
 * the exit status after a message. */
static int bench_shape(bench_run *R, kernel_op op, size_t C, size_t D)
{
    kernel_case kc;
    char err[256];
    size_t cC = op == KOP_SYRK ? BENCH_M : C; /* syrk is M × M */
    if (kernel_case_init(&kc, op, BENCH_M, cC, D, 7, err, sizeof err))
        return die("bench: %s", err);
    contender use[MAX_CONT];
    int nuse = pick_contenders(R, op, &kc, use);
    result res[MAX_CONT];
    measure(&kc, use, nuse, R->rounds, res);
    add_rows(R, op, &kc, cC, D, use, nuse, res);
    print_progress(R, op, &kc, use, nuse, res);
    kernel_case_free(&kc);
    return 0;
}

static int bench_sweep(bench_run *R)
{
    for (int op = 0; op < KOP_COUNT; op++)
        for (size_t ci = 0; ci < BENCH_NC; ci++)
            for (size_t di = 0; di < BENCH_ND; di++)
                if (shape_wanted(R, (kernel_op)op, ci, di) &&
                    bench_shape(R, (kernel_op)op, bench_Cs[ci], bench_Ds[di]))
                    return 1;
    return 0;
}

/* ------------------------------------------------------------- targets */

void bench_add_target(bench_run *R, double v, double goal, int higher_better, const char *fmt, ...)
{
    if (R->ntg >= MAX_TARGETS || !isfinite(v)) return;
    target *t = &R->tg[R->ntg++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->what, sizeof t->what, fmt, ap);
    va_end(ap);
    t->value = v, t->goal = goal, t->higher_better = higher_better;
    t->met = higher_better ? v >= goal : v <= goal;
}

/* Issue 17's AVX2 goals, against OpenBLAS's AVX2 (Haswell) kernels: at
 * C >= 1000, D >= 128 1.05x (medians) and 85 % of the AVX2 peak (fastest
 * rounds of both, as the issue states it); at D = 64, 1.0x. */
static void avx2_targets(bench_run *R, kernel_op op)
{
    for (size_t ci = 0; ci < BENCH_NC; ci++)
        for (size_t di = 0; di < BENCH_ND; di++) {
            size_t C = bench_Cs[ci], D = bench_Ds[di];
            const brow *a2 = find(&R->rows, op, "avx2", C, D);
            if (!a2) continue;
            const char *name = kernel_op_name(op);
            if (D < 128) {
                bench_add_target(R, a2->vs_blas256, 1.0, 1,
                                 "%s M=180 C=%zu D=%zu avx2 / OpenBLAS-AVX2 >= 1.0", name, C, D);
            } else if (C >= 1000) {
                bench_add_target(R, a2->vs_blas256, 1.05, 1,
                                 "%s M=180 C=%zu D=%zu avx2 / OpenBLAS-AVX2 >= 1.05", name, C, D);
                bench_add_target(R, rate_best(a2) / a2->peak_best, 0.85, 1,
                                 "%s M=180 C=%zu D=%zu avx2 fastest fraction of avx2 peak >= 0.85",
                                 name, C, D);
            }
        }
}

static void collect_targets(bench_run *R)
{
    for (int p = KOP_GEMM_S; p <= KOP_GEMM_DP; p++) {
        const char *name = kernel_op_name((kernel_op)p);
        const brow *a5 = find(&R->rows, (kernel_op)p, "avx512", 1000, 512);
        const brow *a2 = find(&R->rows, (kernel_op)p, "avx2", 1000, 512);
        if (a5) {
            bench_add_target(R, a5->vs_blas, 0.85, 1, "%s M=180 C=1000 D=512 avx512 / OpenBLAS >= 0.85", name);
            bench_add_target(R, rate(a5) / a5->peak, 0.75, 1,
                       "%s M=180 C=1000 D=512 avx512 fraction of peak >= 0.75", name);
        }
        if (a2) bench_add_target(R, a2->vs_blas, 0.75, 1, "%s M=180 C=1000 D=512 avx2 / OpenBLAS >= 0.75", name);
        avx2_targets(R, (kernel_op)p);
    }
    for (size_t ci = 1; ci < BENCH_NC; ci++) {
        const brow *a5 = find(&R->rows, KOP_LSE, "avx512", bench_Cs[ci], 0);
        const brow *a2 = find(&R->rows, KOP_LSE, "avx2", bench_Cs[ci], 0);
        if (a5) bench_add_target(R, a5->vs_ref, 8, 1, "lse rows=180 n=%zu avx512 speed-up over ref >= 8", bench_Cs[ci]);
        if (a2) bench_add_target(R, a2->vs_ref, 5, 1, "lse rows=180 n=%zu avx2 speed-up over ref >= 5", bench_Cs[ci]);
    }
    bench_step_targets(R);
}

/* ------------------------------------------------------------- main */

int bench_main(const bench_opts *o)
{
    bench_run R;
    memset(&R, 0, sizeof R);
    R.json = o->json;
    R.quick = o->quick;
    R.precision_only = o->precision;
    R.scaling_only = o->scaling;
    R.log = R.json ? stderr : stdout;
    R.products = o->products;
    R.isa = o->isa;
    R.rounds = o->rounds > 0 ? o->rounds : R.quick ? 7 : 11;
    idle_mark_now(&R.idle_start);
    bench_setup(&R);
    if (R.scaling_only && R.cores < 2)
        return die("bench: --scaling compares one thread with two, but this process may use %d core%s",
                   R.cores, R.cores == 1 ? "" : "s");
    bench_print_header(&R);
    if ((!R.precision_only && !R.scaling_only && bench_sweep(&R)) || (!R.products && bench_steps(&R)))
        return 1;
    idle_mark end;
    idle_mark_now(&end);
    idle_between(&R.idle_start, &end, &R.idle);
    collect_targets(&R);
    if (R.json) bench_print_json(&R);
    else bench_print_text(&R);
    free(R.rows.v);
    blas_close(&R.bl);
    blas_close(&R.bl256);
    return 0;
}
