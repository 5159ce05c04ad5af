/* bench.c — `dmlbench bench [--json] [--quick]`: throughput of every kernel
 * on the loss shapes of the paper (M = 180; C = 100, 1000, 11318;
 * D = 64, 512, 1024), every ISA this machine runs, one thread.
 *
 * In one process, interleaved across contenders (ISA A, ISA B, OpenBLAS, A, B,
 * ...), timed with CLOCK_THREAD_CPUTIME_ID (CLOCK_MONOTONIC beside), after a
 * warm-up, as medians over rounds.  Reports GFLOP/s for the products and
 * elements/s for normalize, LSE⁺ and exp; the fraction of this core's FP32 FMA
 * peak, measured in the same run by a probe per vector width
 * (harness/peak_<isa>.c, compiled with that ISA's flags); the ratio to
 * cblas_sgemm on the same product when OpenBLAS is installed (dlopen'ed at run
 * time: neither the library nor dmlbench links it); and Proxy-Anchor
 * forward+backward against its three products alone.  Targets are reported as
 * met / not met; nothing fails on them. */
#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

#define MAX_CONT (DML_ISA_COUNT + 1)

static const char bench_usage[] =
    "usage: dmlbench bench [--json] [--quick]\n"
    "  every kernel x every ISA here on the paper's shapes (M=180; C=100,1000,11318;\n"
    "  D=64,512,1024), one thread; --quick: C=1000, D=512 only; --json: JSON on stdout\n"
    "  OpenBLAS (libopenblas.so.0, or DML_OPENBLAS=name|path) is dlopen'ed as a yardstick\n";

/* ------------------------------------------------------------- OpenBLAS */

typedef struct blas {
    void *h;
    cblas_sgemm_fn sgemm;
    char core[64];    /* the kernel set OpenBLAS chose (openblas_get_corename) */
    char config[320];
} blas;

/* The library to load: DML_OPENBLAS (a name or path) or libopenblas.so.0. */
static const char *blas_name(void)
{
    const char *e = getenv("DML_OPENBLAS");
    return e && *e ? e : "libopenblas.so.0";
}

/* Loads libopenblas.so.0 with OPENBLAS_CORETYPE = coretype (NULL: as the
 * environment says), in a new link namespace when newns (a second, independent
 * copy).  Sets it to one thread. */
static int blas_load(blas *b, const char *coretype, int newns)
{
    memset(b, 0, sizeof *b);
    char *saved = getenv("OPENBLAS_CORETYPE") ? strdup(getenv("OPENBLAS_CORETYPE")) : NULL;
    if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
    b->h = newns ? dlmopen(LM_ID_NEWLM, blas_name(), RTLD_NOW | RTLD_LOCAL)
                 : dlopen(blas_name(), RTLD_NOW | RTLD_LOCAL);
    if (coretype) {
        if (saved) setenv("OPENBLAS_CORETYPE", saved, 1);
        else unsetenv("OPENBLAS_CORETYPE");
    }
    free(saved);
    if (!b->h) return 1;
    b->sgemm = (cblas_sgemm_fn)dlsym(b->h, "cblas_sgemm");
    void (*set_threads)(int) = (void (*)(int))dlsym(b->h, "openblas_set_num_threads");
    char *(*get_config)(void) = (char *(*)(void))dlsym(b->h, "openblas_get_config");
    char *(*get_core)(void) = (char *(*)(void))dlsym(b->h, "openblas_get_corename");
    if (!b->sgemm) {
        dlclose(b->h);
        b->h = NULL;
        return 1;
    }
    if (set_threads) set_threads(1);
    snprintf(b->core, sizeof b->core, "%s", get_core ? get_core() : "unknown");
    snprintf(b->config, sizeof b->config, "%s%s", get_config ? get_config() : blas_name(),
             set_threads ? ", 1 thread" : ", thread count not settable");
    return 0;
}

static int core_in(const char *core, const char *const *list)
{
    for (; *list; list++)
        if (!strcasecmp(core, *list)) return 1;
    return 0;
}

/* The yardstick: OpenBLAS as the environment configures it; but when it picks
 * kernels narrower than the CPU runs (OpenBLAS 0.3.21 takes this Sapphire
 * Rapids VM, CPUID model 207, for a "Prescott" and runs SSE3 kernels at a
 * quarter of its speed), it is reloaded with the widest core type the CPU
 * runs, and the note says so.  OPENBLAS_CORETYPE set by the user is kept. */
