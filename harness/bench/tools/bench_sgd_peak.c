/* bench_sgd_peak.c — `make bench-sgd-peak`: the peak resident memory of a
 * proxy step at large C with ∂L/∂P held whole (dml_loss_step, then the
 * caller's P −= lr·dP) against the in-step update (dml_loss_step_sgd, which
 * never holds ∂L/∂P whole), and each one's step time on the thread-CPU
 * clock.  One mode a process, so that each peak is its own:
 *
 *   bench_sgd_peak step|sgd [--loss proxy_anchor|proxy_nca] [--C N] [--D N] [--M N] [--steps N]
 *
 * Prints one line: mode, loss, shape, P in MB, peak RSS in MB (VmHWM over
 * the process's resident set before X and P were made), the fastest and
 * median step in ms.  A benchmark, never a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memuse.h"
#include "dml.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_sgd_peak step|sgd [--loss proxy_anchor|proxy_nca] [--C N] [--D N] [--M N] [--steps N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    size_t M = 180, C = 1000000, D = 128, steps = 3;
    const char *loss_name = "proxy_nca";
    if (argc < 2 || (strcmp(argv[1], "step") && strcmp(argv[1], "sgd"))) return usage();
    int sgd = !strcmp(argv[1], "sgd");
    for (int i = 2; i + 1 < argc; i += 2) {
        size_t v = strtoull(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--loss")) loss_name = argv[i + 1];
        else if (!strcmp(argv[i], "--C") && v) C = v;
        else if (!strcmp(argv[i], "--D") && v) D = v;
        else if (!strcmp(argv[i], "--M") && v) M = v;
        else if (!strcmp(argv[i], "--steps") && v && v <= 100) steps = v;
        else return usage();
    }
    dml_loss loss;
    if (dml_loss_parse(loss_name, &loss) != DML_OK) return usage();
    int peak_ok = mem_peak_reset();
    double rss0 = mem_rss_bytes();
    float *X = malloc(M * D * sizeof(float)), *dX = malloc(M * D * sizeof(float));
    float *P = malloc(C * D * sizeof(float)), *dP = sgd ? NULL : malloc(C * D * sizeof(float));
    int32_t *y = malloc(M * sizeof(int32_t));
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(loss, M, C, D, DML_ISA_AUTO, 1, &st);
    if (!X || !dX || !P || !y || (!sgd && !dP) || !ctx) {
        fprintf(stderr, "bench_sgd_peak: %s\n", ctx ? "out of memory" : dml_last_error());
        return 1;
    }
    uint64_t s = 1;
    for (size_t i = 0; i < M * D; i++) X[i] = (float)((s = s * 6364136223846793005u + 1) >> 40) / 16777216.0f - 0.5f;
    for (size_t i = 0; i < C * D; i++) P[i] = (float)((s = s * 6364136223846793005u + 1) >> 40) / 16777216.0f - 0.5f;
    for (size_t i = 0; i < M; i++) y[i] = (int32_t)((i / 5) * 5557 % C);
    dml_params p = dml_params_default(loss);
    double *t = malloc(steps * sizeof(double));
    float L, lr = 0.01f;
    for (size_t k = 0; k < steps; k++) {
        double c0 = dml_thread_cpu_ns();
        if (sgd)
            st = dml_loss_step_sgd(ctx, &p, X, y, P, lr, &L, dX);
        else if ((st = dml_loss_step(ctx, &p, X, y, P, &L, dX, dP)) == DML_OK)
            for (size_t e = 0; e < C * D; e++) P[e] -= lr * dP[e];
        t[k] = (dml_thread_cpu_ns() - c0) * 1e-6;
        if (st != DML_OK) { fprintf(stderr, "bench_sgd_peak: %s\n", dml_last_error()); return 1; }
    }
    double peak = peak_ok ? (mem_peak_bytes() - rss0) / 1e6 : -1;
    qsort(t, steps, sizeof *t, cmp);
    printf("%s %s M=%zu C=%zu D=%zu P_MB=%.0f peak_rss_MB=%.0f%s step_ms_min=%.1f median=%.1f loss=%.6g\n",
           argv[1], loss_name, M, C, D, C * D * 4 / 1e6, peak, peak_ok ? "" : "(unknown)", t[0],
           t[steps / 2], (double)L);
    dml_ctx_destroy(ctx);
    free(X), free(dX), free(P), free(dP), free(y), free(t);
    return 0;
}
