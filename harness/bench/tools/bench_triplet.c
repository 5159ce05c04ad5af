/* bench_triplet.c — step time of the two triplet algorithms (`make bench-triplet`).
 *
 * A benchmark, never a test: it prints a table and gates nothing.  The shape
 * is the batch study's: D = 512, 8 classes of M/8, one thread unless told.
 * At each M both algorithms run interleaved on one context (E S E S …) so a
 * noisy neighbour slows both alike; each step is timed by wall clock and by
 * this thread's CPU clock, and the table gives the fastest and the median.
 * The enumeration is skipped where its predicted step (M³ from the last M
 * measured) exceeds --enum-limit seconds, and the table says so.  The last
 * line is the least-squares exponent k of (fastest sorted step) ∝ M^k over
 * M ≥ 128.  Links build/libdml.a and core/stats.c.
 *
 *   bench_triplet [--M 128,256,...] [--D 512] [--classes 8] [--threads 1]
 *                 [--isa auto] [--enum-limit 60] [--budget 3]     */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "dml.h"

typedef struct opts {
    size_t Ms[32], nM, D, classes;
    int threads;
    dml_isa isa;
    double enum_limit, budget;
} opts;

typedef struct timing {
    double wall[64], cpu[64];
    int n;
} timing;

/* Seconds on the library's clock: wall, and this thread's CPU time. */
static double wall_s(void) { return dml_now_ns() * 1e-9; }
static double cpu_s(void) { return dml_thread_cpu_ns() * 1e-9; }

/* The median of n ≤ 64 timings, sorting a copy: they stay in run order. */
static double median(const double *v, int n)
{
    double s[64];
    memcpy(s, v, (size_t)n * sizeof *s);
    return stats_of(s, (size_t)n).median;
}

static double fastest(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
    return m;
}

static int parse(int argc, char **argv, opts *o)
{
    static const size_t def[] = { 128, 256, 512, 1024, 2048, 4096, 8192 };
    *o = (opts){ .nM = 7, .D = 512, .classes = 8, .threads = 1, .isa = DML_ISA_AUTO,
                 .enum_limit = 60, .budget = 3 };
    memcpy(o->Ms, def, sizeof def);
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--M")) {
            o->nM = 0;
            for (char *s = (char *)v, *e; *s && o->nM < 32; s = *e ? e + 1 : e) {
                o->Ms[o->nM++] = strtoul(s, &e, 10);
                if (e == s) return 1;
            }
        } else if (!strcmp(k, "--D")) o->D = strtoul(v, NULL, 10);
        else if (!strcmp(k, "--classes")) o->classes = strtoul(v, NULL, 10);
        else if (!strcmp(k, "--threads")) o->threads = atoi(v);
        else if (!strcmp(k, "--enum-limit")) o->enum_limit = atof(v);
        else if (!strcmp(k, "--budget")) o->budget = atof(v);
        else if (!strcmp(k, "--isa")) { if (dml_isa_parse(v, &o->isa) != DML_OK) return 1; }
        else return 1;
    }
    return argc % 2 == 0; /* an option without its value */
}

/* One timed step; the wall and CPU seconds go into t. */
static void timed_step(dml_ctx *ctx, int algorithm, const opts *o, const float *X,
                       const int32_t *y, float *L, float *dX, timing *t)
{
    (void)o;
    dml_triplet_params p = { 0.1f, algorithm };
    double w0 = wall_s(), c0 = cpu_s();
    dml_status st = dml_triplet(ctx, &p, X, y, L, dX);
    __asm__ volatile("" ::: "memory");
    double c1 = cpu_s(), w1 = wall_s();
    if (st != DML_OK) {
        fprintf(stderr, "bench_triplet: %s\n", dml_last_error());
        exit(1);
    }
    t->wall[t->n] = w1 - w0;
    t->cpu[t->n] = c1 - c0;
    t->n++;
}

typedef struct row {
    size_t M;
    int enum_run;
    timing e, s;
    double agree_dL; /* |L_sorted − L_enum| / |L_enum| */
    int same_dX;
    double s_fwd, s_bwd;
} row;

/* E S E S … until the budget is spent (at least 3 pairs, or 1 when the
 * enumeration alone takes longer than the budget). */
