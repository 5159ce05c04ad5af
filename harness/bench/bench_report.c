/* bench_report.c — what `dmlbench bench` prints: its header, then the table
 * (text) or the same as JSON. */
#include <math.h>
#include <stdio.h>

#include "bench/bench_run.h"
#include "core/json.h"
#include "core/prov.h"

void bench_print_header(const bench_run *R)
{
    FILE *log = R->log;
    fprintf(log, "dmlbench bench — one thread (but the two-thread step rows), %s, %s\n", R->cpu,
            prov_compiler());
    fprintf(log, "FP32 FMA peak (probe, this run):");
    for (int i = 0; i < R->npk; i++) fprintf(log, " %s %.1f GFLOP/s;", R->pk[i].isa, R->pk[i].gflops);
    fprintf(log, "%s core peak %.1f GFLOP/s\n", R->npk ? "" : " no SIMD probe;", R->core_peak);
    if (R->bl.h) fprintf(log, "OpenBLAS: %s\n", R->bl.config);
    else fprintf(log, "OpenBLAS not found (%s): no OpenBLAS column, its targets not evaluated\n", blas_name());
    if (R->blnote[0]) fprintf(log, "  note: %s\n", R->blnote);
    if (R->bl256.h) fprintf(log, "OpenBLAS, same width as avx2 (second copy, \"openblas256\"): %s\n", R->bl256.config);
    fprintf(log, "threads: %s\n", R->binding);
    fprintf(log, "%%peak of a product: its rate over the FMA probe of its vector width run in the "
                 "same interleaved rounds (peak-<isa> in the progress lines)\n");
    fflush(log);
}

static void print_json_row(const brow *x, int last)
{
    printf("  {\"kernel\": \"%s\", \"shape\": \"%s\", \"M\": %zu, \"C\": %zu, \"D\": %zu, "
           "\"who\": \"%s\", \"cpu_ns_median\": %.1f, \"cpu_ns_min\": %.1f, "
           "\"wall_ns_median\": %.1f, \"%s\": %.4f",
           kernel_op_name(x->op), x->shape, x->M, x->C, x->D, x->who, x->r.cpu_med,
           x->r.cpu_min, x->r.wall_med, x->flops ? "gflops" : "gelem_per_s", rate(x));
    if (x->flops && isfinite(x->peak))
        printf(", \"peak_gflops\": %.3f, \"peak_fraction\": %.4f", x->peak, rate(x) / x->peak);
    if (x->flops && isfinite(x->peak_best))
        printf(", \"peak_best_gflops\": %.3f, \"peak_fraction_best\": %.4f", x->peak_best,
               rate_best(x) / x->peak_best);
    if (isfinite(x->vs_blas256_best))
        printf(", \"ratio_vs_openblas_avx2_best\": %.4f", x->vs_blas256_best);
    if (isfinite(x->vs_ref)) printf(", \"speedup_vs_ref\": %.3f", x->vs_ref);
    if (isfinite(x->vs_blas)) printf(", \"ratio_vs_openblas\": %.4f", x->vs_blas);
    if (isfinite(x->vs_blas256)) printf(", \"ratio_vs_openblas_avx2\": %.4f", x->vs_blas256);
    printf("}%s\n", last ? "" : ",");
}

static const char *const kind_names[] = { "two_ways", "fused_unfused_products", "threads" };

/* A step row: its variants' times and shares of peak (the ISA's one-core
 * probe times the variant's threads). */
static void print_json_step(const step_row *x, int first)
{
    printf("%s\n  {\"step\": \"%s\", \"kind\": \"%s\", \"isa\": \"%s\", \"clock\": \"%s\", "
           "\"flops\": %.0f, \"peak_gflops\": %.3f, \"speedup\": %.4f, \"variants\": [",
           first ? "" : ",", x->what, kind_names[x->kind], x->isa, x->wall ? "wall" : "thread_cpu",
           x->flops, x->peak, x->speedup);
    for (int v = 0; v < x->nvar; v++)
        printf("%s{\"name\": \"%s\", \"threads\": %d, \"min_ns\": %.0f, \"median_ns\": %.0f, "
               "\"peak_fraction_min\": %.4f, \"peak_fraction_median\": %.4f}",
               v ? ", " : "", x->variant[v], x->threads[v], x->min_ns[v], x->median_ns[v],
               x->flops / x->min_ns[v] / (x->peak * x->threads[v]),
               x->flops / x->median_ns[v] / (x->peak * x->threads[v]));
    printf("]}");
}

