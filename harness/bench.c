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
#include <stdarg.h>
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

/* ------------------------------------------------------------- the run */

/* The paper's shapes: M = 180 and every C × D below (--quick: C=1000, D=512). */
#define BENCH_M 180
static const size_t bench_Cs[] = { 100, 1000, 11318 }, bench_Ds[] = { 64, 512, 1024 };

/* Proxy-Anchor forward+backward on one ISA against its three products alone. */
typedef struct pa { char isa[32]; double step, products, ratio; } pa;

/* A goal of the paper: reported as met or not met, never enforced. */
typedef struct target { char what[256]; double value, goal; int higher_better, met; } target;
#define MAX_TARGETS 64

/* What one `dmlbench bench` gathers, kept together so that each step of the
 * run can be a short function of its own. */
typedef struct bench_run {
    int json, quick, rounds;
    FILE *log;               /* progress: stdout, or stderr when stdout is JSON */
    contender cs[MAX_CONT];  /* one per ISA this CPU runs */
    int ncs, ref_idx;        /* ref_idx: the scalar reference in cs, or -1 */
    blas bl, bl256;          /* OpenBLAS, and its AVX2 copy (h NULL: none) */
    char blnote[512];
    char cpu[256];
    peak pk[DML_ISA_COUNT];
    int npk;
    double core_peak;        /* the widest probe's GFLOP/s */
    brows rows;
    pa pas[DML_ISA_COUNT];
    int npa;
    target tg[MAX_TARGETS];
    int ntg;
} bench_run;

/* Returns -1 to go on, or the exit status (--help, or a bad argument). */
static int bench_parse(int argc, char **argv, bench_run *R)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) R->json = 1;
        else if (!strcmp(argv[i], "--quick")) R->quick = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(bench_usage, stdout);
            return 0;
        } else
            return die("bench: unknown argument '%s' (usage: dmlbench bench [--json] [--quick])", argv[i]);
    }
    return -1;
}

/* The contenders, the yardstick and the peak, all measured before any kernel
 * so that the header can say what the table is relative to. */
static void bench_setup(bench_run *R)
{
    R->ref_idx = -1;
    for (int i = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_supported((dml_isa)i)) {
            if (i == DML_ISA_REF) R->ref_idx = R->ncs;
            snprintf(R->cs[R->ncs].name, sizeof R->cs[R->ncs].name, "%s", dml_isa_name((dml_isa)i));
            R->cs[R->ncs++].k = dml_kernels_for((dml_isa)i);
        }
    blas_open(&R->bl, &R->bl256, R->blnote, sizeof R->blnote);
    bench_cpu_model(R->cpu, sizeof R->cpu);
    R->npk = probe_peaks(R->pk);
    R->core_peak = 0;
    for (int i = 0; i < R->npk; i++)
        if (R->pk[i].gflops > R->core_peak) R->core_peak = R->pk[i].gflops;
}

static void print_header(const bench_run *R)
{
    FILE *log = R->log;
    fprintf(log, "dmlbench bench — one thread, %s, %s\n", R->cpu, bench_compiler());
    fprintf(log, "FP32 FMA peak (probe, this run):");
    for (int i = 0; i < R->npk; i++) fprintf(log, " %s %.1f GFLOP/s;", R->pk[i].isa, R->pk[i].gflops);
    fprintf(log, "%s core peak %.1f GFLOP/s\n", R->npk ? "" : " no SIMD probe;", R->core_peak);
    if (R->bl.h) fprintf(log, "OpenBLAS: %s\n", R->bl.config);
    else fprintf(log, "OpenBLAS not found (%s): no OpenBLAS column, its targets not evaluated\n", blas_name());
    if (R->blnote[0]) fprintf(log, "  note: %s\n", R->blnote);
    if (R->bl256.h) fprintf(log, "OpenBLAS, same width as avx2 (second copy, \"openblas256\"): %s\n", R->bl256.config);
    fflush(log);
}

static int is_gemm(bench_op op)
{
    return op == BOP_GEMM_S || op == BOP_GEMM_DX || op == BOP_GEMM_DP;
}

/* Whether shape (Cs[ci], Ds[di]) is measured for op: --quick keeps one; a
 * kernel whose shape does not depend on C (syrk) or D (lse, exp) runs once. */
static int shape_wanted(const bench_run *R, bench_op op, size_t ci, size_t di)
{
    if (R->quick && (bench_Cs[ci] != 1000 || bench_Ds[di] != 512)) return 0;
    if ((op == BOP_SYRK) && ci != (R->quick ? 1 : 0)) return 0;
    if ((op == BOP_LSE || op == BOP_EXP) && di != (R->quick ? 1 : 0)) return 0;
    return 1;
}

/* Every ISA; OpenBLAS and its AVX2 copy on the products only, as cblas_sgemm
 * has nothing to offer for the other kernels. */