static void blas_open(blas *b, blas *b256, char *note, size_t notelen)
{
    static const char *const wide512[] = { "SkylakeX", "Cooperlake", "SapphireRapids", NULL };
    static const char *const wide256[] = { "SkylakeX", "Cooperlake", "SapphireRapids", "Haswell",
                                           "Zen", "Excavator", NULL };
    note[0] = 0;
    memset(b256, 0, sizeof *b256);
    if (blas_load(b, NULL, 0)) return;
    const char *want = NULL;
    if (!getenv("OPENBLAS_CORETYPE")) {
        if (dml_isa_supported(DML_ISA_AVX512) && !core_in(b->core, wide512)) want = "SkylakeX";
        else if (dml_isa_supported(DML_ISA_AVX2) && !core_in(b->core, wide256)) want = "Haswell";
    }
    if (want) {
        char was[64];
        snprintf(was, sizeof was, "%s", b->core);
        dlclose(b->h);
        if (dlopen(blas_name(), RTLD_NOW | RTLD_NOLOAD)) {
            snprintf(note, notelen, "OpenBLAS chose %s kernels, narrower than this CPU runs, and "
                     "could not be reloaded: set OPENBLAS_CORETYPE=%s", was, want);
            blas_load(b, NULL, 0);
        } else {
            blas_load(b, want, 0);
            snprintf(note, notelen, "OpenBLAS chose %s kernels on this CPU; reloaded with "
                     "OPENBLAS_CORETYPE=%s (set it yourself to choose)", was, want);
        }
    }
    /* For the AVX2 kernels, also the same vector width: a second copy with
     * Haswell (AVX2) kernels, when the first uses AVX-512 ones. */
    if (b->h && dml_isa_supported(DML_ISA_AVX2) && core_in(b->core, wide512))
        blas_load(b256, "Haswell", 1);
}

/* ------------------------------------------------------------- timing */

typedef struct contender {
    char name[32];
    const dml_kernels *k; /* NULL: OpenBLAS */
    const blas *b;
} contender;

typedef struct result {
    double cpu_med, cpu_min, wall_med; /* ns per call */
    int ok;
} result;

static double run_n(const bench_case *bc, const contender *c, long n, double *wall)
{
    double w0 = now_ns(), t0 = thread_cpu_ns();
    for (long i = 0; i < n; i++) {
        if (c->k) bench_case_run(bc, c->k);
        else bench_case_run_blas(bc, c->b->sgemm);
    }
    double t = thread_cpu_ns() - t0;
    *wall = (now_ns() - w0) / (double)n;
    return t / (double)n;
}

/* Interleaved rounds A B C A B C ...; each sample is ~2 ms of calls. */
static void measure(const bench_case *bc, const contender *cs, int nc, int rounds,
                    result *out)
{
    long reps[MAX_CONT];
    double *cpu = calloc((size_t)rounds * nc, sizeof *cpu), *wall = calloc((size_t)rounds * nc, sizeof *wall);
    if (!cpu || !wall) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    for (int c = 0; c < nc; c++) {
        double w, t = run_n(bc, &cs[c], 1, &w); /* warm-up + estimate */
        t = run_n(bc, &cs[c], 1, &w);
        reps[c] = t > 2e6 ? 1 : (long)ceil(2e6 / (t > 1 ? t : 1));
    }
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < nc; c++)
            cpu[c * rounds + r] = run_n(bc, &cs[c], reps[c], &wall[c * rounds + r]);
    for (int c = 0; c < nc; c++) {
        sample_stats s = stats_of(cpu + c * rounds, (size_t)rounds);
        sample_stats sw = stats_of(wall + c * rounds, (size_t)rounds);
        out[c].cpu_med = s.median;
        out[c].cpu_min = s.min;
        out[c].wall_med = sw.median;
        out[c].ok = 1;
    }
    free(cpu);
    free(wall);
}

/* ------------------------------------------------------------- peak probe */

typedef struct peak { char isa[16]; double gflops; } peak;

static double probe(double (*fn)(uint64_t))
{
    double best = 0;
    fn(200000); /* warm: clocks up, code in cache */
    for (int i = 0; i < 9; i++) {
        double t0 = thread_cpu_ns();
        double flops = fn(4000000);
        double t = thread_cpu_ns() - t0;
        if (flops / t > best) best = flops / t;
    }
    return best;
}