void bench_print_json(const bench_run *R)
{
    printf("{\"cpu\": ");
    json_str(stdout, R->cpu);
    printf(", \"compiler\": ");
    json_str(stdout, prov_compiler());
    printf(", \"threads\": 1, \"rounds\": %d, \"openblas\": ", R->rounds);
    if (R->bl.h) json_str(stdout, R->bl.config); else printf("null");
    printf(", \"openblas_note\": ");
    json_str(stdout, R->blnote);
    printf(", \"openblas_avx2\": ");
    if (R->bl256.h) json_str(stdout, R->bl256.config); else printf("null");
    printf(", \"peak_gflops\": {");
    for (int i = 0; i < R->npk; i++) printf("%s\"%s\": %.3f", i ? ", " : "", R->pk[i].isa, R->pk[i].gflops);
    printf("}, \"core_peak_gflops\": %.3f,\n", R->core_peak);
    printf(" \"binding\": ");
    json_str(stdout, R->binding);
    printf(", \"idle\": {\"idle\": %s, \"load_start\": [%.2f, %.2f, %.2f], \"load_end\": [%.2f, %.2f, %.2f], "
           "\"others_fraction\": %.4f, \"steal_fraction\": %.4f, \"cpus\": %d, \"known\": %s},\n \"rows\": [\n",
           R->idle.idle ? "true" : "false", R->idle.load_start[0], R->idle.load_start[1],
           R->idle.load_start[2], R->idle.load_end[0], R->idle.load_end[1], R->idle.load_end[2],
           R->idle.others_frac, R->idle.steal_frac, R->idle.cpus, R->idle.ok ? "true" : "false");
    for (size_t i = 0; i < R->rows.n; i++) print_json_row(&R->rows.v[i], i + 1 == R->rows.n);
    printf(" ],\n \"steps\": [");
    for (int i = 0; i < R->nsteps; i++) print_json_step(&R->steps[i], i == 0);
    printf("],\n \"targets\": [\n");
    for (int i = 0; i < R->ntg; i++)
        printf("  {\"target\": \"%s\", \"value\": %.4f, \"goal\": %.3f, \"met\": %s}%s\n",
               R->tg[i].what, R->tg[i].value, R->tg[i].goal, R->tg[i].met ? "true" : "false",
               i + 1 < R->ntg ? "," : "");
    printf(" ]}\n");
}

static void print_text_row(const brow *x)
{
    char rt[32], pkf[24] = "-", vr[16] = "-", vb[16] = "-", vb2[24] = "-";
    snprintf(rt, sizeof rt, "%.2f %s", rate(x), x->flops ? "GFLOP/s" : "Gel/s");
    if (x->flops && isfinite(x->peak)) snprintf(pkf, sizeof pkf, "%.0f%%", 100 * rate(x) / x->peak);
    if (x->flops && isfinite(x->peak_best))
        snprintf(pkf, sizeof pkf, "%.0f/%.0f%%", 100 * rate(x) / x->peak,
                 100 * rate_best(x) / x->peak_best);
    if (isfinite(x->vs_ref)) snprintf(vr, sizeof vr, "%.1fx", x->vs_ref);
    if (isfinite(x->vs_blas)) snprintf(vb, sizeof vb, "%.2f", x->vs_blas);
    if (isfinite(x->vs_blas256)) snprintf(vb2, sizeof vb2, "%.2f", x->vs_blas256);
    if (isfinite(x->vs_blas256_best))
        snprintf(vb2, sizeof vb2, "%.2f/%.2f", x->vs_blas256, x->vs_blas256_best);
    printf("%-13s %-20s %-11s %11.1f %11.1f %14s %8s %7s %9s %10s\n", kernel_op_name(x->op),
           x->shape, x->who, x->r.cpu_med / 1e3, x->r.cpu_min / 1e3, rt, pkf, vr, vb, vb2);
}

/* Several ways of one step, interleaved: fastest and median, the share of
 * the ISA's peak (times the threads) on each, the speed-up of variant 1 over
 * variant 0 and, with a third variant (the products alone), variant 1 over it. */
static void print_steps(const bench_run *R)
{
    if (!R->nsteps) return;
    printf("\nLoss steps several ways (interleaved; fastest / median ms, %% of the ISA's FP32 peak "
           "x threads on fastest / median):\n");
    for (int i = 0; i < R->nsteps; i++) {
        const step_row *x = &R->steps[i];
        printf("  %-30s %-7s", x->what, x->isa);
        for (int v = 0; v < x->nvar; v++) {
            double pk = x->peak * x->threads[v];
            printf("  %s %.3f / %.3f ms %.0f / %.0f%%", x->variant[v], x->min_ns[v] / 1e6,
                   x->median_ns[v] / 1e6, 100 * x->flops / x->min_ns[v] / pk,
                   100 * x->flops / x->median_ns[v] / pk);
        }
        printf("  %s over %s %.2fx", x->variant[1], x->variant[0], x->speedup);
        if (x->nvar > 2)
            printf("  %s time / %s %.2f", x->variant[1], x->variant[2], x->min_ns[1] / x->min_ns[2]);
        printf("\n");
    }
}

void bench_print_text(const bench_run *R)
{
    printf("\n%-13s %-20s %-11s %11s %11s %14s %8s %7s %9s %10s\n", "kernel", "shape", "who",
           "median us", "min us", "rate", "%peak", "x ref", "/OpenBLAS", "/OB-AVX2");
    printf("(%%peak and /OB-AVX2 of a product: median round / fastest round of each)\n");
    for (size_t i = 0; i < R->rows.n; i++) print_text_row(&R->rows.v[i]);
    print_steps(R);
    printf("\nTargets (one thread; reported, not enforced):\n");
    for (int i = 0; i < R->ntg; i++)
        printf("  %-8s %-72s %.3f\n", R->tg[i].met ? "met" : "NOT met", R->tg[i].what, R->tg[i].value);
    if (!R->bl.h) printf("  (OpenBLAS not found: the OpenBLAS targets are not evaluated)\n");
    char idle[256];
    idle_describe(&R->idle, idle, sizeof idle);
    printf("\nThe machine during this run: %s\n", idle);
}