static int pick_contenders(bench_run *R, bench_op op, const bench_case *bc, contender *use)
{
    int nuse = 0;
    for (int c = 0; c < R->ncs; c++) {
        /* the scalar reference only where one call stays under ~50 ms */
        if (c == R->ref_idx && bc->work_is_flops && bc->work > 1.5e8) continue;
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
    return nuse;
}

/* One row per contender, with its speed-up over ref and its ratio to each
 * OpenBLAS copy (NaN where that contender was not run). */
static void add_rows(bench_run *R, bench_op op, const bench_case *bc, size_t C, size_t D,
                     const contender *use, int nuse, const result *res)
{
    double ref_t = NAN, blas_t = NAN, blas256_t = NAN;
    for (int c = 0; c < nuse; c++) {
        if (!strcmp(use[c].name, "ref")) ref_t = res[c].cpu_med;
        if (use[c].b == &R->bl) blas_t = res[c].cpu_med;
        if (use[c].b == &R->bl256) blas256_t = res[c].cpu_med;
    }
    for (int c = 0; c < nuse; c++) {
        brow *x = brow_add(&R->rows);
        x->op = op;
        snprintf(x->shape, sizeof x->shape, "%s", bc->shape);
        snprintf(x->who, sizeof x->who, "%.31s", use[c].name);
        x->M = BENCH_M, x->C = C, x->D = D;
        x->work = bc->work;
        x->flops = bc->work_is_flops;
        x->r = res[c];
        x->vs_ref = ref_t / res[c].cpu_med;
        if (is_gemm(op)) x->vs_blas = blas_t / res[c].cpu_med;
        if (is_gemm(op)) x->vs_blas256 = blas256_t / res[c].cpu_med;
    }
}

/* One progress line per case as soon as it is measured, so that a long run
 * shows where it is. */
static void print_progress(const bench_run *R, bench_op op, const bench_case *bc,
                           const contender *use, int nuse, const result *res)
{
    fprintf(R->log, "  %-13s %-18s", bench_op_name(op), bc->shape);
    for (int c = 0; c < nuse; c++)
        fprintf(R->log, "  %s %.2f %s", use[c].name, bc->work / res[c].cpu_med,
                bc->work_is_flops ? "GFLOP/s" : "Gelem/s");
    fprintf(R->log, "\n");
    fflush(R->log);
}

/* Measures op on one shape, all its contenders interleaved.  Returns 0, or
 * the exit status after a message. */
static int bench_shape(bench_run *R, bench_op op, size_t C, size_t D)
{
    bench_case bc;
    char err[256];
    size_t cC = op == BOP_SYRK ? BENCH_M : C; /* syrk is M × M */
    if (bench_case_init(&bc, op, BENCH_M, cC, D, 7, err, sizeof err))
        return die("bench: %s", err);
    contender use[MAX_CONT];
    int nuse = pick_contenders(R, op, &bc, use);
    result res[MAX_CONT];
    measure(&bc, use, nuse, R->rounds, res);
    add_rows(R, op, &bc, cC, D, use, nuse, res);
    print_progress(R, op, &bc, use, nuse, res);
    bench_case_free(&bc);
    return 0;
}

static int bench_sweep(bench_run *R)
{
    for (int op = 0; op < BOP_COUNT; op++)
        for (size_t ci = 0; ci < 3; ci++)
            for (size_t di = 0; di < 3; di++)
                if (shape_wanted(R, (bench_op)op, ci, di) &&
                    bench_shape(R, (bench_op)op, bench_Cs[ci], bench_Ds[di]))
                    return 1;
    return 0;
}

/* ------------------------------------------------------------- Proxy-Anchor */

/* Each step is followed at once by the three products on the same inputs, so
 * both medians (of 15, after 2 warm-up steps) see the same machine state. */
static int pa_time(const contender *c, const batch_spec *bs, const batch *bt, const bench_case *pc,
                   float *dX, float *dP, pa *out)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, bs->M, bs->C, bs->D, c->k->isa, 1, &st);
    if (!ctx) return die("bench: %s", lib_error(st));
    dml_proxy_anchor_params pp = DML_PROXY_ANCHOR_DEFAULTS;
    float loss;
    double st_t[15], pr_t[15];
    for (int r = -2; r < 15; r++) {
        double t0 = thread_cpu_ns();
        st = dml_proxy_anchor(ctx, &pp, bt->X, bt->y, bt->P, &loss, dX, dP);
        COMPILER_BARRIER();
        double t1 = thread_cpu_ns();
        if (st != DML_OK) return die("bench: proxy_anchor: %s", lib_error(st));
        for (int p = 0; p < 3; p++) bench_case_run(&pc[p], c->k);
        double t2 = thread_cpu_ns();
        if (r >= 0) { st_t[r] = t1 - t0; pr_t[r] = t2 - t1; }
    }
    dml_ctx_destroy(ctx);
    snprintf(out->isa, sizeof out->isa, "%.31s", c->name);
    out->step = stats_of(st_t, 15).median;
    out->products = stats_of(pr_t, 15).median;
    out->ratio = out->step / out->products;
    return 0;
}

