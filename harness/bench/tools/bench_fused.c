/* bench_fused.c — `make bench-fused`: the whole Proxy-Anchor and Proxy-NCA
 * step (forward + backward), fused against unfused, against the three products
 * alone, and against the FP32 FMA peak measured in the same run.
 *
 * A benchmark, never a test: nothing here passes or fails on a time.  The
 * machines are shared, so every variant of a shape runs interleaved in one
 * process (peak, fused, unfused, products, peak, fused, ...), each round long
 * enough (~40 ms) to average out scheduling; we print the fastest round and
 * the median round of each.  FLOPs are those of the three products, 3 × 2MCD.
 *
 *   bench_fused [--isa avx512|avx2] [--threads N] [--rounds R] [--c C] [--loss pa|nca]
 *
 * Links build/libdml.a and core/stats.c (the step-level table moves into
 * `dmlbench bench` once harness/ has its new layout). */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "dml.h"

double dml_peak_fma_avx2(uint64_t iters);
double dml_peak_fma_avx512(uint64_t iters);

/* Seconds on the library's clock. */
static double now_s(void) { return dml_now_ns() * 1e-9; }

/* One variant of one shape: what it runs and the seconds per call of each round. */
typedef struct variant {
    const char *name;
    void (*run)(void *arg);
    void *arg;
    int reps;
    double *t;
} variant;

typedef struct step_arg {
    dml_ctx *ctx;
    dml_params params;
    const float *X, *P;
    const int32_t *y;
    float *dX, *dP;
} step_arg;

static void run_step(void *p)
{
    step_arg *a = p;
    float L;
    if (dml_loss_step(a->ctx, &a->params, a->X, a->y, a->P, &L, a->dX, a->dP) != DML_OK) {
        fprintf(stderr, "bench_fused: %s\n", dml_last_error());
        exit(1);
    }
    __asm__ volatile("" ::: "memory");
}

/* The three products of a step on already normalised operands, one thread,
 * straight from the kernel table: Sᵀ = P̂X̂ᵀ, G P̂ and Gᵀ X̂ (G as C×M). */
typedef struct prod_arg {
    const dml_kernels *k;
    size_t M, C, D;
    const float *Xn, *Pn, *G;
    float *S, *dX, *dP, *work;
} prod_arg;

static void run_products(void *p)
{
    prod_arg *a = p;
    a->k->gemm(0, 1, a->C, a->M, a->D, a->Pn, a->D, a->Xn, a->D, a->S, a->M, a->work);
    a->k->gemm(1, 0, a->M, a->D, a->C, a->G, a->M, a->Pn, a->D, a->dX, a->D, a->work);
    a->k->gemm(0, 0, a->C, a->D, a->M, a->G, a->M, a->Xn, a->D, a->dP, a->D, a->work);
    __asm__ volatile("" ::: "memory");
}

/* The FMA probe on every thread at once: GFLOP/s of `threads` cores. */
typedef struct peak_arg {
    dml_isa isa;
    int threads;
    double gflops;
} peak_arg;

static void run_peak(void *p)
{
    peak_arg *a = p;
    const uint64_t iters = 1u << 21;
    double flops = 0, t0 = now_s();
#pragma omp parallel num_threads(a->threads) reduction(+ : flops)
    flops += a->isa == DML_ISA_AVX512 ? dml_peak_fma_avx512(iters) : dml_peak_fma_avx2(iters);
    double g = flops / (now_s() - t0) * 1e-9;
    if (g > a->gflops)
        a->gflops = g;
}

static int reps_for(variant *v, double seconds)
{
    double t0 = now_s();
    v->run(v->arg); /* warm-up, and the length of one call */
    double one = now_s() - t0;
    int r = one > 0 ? (int)(seconds / one) : 1000;
    return r < 1 ? 1 : r > 1000 ? 1000 : r;
}

static void interleave(variant *v, int nv, int rounds)
{
    for (int i = 0; i < nv; i++)
        v[i].reps = reps_for(&v[i], 0.04);
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < nv; i++) {
            double t0 = now_s();
            for (int k = 0; k < v[i].reps; k++)
                v[i].run(v[i].arg);
            v[i].t[r] = (now_s() - t0) / v[i].reps;
        }
}

static float *randn(size_t n, uint64_t *s)
{
    float *a = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) { /* sum of uniforms: close enough to normal here */
        float u = 0;
        for (int k = 0; k < 4; k++) {
            *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
            u += (float)((double)(*s >> 11) / 9007199254740992.0) - 0.5f;
        }
        a[i] = u;
    }
    return a;
}

typedef struct shape {
    dml_loss loss;
    size_t M, C, D;
    dml_isa isa;
    int threads, rounds;
} shape;

static dml_ctx *make_ctx(const shape *s, int fused)
{
    dml_status st;
    dml_ctx *c = dml_ctx_create(s->loss, s->M, s->C, s->D, s->isa, s->threads, &st);
    if (!c || dml_ctx_set_fused(c, fused) != DML_OK) {
        fprintf(stderr, "bench_fused: %s\n", dml_last_error());
        exit(1);
    }
    return c;
}