static int probe_peaks(peak *p)
{
    int n = 0;
#if defined(__x86_64__)
    if (dml_isa_supported(DML_ISA_AVX2)) {
        snprintf(p[n].isa, sizeof p[n].isa, "avx2");
        p[n++].gflops = probe(dml_peak_fma_avx2);
    }
    if (dml_isa_supported(DML_ISA_AVX512)) {
        snprintf(p[n].isa, sizeof p[n].isa, "avx512");
        p[n++].gflops = probe(dml_peak_fma_avx512);
    }
#elif defined(__aarch64__)
    if (dml_isa_supported(DML_ISA_NEON)) {
        snprintf(p[n].isa, sizeof p[n].isa, "neon");
        p[n++].gflops = probe(dml_peak_fma_neon);
    }
#endif
    return n;
}

/* ------------------------------------------------------------- rows */

typedef struct brow {
    bench_op op;
    char shape[96], who[32];
    size_t M, C, D;
    double work;
    int flops;
    result r;
    double vs_ref, vs_blas; /* speed-up over ref; rate / OpenBLAS rate (NaN if none) */
    double vs_blas256;      /* rate / rate of OpenBLAS with AVX2 kernels (NaN if none) */
} brow;

typedef struct brows { brow *v; size_t n, cap; } brows;

static brow *brow_add(brows *b)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 128;
        b->v = realloc(b->v, b->cap * sizeof *b->v);
        if (!b->v) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    }
    brow *x = &b->v[b->n++];
    memset(x, 0, sizeof *x);
    x->vs_ref = x->vs_blas = x->vs_blas256 = NAN;
    return x;
}

static const brow *find(const brows *b, bench_op op, const char *who, size_t C, size_t D)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].op == op && !strcmp(b->v[i].who, who) && b->v[i].C == C &&
            (b->v[i].D == D || op == BOP_LSE || op == BOP_EXP))
            return &b->v[i];
    return NULL;
}

static double rate(const brow *x) { return x->work / x->r.cpu_med; } /* per ns = G/s */

/* ------------------------------------------------------------- main */

