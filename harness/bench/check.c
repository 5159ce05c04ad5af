/* check.c — `dmlbench bench-check`: the CI regression check on kernel
 * throughput, built from measures that hold on a shared, noisy machine.
 *
 *  1. Instruction counts of each kernel (one call, fixed shape and seed) under
 *     callgrind, for every ISA valgrind can run (build/dmlcount writes them;
 *     `make bench-counts`).  Fail when a count grows more than 3 %.
 *  2. Speed ratios measured in this process: each SIMD kernel against its ref
 *     twin, interleaved A B A B in epochs of about 1 ms of thread CPU time,
 *     BC_PASSES passes of BC_PASS_ROUNDS rounds each, spread over the run and
 *     pooled; the median ratio with a distribution-free 95 %
 *     interval from order statistics.  Fail only when the whole interval lies
 *     more than 15 % below the baseline speed-up and later measurements
 *     (BC_CONFIRM of them, each after a pause) agree.  The baseline ratio is
 *     the lowest of BC_BASE_BLOCKS measurements spread over a minute: on a
 *     shared VM the neighbours' load shifts these ratios by up to ~20 % for
 *     minutes at a time.
 *
 *  3. The whole Proxy-Anchor and Proxy-NCA steps, fused and unfused, under
 *     callgrind with a fixed simulated cache (check_counts.c): instructions
 *     (+3 %) and last-level data misses (+10 %); and, with no baseline, the
 *     fused step's misses below 0.6 of the unfused step's in the same run —
 *     the measure that undoing the fusion breaks, where a speed ratio cannot
 *     see it (on a CPU whose L3 holds P the two differ by only 3–20 %).
 *
 * Absolute times are recorded beside, never gated.  A baseline written with a
 * different compiler, flags, C library or CPU turns a failure into a warning
 * that names the difference.  `--write-baseline FILE` records the baseline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/check_run.h"
#include "core/error.h"

/* Provenance, the baseline (read first, so that a bad one fails before
 * minutes of measuring), the ISAs and the cases.  Returns 0 or the exit status. */
static int bc_setup(bc_run *R)
{
    char err[512];
    provenance_now(&R->pv);
    if (!R->o.write_path && baseline_read(R->o.base_path, &R->b, err, sizeof err))
        return die("bench-check: %s", err);
    for (int i = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_supported((dml_isa)i)) R->isas[R->nisa++] = (dml_isa)i;
    R->ref = dml_kernels_for(DML_ISA_REF);

    printf("bench-check: ISAs here: ");
    for (int i = 0; i < R->nisa; i++) printf("%s%s", i ? " " : "", dml_isa_name(R->isas[i]));
    printf("; cpu %s; %s\n", R->pv.v[PV_CPU], R->pv.v[PV_COMPILER]);
    fflush(stdout);

    size_t M[KOP_COUNT], C[KOP_COUNT], D[KOP_COUNT];
    R->ncase = bench_check_cases(R->ops, M, C, D);
    for (size_t c = 0; c < R->ncase; c++)
        if (kernel_case_init(&R->cases[c], R->ops[c], M[c], C[c], D[c], BENCH_CHECK_SEED, err,
                            sizeof err))
            return die("bench-check: %s", err);
    return 0;
}

/* The instruction count of case c on isa, from the callgrind dumps; the note
 * says why a row has none. */
static void add_count_row(bc_run *R, size_t c, dml_isa isa)
{
    const kernel_case *bc = &R->cases[c];
    row *x = rows_add(&R->r);
    x->kind = KIND_COUNT;
    x->op = R->ops[c];
    snprintf(x->what, sizeof x->what, "%s", kernel_op_name(x->op));
    snprintf(x->isa, sizeof x->isa, "%s", dml_isa_name(isa));
    snprintf(x->shape, sizeof x->shape, "%s", bc->shape);
    char err[512], want[160];
    snprintf(want, sizeof want, "count %s %s %s", x->what, x->isa, bc->shape);
    if (!valgrind_runs(isa)) {
        snprintf(x->note, sizeof x->note,
                 "not counted: %s cannot run %s (SIGILL); speed ratio below",
                 strncmp(R->pv.v[PV_VALGRIND], "valgrind", 8) ? "valgrind" : R->pv.v[PV_VALGRIND],
                 valgrind_isa_name(isa));
    } else if (!R->o.counts) {
        snprintf(x->note, sizeof x->note, "not counted: no --counts DIR given");
    } else if (read_dump(R->o.counts, x->isa, want, &x->now, NULL, err, sizeof err)) {
        snprintf(x->note, sizeof x->note, "%s", err);
        R->count_errors++;
    } else {
        x->measured = 1;
        x->lo = x->hi = x->now;
    }
}

/* The speed-up row of case c on a SIMD isa; measured later, in passes over
 * every such row. */
static void add_ratio_row(bc_run *R, size_t c, dml_isa isa)
{
    row *x = rows_add(&R->r);
    x->kind = KIND_RATIO;
    x->op = R->ops[c];
    snprintf(x->what, sizeof x->what, "%s", kernel_op_name(x->op));
    x->ci = (int)c;
    x->isa_id = isa;
    snprintf(x->isa, sizeof x->isa, "%s", dml_isa_name(isa));
    snprintf(x->shape, sizeof x->shape, "%s", R->cases[c].shape);
}

static void bc_rows(bc_run *R)
{
    for (size_t c = 0; c < R->ncase; c++) {
        /* 1. instruction counts */
        for (int i = 0; i < R->nisa; i++) add_count_row(R, c, R->isas[i]);
        /* 2. speed ratios against ref, every SIMD ISA (measured below) */
        for (int i = 0; i < R->nisa; i++)
            if (R->isas[i] != DML_ISA_REF) add_ratio_row(R, c, R->isas[i]);
    }
    /* 3. whole proxy steps: instructions and simulated LL misses */
    add_step_rows(R);
}

/* ------------------------------------------------------------------ main */

int bench_check_main(const bc_opts *o)
{
    bc_run R;
    memset(&R, 0, sizeof R);
    R.o = *o;
    int rc = bc_setup(&R);
    if (rc) return rc;
    bc_rows(&R);
    if ((rc = measure_ratios(&R))) return rc;
    for (size_t c = 0; c < R.ncase; c++) kernel_case_free(&R.cases[c]);
    note_abs_times(&R.r);
    return R.o.write_path ? bc_write_baseline(&R) : bc_compare(&R);
}