/* One shape: every variant interleaved, then one line of the table. */
static void bench_shape(const shape *s)
{
    const size_t M = s->M, C = s->C, D = s->D;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ C;
    float *X = randn(M * D, &seed), *P = randn(C * D, &seed);
    float *dX = randn(M * D, &seed), *dP = randn(C * D, &seed), *S = randn(C * M, &seed);
    float *G = randn(C * M, &seed), *work = aligned_alloc(64, DML_GEMM_WORK_FLOATS * 4);
    int32_t *y = malloc(M * sizeof *y);
    for (size_t i = 0; i < M; i++) /* 2 samples a class, as CUB-style batches */
        y[i] = (int32_t)((i / 2 * 7919) % C);
    step_arg fa = { make_ctx(s, 1), dml_params_default(s->loss), X, P, y, dX, dP };
    step_arg ua = fa;
    ua.ctx = make_ctx(s, 0);
    prod_arg pa = { dml_kernels_for(s->isa), M, C, D, X, P, G, S, dX, dP, work };
    peak_arg pk = { s->isa, s->threads, 0 };
    double *t = calloc((size_t)s->rounds * 4, sizeof *t);
    variant v[4] = {
        { "peak", run_peak, &pk, 0, t }, { "fused", run_step, &fa, 0, t + s->rounds },
        { "unfused", run_step, &ua, 0, t + 2 * s->rounds },
        { "products", run_products, &pa, 0, t + 3 * s->rounds },
    };
    int nv = s->threads == 1 ? 4 : 3; /* the bare products run on one thread */
    interleave(v, nv, s->rounds);

    double flops = 6.0 * (double)M * C * D, peak = pk.gflops * 1e9;
    /* Sorts each variant's rounds: nothing reads them in run order after this. */
    sample_stats f = stats_of(v[1].t, (size_t)s->rounds), u = stats_of(v[2].t, (size_t)s->rounds);
    printf("%-4s %-6s %d %6zu %6.1f | %8.3f %8.3f %5.1f%% %5.1f%% | %8.3f %8.3f %5.1f%% %5.1f%% |",
           s->loss == DML_LOSS_PROXY_ANCHOR ? "pa" : "nca", dml_isa_name(s->isa), s->threads, C,
           pk.gflops, f.min * 1e3, f.median * 1e3, 100 * flops / f.min / peak,
           100 * flops / f.median / peak, u.min * 1e3, u.median * 1e3, 100 * flops / u.min / peak,
           100 * flops / u.median / peak);
    if (nv == 4) {
        sample_stats p = stats_of(v[3].t, (size_t)s->rounds);
        printf(" %8.3f %5.1f%% %5.2f |", p.min * 1e3, 100 * flops / p.min / peak, f.min / p.min);
    } else {
        printf(" %8s %6s %5s |", "-", "-", "-");
    }
    printf(" %5.2f %5.2f\n", u.min / f.min, u.median / f.median);
    fflush(stdout);
    dml_ctx_destroy(fa.ctx), dml_ctx_destroy(ua.ctx);
    free(X), free(P), free(dX), free(dP), free(S), free(G), free(work), free(y), free(t);
}

static void header(void)
{
    printf("M = 180, D = 512; FLOPs = 3 x 2MCD; times in ms per step; %% of the FMA peak of\n"
           "the threads used (probe in the same run, fastest round); fastest and median round\n");
    printf("%-4s %-6s %s %6s %6s | %-34s | %-34s | %-21s | %s\n", "loss", "isa", "t", "C",
           "GF/s", "fused: fast  median  %fast  %med", "unfused: fast median  %fast  %med",
           "3 products: fast %  step/prod", "speed-up fast med");
}

int main(int argc, char **argv)
{
    dml_isa isas[2] = { DML_ISA_AVX512, DML_ISA_AVX2 };
    int n_isas = 2, threads[2] = { 1, 2 }, n_threads = 2, rounds = 9, n_cs = 3, n_loss = 2;
    size_t cs[3] = { 100, 1000, 11318 };
    dml_loss losses[2] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_PROXY_NCA };
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--isa") && dml_isa_parse(argv[i + 1], &isas[0]) == DML_OK) n_isas = 1;
        else if (!strcmp(argv[i], "--threads")) threads[0] = atoi(argv[i + 1]), n_threads = 1;
        else if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--c")) cs[0] = (size_t)atol(argv[i + 1]), n_cs = 1;
        else if (!strcmp(argv[i], "--loss")) {
            losses[0] = !strcmp(argv[i + 1], "nca") ? DML_LOSS_PROXY_NCA : DML_LOSS_PROXY_ANCHOR;
            n_loss = 1;
        } else {
            fprintf(stderr, "usage: bench_fused [--isa I] [--threads N] [--rounds R] [--c C] [--loss pa|nca]\n");
            return 2;
        }
    }
    if (rounds < 1) rounds = 1;
    header();
    for (int a = 0; a < n_isas; a++) {
        if (!dml_isa_supported(isas[a]) || (isas[a] != DML_ISA_AVX2 && isas[a] != DML_ISA_AVX512)) {
            printf("%s: not runnable here (or no probe for it), skipped\n", dml_isa_name(isas[a]));
            continue;
        }
        for (int l = 0; l < n_loss; l++)
            for (int c = 0; c < n_cs; c++)
                for (int t = 0; t < n_threads; t++) {
                    shape s = { losses[l], 180, cs[c], 512, isas[a], threads[t], rounds };
                    bench_shape(&s);
                }
    }
    return 0;
}