int cmd_bench(int argc, char **argv)
{
    int json = 0, quick = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(bench_usage, stdout);
            return 0;
        } else
            return die("bench: unknown argument '%s' (usage: dmlbench bench [--json] [--quick])", argv[i]);
    }
    FILE *log = json ? stderr : stdout; /* progress */

    contender cs[MAX_CONT];
    int ncs = 0, ref_idx = -1;
    for (int i = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_supported((dml_isa)i)) {
            if (i == DML_ISA_REF) ref_idx = ncs;
            snprintf(cs[ncs].name, sizeof cs[ncs].name, "%s", dml_isa_name((dml_isa)i));
            cs[ncs++].k = dml_kernels_for((dml_isa)i);
        }
    blas bl, bl256;
    char blnote[512];
    blas_open(&bl, &bl256, blnote, sizeof blnote);

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    peak pk[DML_ISA_COUNT];
    int npk = probe_peaks(pk);
    double core_peak = 0;
    for (int i = 0; i < npk; i++) if (pk[i].gflops > core_peak) core_peak = pk[i].gflops;

    fprintf(log, "dmlbench bench — one thread, %s, %s\n", cpu, bench_compiler());
    fprintf(log, "FP32 FMA peak (probe, this run):");
    for (int i = 0; i < npk; i++) fprintf(log, " %s %.1f GFLOP/s;", pk[i].isa, pk[i].gflops);
    fprintf(log, "%s core peak %.1f GFLOP/s\n", npk ? "" : " no SIMD probe;", core_peak);
    if (bl.h) fprintf(log, "OpenBLAS: %s\n", bl.config);
    else fprintf(log, "OpenBLAS not found (%s): no OpenBLAS column, its targets not evaluated\n", blas_name());
    if (blnote[0]) fprintf(log, "  note: %s\n", blnote);
    if (bl256.h) fprintf(log, "OpenBLAS, same width as avx2 (second copy, \"openblas256\"): %s\n", bl256.config);
    fflush(log);

    static const size_t Cs[] = { 100, 1000, 11318 }, Ds[] = { 64, 512, 1024 };
    const size_t M = 180;
    int rounds = quick ? 7 : 11;
    brows rows = { 0 };

    for (int op = 0; op < BOP_COUNT; op++) {
        for (size_t ci = 0; ci < 3; ci++) {
            for (size_t di = 0; di < 3; di++) {
                size_t C = Cs[ci], D = Ds[di];
                if (quick && (C != 1000 || D != 512)) continue;
                /* shapes that do not depend on C or D are run once */
                if ((op == BOP_SYRK) && ci != (quick ? 1 : 0)) continue;
                if ((op == BOP_LSE || op == BOP_EXP) && di != (quick ? 1 : 0)) continue;
                bench_case bc;
                char err[256];
                size_t cC = op == BOP_SYRK ? M : C;
                if (bench_case_init(&bc, (bench_op)op, M, cC, D, 7, err, sizeof err))
                    return die("bench: %s", err);
                int gemm = op == BOP_GEMM_S || op == BOP_GEMM_DX || op == BOP_GEMM_DP;
                contender use[MAX_CONT];
                int nuse = 0;
                for (int c = 0; c < ncs; c++) {
                    /* the scalar reference only where one call stays under ~50 ms */
                    if (c == ref_idx && bc.work_is_flops && bc.work > 1.5e8) continue;
                    use[nuse++] = cs[c];
                }
                if (gemm && bl.h) {
                    snprintf(use[nuse].name, sizeof use[nuse].name, "openblas");
                    use[nuse].b = &bl;
                    use[nuse++].k = NULL;
                }
                if (gemm && bl256.h) {
                    snprintf(use[nuse].name, sizeof use[nuse].name, "openblas256");
                    use[nuse].b = &bl256;
                    use[nuse++].k = NULL;
                }
                result res[MAX_CONT];
                measure(&bc, use, nuse, rounds, res);
                double ref_t = NAN, blas_t = NAN, blas256_t = NAN;
                for (int c = 0; c < nuse; c++) {
                    if (!strcmp(use[c].name, "ref")) ref_t = res[c].cpu_med;
                    if (use[c].b == &bl) blas_t = res[c].cpu_med;
                    if (use[c].b == &bl256) blas256_t = res[c].cpu_med;
                }
                for (int c = 0; c < nuse; c++) {
                    brow *x = brow_add(&rows);
                    x->op = (bench_op)op;
                    snprintf(x->shape, sizeof x->shape, "%s", bc.shape);
                    snprintf(x->who, sizeof x->who, "%.31s", use[c].name);
                    x->M = M, x->C = cC, x->D = D;
                    x->work = bc.work;
                    x->flops = bc.work_is_flops;
                    x->r = res[c];
                    x->vs_ref = ref_t / res[c].cpu_med;
                    if (gemm) x->vs_blas = blas_t / res[c].cpu_med;
                    if (gemm) x->vs_blas256 = blas256_t / res[c].cpu_med;
                }
                fprintf(log, "  %-13s %-18s", bench_op_name((bench_op)op), bc.shape);
                for (int c = 0; c < nuse; c++)
                    fprintf(log, "  %s %.2f %s", use[c].name, bc.work / res[c].cpu_med,
                            bc.work_is_flops ? "GFLOP/s" : "Gelem/s");
                fprintf(log, "\n");
                fflush(log);
                bench_case_free(&bc);
            }
        }
    }

    /* Proxy-Anchor forward+backward vs its three products alone, M=180 C=1000 D=512. */
    typedef struct pa { char isa[32]; double step, products, ratio; } pa;
    pa pas[DML_ISA_COUNT];
    int npa = 0;
    {
        batch_spec bs = { .M = 180, .C = 1000, .D = 512, .per_class = 5, .noise = 0.5f,
                          .proxy_noise = 0.1f, .seed = 7 };
        batch bt;
        char err[256];
        if (batch_make(&bs, &bt, err, sizeof err)) return die("bench: %s", err);
        float *dX = malloc(bs.M * bs.D * sizeof *dX), *dP = malloc(bs.C * bs.D * sizeof *dP);
        bench_case pc[3];
        for (int p = 0; p < 3; p++)
            if (bench_case_init(&pc[p], (bench_op)(BOP_GEMM_S + p), 180, 1000, 512, 7, err, sizeof err))
                return die("bench: %s", err);
        for (int c = 0; c < ncs; c++) {
            if (c == ref_idx || !dX || !dP) continue;
            dml_status st;
            dml_ctx *ctx = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, bs.M, bs.C, bs.D,
                                          cs[c].k->isa, 1, &st);
            if (!ctx) return die("bench: %s", lib_error(st));
            dml_proxy_anchor_params pp = DML_PROXY_ANCHOR_DEFAULTS;
            float loss;
            double st_t[15], pr_t[15];
            for (int r = -2; r < 15; r++) {
                double t0 = thread_cpu_ns();
                st = dml_proxy_anchor(ctx, &pp, bt.X, bt.y, bt.P, &loss, dX, dP);
                COMPILER_BARRIER();
                double t1 = thread_cpu_ns();
                if (st != DML_OK) return die("bench: proxy_anchor: %s", lib_error(st));
                for (int p = 0; p < 3; p++) bench_case_run(&pc[p], cs[c].k);
                double t2 = thread_cpu_ns();
                if (r >= 0) { st_t[r] = t1 - t0; pr_t[r] = t2 - t1; }
            }
            dml_ctx_destroy(ctx);
            snprintf(pas[npa].isa, sizeof pas[npa].isa, "%.31s", cs[c].name);
            pas[npa].step = stats_of(st_t, 15).median;
            pas[npa].products = stats_of(pr_t, 15).median;
            pas[npa].ratio = pas[npa].step / pas[npa].products;
            npa++;
        }
        for (int p = 0; p < 3; p++) bench_case_free(&pc[p]);
        free(dX);
        free(dP);
        batch_free(&bt);
    }

    /* Targets. */
    typedef struct target { char what[256]; double value, goal; int higher_better, met; } target;
    target tg[64];
    int ntg = 0;