/* Proxy-Anchor forward+backward vs its three products alone, M=180 C=1000
 * D=512, every ISA but the scalar reference: how much the loss adds. */
static int bench_proxy_anchor(bench_run *R)
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
    for (int c = 0; c < R->ncs; c++) {
        if (c == R->ref_idx || !dX || !dP) continue;
        if (pa_time(&R->cs[c], &bs, &bt, pc, dX, dP, &R->pas[R->npa])) return 1;
        R->npa++;
    }
    for (int p = 0; p < 3; p++) bench_case_free(&pc[p]);
    free(dX);
    free(dP);
    batch_free(&bt);
    return 0;
}

/* ------------------------------------------------------------- targets */

/* Records a target unless its value could not be measured here (NaN: no
 * OpenBLAS, no such ISA). */
static void add_target(bench_run *R, double v, double goal, int higher_better, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add_target(bench_run *R, double v, double goal, int higher_better, const char *fmt, ...)
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

static void collect_targets(bench_run *R)
{
    for (int p = BOP_GEMM_S; p <= BOP_GEMM_DP; p++) {
        const char *name = bench_op_name((bench_op)p);
        const brow *a5 = find(&R->rows, (bench_op)p, "avx512", 1000, 512);
        const brow *a2 = find(&R->rows, (bench_op)p, "avx2", 1000, 512);
        if (a5) {
            add_target(R, a5->vs_blas, 0.85, 1, "%s M=180 C=1000 D=512 avx512 / OpenBLAS >= 0.85", name);
            add_target(R, rate(a5) / R->core_peak, 0.75, 1,
                       "%s M=180 C=1000 D=512 avx512 fraction of peak >= 0.75", name);
        }
        if (a2) {
            add_target(R, a2->vs_blas, 0.75, 1, "%s M=180 C=1000 D=512 avx2 / OpenBLAS >= 0.75", name);
            add_target(R, a2->vs_blas256, 0.75, 1,
                       "%s M=180 C=1000 D=512 avx2 / OpenBLAS-AVX2 >= 0.75", name);
        }
    }
    for (size_t ci = 1; ci < 3; ci++) {
        const brow *a5 = find(&R->rows, BOP_LSE, "avx512", bench_Cs[ci], 0);
        const brow *a2 = find(&R->rows, BOP_LSE, "avx2", bench_Cs[ci], 0);
        if (a5) add_target(R, a5->vs_ref, 8, 1, "lse rows=180 n=%zu avx512 speed-up over ref >= 8", bench_Cs[ci]);
        if (a2) add_target(R, a2->vs_ref, 5, 1, "lse rows=180 n=%zu avx2 speed-up over ref >= 5", bench_Cs[ci]);
    }
    for (int i = 0; i < R->npa; i++)
        add_target(R, R->pas[i].ratio, 1.2, 0,
                   "proxy_anchor fwd+bwd M=180 C=1000 D=512 %.31s / its 3 products <= 1.2", R->pas[i].isa);
}

/* ------------------------------------------------------------- output */

static void print_json_row(const brow *x, double core_peak, int last)
{
    printf("  {\"kernel\": \"%s\", \"shape\": \"%s\", \"M\": %zu, \"C\": %zu, \"D\": %zu, "
           "\"who\": \"%s\", \"cpu_ns_median\": %.1f, \"cpu_ns_min\": %.1f, "
           "\"wall_ns_median\": %.1f, \"%s\": %.4f",
           bench_op_name(x->op), x->shape, x->M, x->C, x->D, x->who, x->r.cpu_med,
           x->r.cpu_min, x->r.wall_med, x->flops ? "gflops" : "gelem_per_s", rate(x));
    if (x->flops && core_peak > 0) printf(", \"peak_fraction\": %.4f", rate(x) / core_peak);
    if (isfinite(x->vs_ref)) printf(", \"speedup_vs_ref\": %.3f", x->vs_ref);
    if (isfinite(x->vs_blas)) printf(", \"ratio_vs_openblas\": %.4f", x->vs_blas);
    if (isfinite(x->vs_blas256)) printf(", \"ratio_vs_openblas_avx2\": %.4f", x->vs_blas256);
    printf("}%s\n", last ? "" : ",");
}

static void print_json(const bench_run *R)
{
    printf("{\"cpu\": ");
    bc_json_str(stdout, R->cpu);
    printf(", \"compiler\": ");
    bc_json_str(stdout, bench_compiler());
    printf(", \"threads\": 1, \"rounds\": %d, \"openblas\": ", R->rounds);
    if (R->bl.h) bc_json_str(stdout, R->bl.config); else printf("null");
    printf(", \"openblas_note\": ");
    bc_json_str(stdout, R->blnote);
    printf(", \"openblas_avx2\": ");
    if (R->bl256.h) bc_json_str(stdout, R->bl256.config); else printf("null");
    printf(", \"peak_gflops\": {");
    for (int i = 0; i < R->npk; i++) printf("%s\"%s\": %.3f", i ? ", " : "", R->pk[i].isa, R->pk[i].gflops);
    printf("}, \"core_peak_gflops\": %.3f,\n \"rows\": [\n", R->core_peak);
    for (size_t i = 0; i < R->rows.n; i++) print_json_row(&R->rows.v[i], R->core_peak, i + 1 == R->rows.n);
    printf(" ],\n \"proxy_anchor\": [");
    for (int i = 0; i < R->npa; i++)
        printf("%s{\"isa\": \"%s\", \"step_ns\": %.0f, \"products_ns\": %.0f, \"ratio\": %.4f}",
               i ? ", " : "", R->pas[i].isa, R->pas[i].step, R->pas[i].products, R->pas[i].ratio);
    printf("],\n \"targets\": [\n");
    for (int i = 0; i < R->ntg; i++)
        printf("  {\"target\": \"%s\", \"value\": %.4f, \"goal\": %.3f, \"met\": %s}%s\n",
               R->tg[i].what, R->tg[i].value, R->tg[i].goal, R->tg[i].met ? "true" : "false",
               i + 1 < R->ntg ? "," : "");
    printf(" ]}\n");
}

static void print_text_row(const brow *x, double core_peak)
{
    char rt[32], pkf[16] = "-", vr[16] = "-", vb[16] = "-", vb2[16] = "-";
    snprintf(rt, sizeof rt, "%.2f %s", rate(x), x->flops ? "GFLOP/s" : "Gel/s");
    if (x->flops && core_peak > 0) snprintf(pkf, sizeof pkf, "%.0f%%", 100 * rate(x) / core_peak);
    if (isfinite(x->vs_ref)) snprintf(vr, sizeof vr, "%.1fx", x->vs_ref);
    if (isfinite(x->vs_blas)) snprintf(vb, sizeof vb, "%.2f", x->vs_blas);
    if (isfinite(x->vs_blas256)) snprintf(vb2, sizeof vb2, "%.2f", x->vs_blas256);
    printf("%-13s %-20s %-11s %11.1f %11.1f %14s %6s %7s %9s %9s\n", bench_op_name(x->op),
           x->shape, x->who, x->r.cpu_med / 1e3, x->r.cpu_min / 1e3, rt, pkf, vr, vb, vb2);
}

static void print_text(const bench_run *R)
{
    printf("\n%-13s %-20s %-11s %11s %11s %14s %6s %7s %9s %9s\n", "kernel", "shape", "who",
           "median us", "min us", "rate", "%peak", "x ref", "/OpenBLAS", "/OB-AVX2");
    for (size_t i = 0; i < R->rows.n; i++) print_text_row(&R->rows.v[i], R->core_peak);
    printf("\nProxy-Anchor forward+backward, M=180 C=1000 D=512, one thread (median of 15):\n");
    for (int i = 0; i < R->npa; i++)
        printf("  %-7s step %.3f ms, its three products alone %.3f ms, ratio %.3f\n", R->pas[i].isa,
               R->pas[i].step / 1e6, R->pas[i].products / 1e6, R->pas[i].ratio);
    printf("\nTargets (one thread; reported, not enforced):\n");
    for (int i = 0; i < R->ntg; i++)
        printf("  %-8s %-72s %.3f\n", R->tg[i].met ? "met" : "NOT met", R->tg[i].what, R->tg[i].value);
    if (!R->bl.h) printf("  (OpenBLAS not found: the OpenBLAS targets are not evaluated)\n");
}

/* ------------------------------------------------------------- main */

int cmd_bench(int argc, char **argv)
{
    bench_run R;
    memset(&R, 0, sizeof R);
    int rc = bench_parse(argc, argv, &R);
    if (rc >= 0) return rc;
    R.log = R.json ? stderr : stdout;
    R.rounds = R.quick ? 7 : 11;
    bench_setup(&R);
    print_header(&R);
    if (bench_sweep(&R) || bench_proxy_anchor(&R)) return 1;
    collect_targets(&R);
    if (R.json) print_json(&R);
    else print_text(&R);
    free(R.rows.v);
    if (R.bl.h) dlclose(R.bl.h);
    if (R.bl256.h) dlclose(R.bl256.h);
    return 0;
}
