/* dmlcount — runs each bench-check kernel case once under callgrind and dumps
 * its instruction count (only the kernel call is collected: the program runs
 * with --collect-atstart=no and toggles collection around the call).
 *
 *   valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=F \
 *       build/dmlcount --isa avx2        (or DML_ISA=avx2)
 *
 * writes one dump per case, F.1, F.2, ..., each named by its trigger
 * "count <op> <isa> <shape>"; `dmlbench bench-check --counts F` reads them.
 * With --steps it runs the whole proxy steps of bench_check_steps() instead
 * (one dump each, "count <loss>_fused|unfused <isa> <shape>"), for a second
 * callgrind run with the cache simulation on (the Makefile's STEP_CACHE_SIM).
 * valgrind 3.19 cannot run AVX-512 (SIGILL), and its CPUID may still report
 * it: the ISA is therefore always named, and avx512 is refused under valgrind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

#include "bench/check_cases.h"
#include "point/batch.h"
#include "point/kcase.h"

/* The ISA to count, from --isa or DML_ISA; 0, or the exit status after a message. */
static int pick_isa(int argc, char **argv, dml_isa *out, const char **name, int *list, int *steps)
{
    const char *isa_name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--isa") && i + 1 < argc)
            isa_name = argv[++i];
        else if (!strcmp(argv[i], "--list"))
            *list = 1;
        else if (!strcmp(argv[i], "--steps"))
            *steps = 1;
        else {
            fprintf(stderr, "dmlcount: unknown argument '%s' (usage: dmlcount --isa ISA [--steps] [--list])\n",
                    argv[i]);
            return 2;
        }
    }
    if (!isa_name && getenv("DML_ISA") && *getenv("DML_ISA"))
        isa_name = getenv("DML_ISA");
    if (!isa_name) {
        fprintf(stderr, "dmlcount: name the ISA with --isa or DML_ISA (ref, avx2, ...); it is never chosen by CPUID here\n");
        return 2;
    }
    dml_isa isa;
    *name = isa_name;
    if (dml_isa_parse(isa_name, &isa) != DML_OK || isa == DML_ISA_AUTO) {
        fprintf(stderr, "dmlcount: ISA '%s' is not one of ", isa_name);
        for (int i = 0; i < DML_ISA_COUNT; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", dml_isa_name((dml_isa)i));
        fprintf(stderr, " (auto is not allowed: under valgrind CPUID may advertise AVX-512)\n");
        return 2;
    }
    if (!valgrind_runs(isa) && RUNNING_ON_VALGRIND) {
        fprintf(stderr, "dmlcount: %s cannot run under valgrind 3.19 (SIGILL); not counted\n", isa_name);
        return 3;
    }
    if (!dml_isa_supported(isa)) {
        fprintf(stderr, "dmlcount: ISA %s is not %s here\n", isa_name,
                dml_isa_compiled(isa) ? "supported by this CPU" : "in this build");
        return 3;
    }
    *out = isa;
    return 0;
}

/* One whole step of s, counted: a first step warms (lazy binding, first
 * touch, and leaves the simulated caches as a training loop would), the
 * second is collected.  Returns 0 or 1 after a message. */
static int count_step(const step_count_case *s, dml_isa isa, const char *label)
{
    batch_spec bs = { .M = s->M, .C = s->C, .D = s->D, .per_class = 2, .noise = 2.5f,
                      .proxy_noise = 1.0f, .seed = BENCH_CHECK_SEED };
    batch bt;
    char err[256];
    if (batch_make(&bs, &bt, err, sizeof err)) return fprintf(stderr, "dmlcount: %s\n", err), 1;
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(s->loss, s->M, s->C, s->D, isa, 1, &st);
    float *dX = malloc(s->M * s->D * sizeof *dX), *dP = malloc(s->C * s->D * sizeof *dP), loss;
    if (ctx && !s->fused) st = dml_ctx_set_fused(ctx, 0);
    dml_params p = dml_params_default(s->loss);
    /* instrumented (and simulated) from the warm step on: setting up the
     * batch under callgrind would cost more than the steps */
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; ctx && dX && dP && st == DML_OK && i < 2; i++) {
        if (i) {
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
        }
        st = dml_loss_step(ctx, &p, bt.X, bt.y, bt.P, &loss, dX, dP);
        if (i) {
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(label);
        }
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    int rc = !ctx || !dX || !dP || st != DML_OK;
    if (rc) fprintf(stderr, "dmlcount: %s: %s\n", label, dml_strerror(st));
    if (!rc && s->fused && !dml_ctx_fused(ctx))
        fprintf(stderr, "dmlcount: note: %s ran unfused (DML_FUSED=0?)\n", label);
    dml_ctx_destroy(ctx);
    free(dX);
    free(dP);
    batch_free(&bt);
    return rc;
}

static int count_steps(dml_isa isa, const char *isa_name, int list)
{
    size_t n;
    const step_count_case *t = bench_check_steps(&n);
    for (size_t i = 0; i < n; i++) {
        char name[64], shape[64], label[160];
        step_count_name(&t[i], name, sizeof name, shape, sizeof shape);
        snprintf(label, sizeof label, "count %s %s %s", name, isa_name, shape);
        if (list) printf("%s\n", label);
        else if (count_step(&t[i], isa, label)) return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    dml_isa isa;
    const char *isa_name;
    int list = 0, steps = 0, rc = pick_isa(argc, argv, &isa, &isa_name, &list, &steps);
    if (rc) return rc;
    if (steps) return count_steps(isa, isa_name, list);
    const dml_kernels *k = dml_kernels_for(isa);

    kernel_op ops[KOP_COUNT];
    size_t M[KOP_COUNT], C[KOP_COUNT], D[KOP_COUNT];
    size_t n = bench_check_cases(ops, M, C, D);
    for (size_t i = 0; i < n; i++) {
        kernel_case kc;
        char err[256];
        if (kernel_case_init(&kc, ops[i], M[i], C[i], D[i], BENCH_CHECK_SEED, err, sizeof err)) {
            fprintf(stderr, "dmlcount: %s\n", err);
            return 1;
        }
        char label[160];
        snprintf(label, sizeof label, "count %s %s %s", kernel_op_name(ops[i]), isa_name, kc.shape);
        if (list) {
            printf("%s\n", label);
        } else {
            kernel_case_run(&kc, k); /* warm: lazy binding, first-touch pages */
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
            kernel_case_run(&kc, k);
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(label);
        }
        kernel_case_free(&kc);
    }
    return 0;
}