static void measure(row *r, const opts *o, int run_enum)
{
    size_t M = r->M, D = o->D;
    float *X = malloc(M * D * sizeof *X), *dE = malloc(M * D * sizeof *X), *dS = malloc(M * D * sizeof *X);
    int32_t *y = malloc(M * sizeof *y);
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_TRIPLET, M, o->classes, D, o->isa, o->threads, &st);
    if (!X || !dE || !dS || !y || !ctx) {
        fprintf(stderr, "bench_triplet: M = %zu: %s\n", M, ctx ? "out of memory" : dml_last_error());
        exit(1);
    }
    unsigned long long s = 12345 + M;
    for (size_t i = 0; i < M * D; i++) { /* uniform in [-1, 1): direction is all that matters */
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        X[i] = (float)((double)(s >> 11) * 0x1p-52 - 1.0);
    }
    size_t per = M / o->classes ? M / o->classes : 1; /* blocks of M/8, as the batch study */
    for (size_t i = 0; i < M; i++) y[i] = (int32_t)(i / per % o->classes);
    float LE = 0, LS = 0;
    timed_step(ctx, DML_TRIPLET_SORTED, o, X, y, &LS, dS, &r->s); /* warm-up, discarded */
    r->s.n = 0;
    double t0 = wall_s();
    do {
        if (run_enum) timed_step(ctx, DML_TRIPLET_ENUMERATE, o, X, y, &LE, dE, &r->e);
        timed_step(ctx, DML_TRIPLET_SORTED, o, X, y, &LS, dS, &r->s);
    } while (r->s.n < 64 && (r->s.n < 3 || wall_s() - t0 < o->budget) &&
             !(run_enum && r->e.wall[0] > o->budget));
    dml_ctx_phase_ns(ctx, &r->s_fwd, &r->s_bwd);
    r->enum_run = run_enum;
    r->agree_dL = run_enum ? fabs((double)LS - LE) / fabs((double)LE) : NAN;
    r->same_dX = run_enum ? memcmp(dE, dS, M * D * sizeof *dE) == 0 : -1;
    dml_ctx_destroy(ctx);
    free(X); free(dE); free(dS); free(y);
}

static void print_row(const row *r)
{
    double sf = fastest(r->s.wall, r->s.n), sm = median(r->s.wall, r->s.n);
    double sc = fastest(r->s.cpu, r->s.n);
    printf("| %5zu | ", r->M);
    if (r->enum_run) {
        double ef = fastest(r->e.wall, r->e.n), em = median(r->e.wall, r->e.n);
        printf("%9.4f | %9.4f | %3d | ", ef, em, r->e.n);
        printf("%8.4f | %8.4f | %8.4f | %3d | %6.1f× | %6.1f× | %.1e | %s |\n", sf, sm, sc, r->s.n,
               ef / sf, em / sm, r->agree_dL, r->same_dX ? "yes" : "NO");
    } else {
        printf("  skipped |         — |   — | ");
        printf("%8.4f | %8.4f | %8.4f | %3d |      — |      — |       — | — |\n", sf, sm, sc, r->s.n);
    }
}

int main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_triplet [--M a,b,...] [--D n] [--classes n] [--threads n] "
                        "[--isa name] [--enum-limit s] [--budget s]\n");
        return 2;
    }
    if (dml_isa_init() != DML_OK) { fprintf(stderr, "%s\n", dml_last_error()); return 1; }
    dml_isa isa = o.isa == DML_ISA_AUTO ? dml_isa_default() : o.isa;
    printf("# triplet step (forward + backward), D = %zu, %zu classes of M/%zu, %d thread(s), ISA %s, margin 0.1\n",
           o.D, o.classes, o.classes, o.threads, dml_isa_name(isa));
    printf("# seconds per step: fastest and median wall, fastest thread CPU (sorted); n = steps timed\n");
    printf("| M | enum fastest | enum median | n | sorted fastest | sorted median | sorted CPU | n | speed-up fastest | speed-up median | ΔL/L | dX identical |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    double lx[32], ly[32], last_enum = 0;
    size_t last_M = 0, nfit = 0;
    for (size_t i = 0; i < o.nM; i++) {
        row r = { .M = o.Ms[i] };
        double predicted = last_M ? last_enum * pow((double)r.M / (double)last_M, 3) : 0;
        int run_enum = predicted <= o.enum_limit;
        measure(&r, &o, run_enum);
        if (run_enum) { last_enum = fastest(r.e.wall, r.e.n); last_M = r.M; }
        else printf("# M = %zu: enumeration skipped, predicted %.0f s per step (> %.0f s)\n", r.M,
                    predicted, o.enum_limit);
        print_row(&r);
        fflush(stdout);
        if (r.M >= 128) {
            lx[nfit] = log((double)r.M);
            ly[nfit++] = log(fastest(r.s.wall, r.s.n));
        }
        if (i + 1 == o.nM)
            printf("# sorted at M = %zu, last step: forward %.3f s, backward %.3f s\n", r.M,
                   r.s_fwd * 1e-9, r.s_bwd * 1e-9);
    }
    if (nfit >= 2) {
        double mx = 0, my = 0, sxy = 0, sxx = 0;
        for (size_t i = 0; i < nfit; i++) { mx += lx[i] / nfit; my += ly[i] / nfit; }
        for (size_t i = 0; i < nfit; i++) { sxy += (lx[i] - mx) * (ly[i] - my); sxx += (lx[i] - mx) * (lx[i] - mx); }
        printf("# fitted exponent of the sorted step, t ∝ M^k over M ≥ 128: k = %.3f\n", sxy / sxx);
    }
    return 0;
}