#define TARGET(v, g, hb, ...)                                                            \
    do {                                                                                 \
        if (ntg < 64 && isfinite(v)) {                                                   \
            snprintf(tg[ntg].what, sizeof tg[ntg].what, __VA_ARGS__);                    \
            tg[ntg].value = (v), tg[ntg].goal = (g), tg[ntg].higher_better = (hb);       \
            tg[ntg].met = (hb) ? (v) >= (g) : (v) <= (g);                                \
            ntg++;                                                                       \
        }                                                                                \
    } while (0)
    for (int p = BOP_GEMM_S; p <= BOP_GEMM_DP; p++) {
        const brow *a5 = find(&rows, (bench_op)p, "avx512", 1000, 512);
        const brow *a2 = find(&rows, (bench_op)p, "avx2", 1000, 512);
        if (a5) {
            TARGET(a5->vs_blas, 0.85, 1, "%s M=180 C=1000 D=512 avx512 / OpenBLAS >= 0.85",
                   bench_op_name((bench_op)p));
            TARGET(rate(a5) / core_peak, 0.75, 1, "%s M=180 C=1000 D=512 avx512 fraction of peak >= 0.75",
                   bench_op_name((bench_op)p));
        }
        if (a2) {
            TARGET(a2->vs_blas, 0.75, 1, "%s M=180 C=1000 D=512 avx2 / OpenBLAS >= 0.75",
                   bench_op_name((bench_op)p));
            TARGET(a2->vs_blas256, 0.75, 1, "%s M=180 C=1000 D=512 avx2 / OpenBLAS-AVX2 >= 0.75",
                   bench_op_name((bench_op)p));
        }
    }
    for (size_t ci = 1; ci < 3; ci++) {
        const brow *a5 = find(&rows, BOP_LSE, "avx512", Cs[ci], 0);
        const brow *a2 = find(&rows, BOP_LSE, "avx2", Cs[ci], 0);
        if (a5) TARGET(a5->vs_ref, 8, 1, "lse rows=180 n=%zu avx512 speed-up over ref >= 8", Cs[ci]);
        if (a2) TARGET(a2->vs_ref, 5, 1, "lse rows=180 n=%zu avx2 speed-up over ref >= 5", Cs[ci]);
    }
    for (int i = 0; i < npa; i++)
        TARGET(pas[i].ratio, 1.2, 0, "proxy_anchor fwd+bwd M=180 C=1000 D=512 %.31s / its 3 products <= 1.2",
               pas[i].isa);

    if (json) {
        printf("{\"cpu\": ");
        bc_json_str(stdout, cpu);
        printf(", \"compiler\": ");
        bc_json_str(stdout, bench_compiler());
        printf(", \"threads\": 1, \"rounds\": %d, \"openblas\": ", rounds);
        if (bl.h) bc_json_str(stdout, bl.config); else printf("null");
        printf(", \"openblas_note\": ");
        bc_json_str(stdout, blnote);
        printf(", \"openblas_avx2\": ");
        if (bl256.h) bc_json_str(stdout, bl256.config); else printf("null");
        printf(", \"peak_gflops\": {");
        for (int i = 0; i < npk; i++) printf("%s\"%s\": %.3f", i ? ", " : "", pk[i].isa, pk[i].gflops);
        printf("}, \"core_peak_gflops\": %.3f,\n \"rows\": [\n", core_peak);
        for (size_t i = 0; i < rows.n; i++) {
            const brow *x = &rows.v[i];
            printf("  {\"kernel\": \"%s\", \"shape\": \"%s\", \"M\": %zu, \"C\": %zu, \"D\": %zu, "
                   "\"who\": \"%s\", \"cpu_ns_median\": %.1f, \"cpu_ns_min\": %.1f, "
                   "\"wall_ns_median\": %.1f, \"%s\": %.4f",
                   bench_op_name(x->op), x->shape, x->M, x->C, x->D, x->who, x->r.cpu_med,
                   x->r.cpu_min, x->r.wall_med, x->flops ? "gflops" : "gelem_per_s", rate(x));
            if (x->flops && core_peak > 0) printf(", \"peak_fraction\": %.4f", rate(x) / core_peak);
            if (isfinite(x->vs_ref)) printf(", \"speedup_vs_ref\": %.3f", x->vs_ref);
            if (isfinite(x->vs_blas)) printf(", \"ratio_vs_openblas\": %.4f", x->vs_blas);
            if (isfinite(x->vs_blas256)) printf(", \"ratio_vs_openblas_avx2\": %.4f", x->vs_blas256);
            printf("}%s\n", i + 1 < rows.n ? "," : "");
        }
        printf(" ],\n \"proxy_anchor\": [");
        for (int i = 0; i < npa; i++)
            printf("%s{\"isa\": \"%s\", \"step_ns\": %.0f, \"products_ns\": %.0f, \"ratio\": %.4f}",
                   i ? ", " : "", pas[i].isa, pas[i].step, pas[i].products, pas[i].ratio);
        printf("],\n \"targets\": [\n");
        for (int i = 0; i < ntg; i++)
            printf("  {\"target\": \"%s\", \"value\": %.4f, \"goal\": %.3f, \"met\": %s}%s\n",
                   tg[i].what, tg[i].value, tg[i].goal, tg[i].met ? "true" : "false",
                   i + 1 < ntg ? "," : "");
        printf(" ]}\n");
    } else {
        printf("\n%-13s %-20s %-11s %11s %11s %14s %6s %7s %9s %9s\n", "kernel", "shape", "who",
               "median us", "min us", "rate", "%peak", "x ref", "/OpenBLAS", "/OB-AVX2");
        for (size_t i = 0; i < rows.n; i++) {
            const brow *x = &rows.v[i];
            char rt[32], pkf[16] = "-", vr[16] = "-", vb[16] = "-", vb2[16] = "-";
            snprintf(rt, sizeof rt, "%.2f %s", rate(x), x->flops ? "GFLOP/s" : "Gel/s");
            if (x->flops && core_peak > 0) snprintf(pkf, sizeof pkf, "%.0f%%", 100 * rate(x) / core_peak);
            if (isfinite(x->vs_ref)) snprintf(vr, sizeof vr, "%.1fx", x->vs_ref);
            if (isfinite(x->vs_blas)) snprintf(vb, sizeof vb, "%.2f", x->vs_blas);
            if (isfinite(x->vs_blas256)) snprintf(vb2, sizeof vb2, "%.2f", x->vs_blas256);
            printf("%-13s %-20s %-11s %11.1f %11.1f %14s %6s %7s %9s %9s\n", bench_op_name(x->op),
                   x->shape, x->who, x->r.cpu_med / 1e3, x->r.cpu_min / 1e3, rt, pkf, vr, vb, vb2);
        }
        printf("\nProxy-Anchor forward+backward, M=180 C=1000 D=512, one thread (median of 15):\n");
        for (int i = 0; i < npa; i++)
            printf("  %-7s step %.3f ms, its three products alone %.3f ms, ratio %.3f\n", pas[i].isa,
                   pas[i].step / 1e6, pas[i].products / 1e6, pas[i].ratio);
        printf("\nTargets (one thread; reported, not enforced):\n");
        for (int i = 0; i < ntg; i++)
            printf("  %-8s %-72s %.3f\n", tg[i].met ? "met" : "NOT met", tg[i].what, tg[i].value);
        if (!bl.h) printf("  (OpenBLAS not found: the OpenBLAS targets are not evaluated)\n");
    }
    free(rows.v);
    if (bl.h) dlclose(bl.h);
    if (bl256.h) dlclose(bl256.h);
    return 0;
}
