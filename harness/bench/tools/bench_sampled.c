/* bench_sampled.c — `make bench-sampled`: the whole Proxy-Anchor or Proxy-NCA
 * step (forward + backward) with sampled proxies at r = 0.01, 0.1 and 0.3
 * against the full step (r = 1), at one shape (default C = 10⁶, D = 128,
 * M = 180, one thread: issue 18's point).
 *
 * A benchmark, never a test: nothing here passes or fails on a time.  The
 * machine is shared, so the variants run interleaved in one process (full,
 * 0.3, 0.1, 0.01, full, ...), each round at least ~40 ms of steps, timed on
 * the calling thread's CPU clock (one thread: the step's whole work; time
 * the thread spent waiting for a core is not counted) and on the wall
 * clock; we print the fastest and the median round of each and the full
 * step's time over each (its speed-up), fastest over fastest and median
 * over median.  Each ratio runs twice: the step with its whole ∂L/∂P
 * (dml_loss_step, which writes the C×D gradient, zeros where not sampled)
 * and the step with the in-step SGD update (dml_loss_step_sgd, which writes
 * the sampled rows of P alone), so the table shows what that write costs.
 *
 *   bench_sampled [--loss pa|nca] [--c C] [--d D] [--m M] [--threads N] [--rounds R] [--isa ISA]
 *
 * Links build/libdml.a and core/stats.c (fastest and median). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "dml.h"

enum { NR = 4, NV = 2 * NR }; /* variant v: ratio v % NR, the SGD update when v >= NR */
static const float ratios[NR] = { 1.0f, 0.3f, 0.1f, 0.01f };

typedef struct opts {
    dml_loss loss;
    size_t C, D, M;
    int threads, rounds;
    dml_isa isa;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){ DML_LOSS_PROXY_ANCHOR, 1000000, 128, 180, 1, 7, DML_ISA_AUTO };
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--loss")) o->loss = !strcmp(v, "nca") ? DML_LOSS_PROXY_NCA : DML_LOSS_PROXY_ANCHOR;
        else if (!strcmp(k, "--c")) o->C = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--d")) o->D = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--m")) o->M = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--threads")) o->threads = atoi(v);
        else if (!strcmp(k, "--rounds")) o->rounds = atoi(v);
        else if (!strcmp(k, "--isa")) { if (dml_isa_parse(v, &o->isa) != DML_OK) return 1; }
        else return 1;
    }
    return (argc % 2 == 0) || !o->C || !o->D || !o->M || o->threads < 1 || o->rounds < 1;
}

static void set_ratio(dml_params *p, float r)
{
    if (p->loss == DML_LOSS_PROXY_NCA) p->u.nca.proxy_sample = r;
    else p->u.pa.proxy_sample = r;
}

/* Steps of one variant until ~40 ms of CPU time; CPU and wall seconds a step. */
/* lr = 0 in the SGD variant: the same work, and P keeps its bits
 * (P − 0·g = P), so every variant and round sees the same proxies. */
static void round_of(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                     float *P, float *dX, float *dP, int sgd, double *cpu, double *wall)
{
    double c0 = dml_thread_cpu_ns(), w0 = dml_now_ns(), c1;
    int n = 0;
    do {
        float L;
        dml_status st = sgd ? dml_loss_step_sgd(ctx, p, X, y, P, 0.0f, &L, dX)
                            : dml_loss_step(ctx, p, X, y, P, &L, dX, dP);
        if (st != DML_OK) {
            fprintf(stderr, "bench_sampled: %s\n", dml_last_error());
            exit(1);
        }
        n++;
        c1 = dml_thread_cpu_ns();
    } while (c1 - c0 < 40e6);
    *cpu = (c1 - c0) * 1e-9 / n;
    *wall = (dml_now_ns() - w0) * 1e-9 / n;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_sampled [--loss pa|nca] [--c C] [--d D] [--m M] [--threads N] [--rounds R] [--isa ISA]\n");
        return 2;
    }
    float *X = malloc(o.M * o.D * 4), *dX = malloc(o.M * o.D * 4), *P = malloc(o.C * o.D * 4), *dP = malloc(o.C * o.D * 4);
    int32_t *y = malloc(o.M * 4);
    double *cpu = malloc(sizeof(double) * NV * (size_t)o.rounds), *wall = malloc(sizeof(double) * NV * (size_t)o.rounds);
    dml_ctx *ctx[NV];
    dml_params p[NV];
    if (!X || !dX || !P || !dP || !y || !cpu || !wall) { fprintf(stderr, "bench_sampled: out of memory\n"); return 1; }
    uint64_t s = 1;
    for (size_t i = 0; i < o.M * o.D; i++) s = s * 6364136223846793005ull + 1, X[i] = (float)(s >> 40) / 16777216.0f - 0.5f;
    for (size_t i = 0; i < o.C * o.D; i++) s = s * 6364136223846793005ull + 1, P[i] = (float)(s >> 40) / 16777216.0f - 0.5f;
    for (size_t i = 0; i < o.M; i++) y[i] = (int32_t)((i / 5) * 7919 % o.C); /* 5 a class, spread */
    for (int v = 0; v < NV; v++) {
        dml_status st;
        p[v] = dml_params_default(o.loss);
        set_ratio(&p[v], ratios[v % NR]);
        ctx[v] = dml_ctx_create_for(&p[v], o.M, o.C, o.D, o.isa, o.threads, &st);
        if (!ctx[v]) { fprintf(stderr, "bench_sampled: %s\n", dml_last_error()); return 1; }
    }
    printf("bench_sampled: %s C=%zu D=%zu M=%zu isa=%s threads=%d fused=%d rounds=%d (interleaved)\n",
           dml_loss_name(o.loss), o.C, o.D, o.M, dml_isa_name(dml_ctx_isa(ctx[0])), o.threads,
           dml_ctx_fused(ctx[0]), o.rounds);
    for (int r = 0; r < o.rounds; r++)
        for (int v = 0; v < NV; v++)
            round_of(ctx[v], &p[v], X, y, P, dX, dP, v >= NR, &cpu[v * o.rounds + r], &wall[v * o.rounds + r]);
    double best[NV], med[NV], wbest[NV], wmed[NV];
    for (int v = 0; v < NV; v++) {
        sample_stats c = stats_of(cpu + v * o.rounds, (size_t)o.rounds);
        sample_stats w = stats_of(wall + v * o.rounds, (size_t)o.rounds);
        med[v] = c.median, best[v] = c.min;
        wmed[v] = w.median, wbest[v] = w.min;
    }
    printf("%-6s %-6s %8s %12s %12s %12s %12s %10s %10s\n", "r", "update", "classes", "cpu_min_ms",
           "cpu_med_ms", "wall_min_ms", "wall_med_ms", "x_min", "x_median");
    for (int v = 0; v < NV; v++) /* x: the full step with its whole dP over this variant */
        printf("%-6g %-6s %8zu %12.2f %12.2f %12.2f %12.2f %10.2f %10.2f\n", (double)ratios[v % NR],
               v >= NR ? "sgd" : "dP", dml_proxy_sample_count(o.C, ratios[v % NR]), best[v] * 1e3,
               med[v] * 1e3, wbest[v] * 1e3, wmed[v] * 1e3, best[0] / best[v], med[0] / med[v]);
    for (int v = 0; v < NV; v++) dml_ctx_destroy(ctx[v]);
    free(X), free(dX), free(P), free(dP), free(y), free(cpu), free(wall);
    return 0;
}
