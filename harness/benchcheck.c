/* benchcheck.c — `dmlbench bench-check`: the CI regression check on kernel
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
 * Absolute times are recorded beside, never gated.  A baseline written with a
 * different compiler, flags, C library or CPU turns a failure into a warning
 * that names the difference.  `--write-baseline FILE` records the baseline. */
#include <gnu/libc-version.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "harness.h"

#ifndef DML_BUILD_FLAGS
#define DML_BUILD_FLAGS "unknown"
#endif

#define BC_PASSES 5           /* passes over all ratio rows per measurement */
#define BC_PASS_ROUNDS 11     /* rounds of A B per row and pass: 55 rounds (>= 31) */
#define BC_EPOCH_NS 1.0e6     /* about 1 ms of thread CPU time per epoch */
#define BC_COUNT_TOL 0.03     /* instruction counts: +3 % */
#define BC_RATIO_TOL 0.15     /* speed ratios: 15 % beyond the baseline */
#define BC_ALPHA 0.05         /* 95 % interval of the median */
#define BC_CONFIRM 2          /* later measurements that must agree before a ratio fails */
#define BC_PAUSE_S 10         /* seconds between measurements of one ratio (x look number) */
#define BC_BASE_BLOCKS 5      /* the baseline ratio: the lowest of 5 measurements */

static const char bc_usage[] =
    "usage: dmlbench bench-check [--baseline FILE] [--counts DIR] [--json FILE]\n"
    "                            [--write-baseline FILE]\n"
    "  --counts DIR           callgrind dumps of build/dmlcount (make bench-counts)\n"
    "  --baseline FILE        compare with this baseline (results/baseline/bench-check.tsv)\n"
    "  --write-baseline FILE  measure and write a new baseline instead of comparing\n"
    "  --json FILE            also write the table as JSON\n";

/* ------------------------------------------------------------ provenance */

enum { PV_COMPILER, PV_FLAGS, PV_GLIBC, PV_CPU, PV_GATED, /* the rest are informative */
       PV_VALGRIND = PV_GATED, PV_COMMIT, PV_DATE, PV_COUNT };
static const char *const pv_keys[PV_COUNT] = { "compiler", "flags", "glibc", "cpu",
                                              "valgrind", "commit", "date" };
typedef struct provenance { char v[PV_COUNT][512]; } provenance;

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = 0;
}

static void popen_line(const char *cmd, char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *p = popen(cmd, "r");
    if (!p) return;
    char buf[512];
    if (fgets(buf, sizeof buf, p)) {
        chomp(buf);
        if (*buf) snprintf(out, len, "%s", buf);
    }
    pclose(p);
}

void bench_cpu_model(char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5)) {
            char *c = strchr(line, ':');
            if (c) {
                chomp(c + 1);
                snprintf(out, len, "%s", c + 2 <= line + strlen(line) ? c + 2 : c + 1);
                break;
            }
        }
    }
    fclose(f);
}

const char *bench_compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

static void provenance_now(provenance *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->v[PV_COMPILER], sizeof p->v[0], "%s", bench_compiler());
    chomp(p->v[PV_COMPILER]);
    snprintf(p->v[PV_FLAGS], sizeof p->v[0], "%s", DML_BUILD_FLAGS);
    chomp(p->v[PV_FLAGS]);
    snprintf(p->v[PV_GLIBC], sizeof p->v[0], "%s", gnu_get_libc_version());
    bench_cpu_model(p->v[PV_CPU], sizeof p->v[0]);
    popen_line("valgrind --version 2>/dev/null", p->v[PV_VALGRIND], sizeof p->v[0]);
    char commit[128], dirty[128];
    popen_line("git rev-parse --short HEAD 2>/dev/null", commit, sizeof commit);
    popen_line("git status --porcelain --untracked-files=no 2>/dev/null | head -1", dirty,
               sizeof dirty);
    snprintf(p->v[PV_COMMIT], sizeof p->v[0], "%s%s", commit,
             strcmp(dirty, "unknown") ? " (dirty)" : "");
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(p->v[PV_DATE], sizeof p->v[0], "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------------------------------------------------------------- rows */

typedef enum { KIND_COUNT, KIND_RATIO } row_kind;

typedef struct row {
    row_kind kind;
    bench_op op;
    char isa[16], shape[96];
    int measured;            /* 0: not measured here (note says why) */
    int confirmed;           /* ratio rows: beyond the threshold in every measurement */
    int rounds;              /* ratio rows: rounds pooled */
    int ci;                  /* ratio rows: the case */
    dml_isa isa_id;
    double now, lo, hi;      /* count; or speed-up median and interval */
    double ref_ns, isa_ns;   /* ratio rows: absolute times per call, medians (not gated) */
    int has_base;
    double base, base_lo, base_hi;
    char verdict[16];        /* ok, FAIL, WARN, new, n/a */
    char note[640];
} row;

typedef struct rows { row *v; size_t n, cap; } rows;

static row *rows_add(rows *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        if (!r->v) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    }
    row *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* ------------------------------------------------------- instruction counts */

/* Reads DIR/callgrind.<isa>.out.N (N = 1, 2, ...): the trigger names the case
 * ("count <op> <isa> <shape>"), "summary:" holds its instruction count. */
static int read_counts(const char *dir, const char *isa, const bench_case *bc, double *out,
                       char *err, size_t errlen)
{
    char want[160];
    snprintf(want, sizeof want, "count %s %s %s", bench_op_name(bc->op), isa, bc->shape);
    for (int n = 1; n < 1000; n++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/callgrind.%s.out.%d", dir, isa, n);
        FILE *f = fopen(path, "r");
        if (!f) break;
        char line[1024];
        int match = 0;
        double ir = -1;
        while (fgets(line, sizeof line, f)) {
            chomp(line);
            if (!strncmp(line, "desc: Trigger: Client Request: ", 31))
                match = !strcmp(line + 31, want);
            else if (!strncmp(line, "summary: ", 9))
                ir = strtod(line + 9, NULL);
            else if (!strncmp(line, "positions:", 10) || !strncmp(line, "ob=", 3))
                if (ir >= 0) break;
        }
        fclose(f);
        if (match && ir >= 0) {
            *out = ir;
            return 0;
        }
    }
    snprintf(err, errlen, "no callgrind count for '%s' in %s (run make bench-counts)", want, dir);
    return 1;
}

/* ---------------------------------------------------------- speed ratios */

static double time_calls(const bench_case *bc, const dml_kernels *k, long reps)
{
    double t0 = thread_cpu_ns();
    for (long i = 0; i < reps; i++) bench_case_run(bc, k);
    return (thread_cpu_ns() - t0) / (double)reps;
}

static long reps_for(const bench_case *bc, const dml_kernels *k)
{
    double t = time_calls(bc, k, 1);
    long reps = (long)ceil(BC_EPOCH_NS / (t > 1 ? t : 1));
    if (reps < 1) reps = 1;
    t = time_calls(bc, k, reps);
    reps = (long)ceil(BC_EPOCH_NS / (t > 1 ? t : 1));
    return reps < 1 ? 1 : reps > 1000000 ? 1000000 : reps;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The rounds of one ratio, pooled over passes: each pass adds `rounds` rounds
 * (ref epoch, SIMD epoch), and the passes run over every case in turn, so one
 * measurement spreads over the whole run rather than one burst of it. */
typedef struct pool {
    double *sp, *ta, *tb; /* speed-up, ref and SIMD ns per call, per round */
    int n, cap;
    long ra, rb;          /* calls per epoch (about BC_EPOCH_NS each) */
} pool;

static void pool_reset(pool *p, int cap)
{
    free(p->sp);
    memset(p, 0, sizeof *p);
    p->sp = malloc(3 * (size_t)cap * sizeof *p->sp);
    if (!p->sp) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    p->ta = p->sp + cap;
    p->tb = p->ta + cap;
    p->cap = cap;
}

static void pool_measure(pool *p, const bench_case *bc, const dml_kernels *ref,
                         const dml_kernels *k, int rounds)
{
    for (int w = 0; w < 2; w++) { bench_case_run(bc, ref); bench_case_run(bc, k); }
    if (!p->ra) {
        p->ra = reps_for(bc, ref);
        p->rb = reps_for(bc, k);
    }
    for (int r = 0; r < rounds && p->n < p->cap; r++, p->n++) {
        p->ta[p->n] = time_calls(bc, ref, p->ra);
        p->tb[p->n] = time_calls(bc, k, p->rb);
        p->sp[p->n] = p->ta[p->n] / p->tb[p->n];
    }
}

/* Median speed-up with its distribution-free 95 % interval; absolute medians beside. */
static void pool_finish(const pool *p, row *out)
{
    size_t n = (size_t)p->n;
    double *v = malloc(3 * n * sizeof *v);
    if (!v) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    memcpy(v, p->sp, n * sizeof *v);
    memcpy(v + n, p->ta, n * sizeof *v);
    memcpy(v + 2 * n, p->tb, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_d);
    size_t lo, hi;
    median_ci_index(n, BC_ALPHA, &lo, &hi);
    out->now = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    out->lo = v[lo];
    out->hi = v[hi];
    out->ref_ns = stats_of(v + n, n).median;
    out->isa_ns = stats_of(v + 2 * n, n).median;
    out->rounds = p->n;
    out->measured = 1;
    free(v);
}

/* ------------------------------------------------------------- baseline */

typedef struct baseline {
    provenance pv;
    int has_pv[PV_COUNT];
    rows r;
} baseline;

static char *field(char **s)
{
    char *f = *s;
    if (!f) return NULL;
    char *t = strchr(f, '\t');
    if (t) { *t = 0; *s = t + 1; } else *s = NULL;
    return f;
}

static int baseline_read(const char *path, baseline *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read baseline %s (record one with make bench-baseline)", path);
        return 1;
    }
    char line[2048];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        chomp(line);
        if (!*line) continue;
        if (line[0] == '#') {
            char *s = line + 1;
            while (*s == ' ') s++;
            char *tab = strchr(s, '\t');
            if (!tab) continue;
            *tab = 0;
            for (int i = 0; i < PV_COUNT; i++)
                if (!strcmp(s, pv_keys[i])) {
                    snprintf(b->pv.v[i], sizeof b->pv.v[i], "%s", tab + 1);
                    b->has_pv[i] = 1;
                }
            continue;
        }
        char *s = line;
        char *kind = field(&s), *op = field(&s), *isa = field(&s), *shape = field(&s);
        char *val = field(&s), *lo = field(&s), *hi = field(&s);
        if (kind && !strcmp(kind, "kind")) continue; /* header */
        row *x = rows_add(&b->r);
        if (!kind || !op || !isa || !shape || !val || !lo || !hi ||
            (strcmp(kind, "count") && strcmp(kind, "ratio")) || bench_op_parse(op, &x->op)) {
            snprintf(err, errlen, "%s:%d: malformed baseline line", path, lineno);
            fclose(f);
            return 1;
        }
        x->kind = strcmp(kind, "count") ? KIND_RATIO : KIND_COUNT;
        snprintf(x->isa, sizeof x->isa, "%s", isa);
        snprintf(x->shape, sizeof x->shape, "%s", shape);
        x->now = strtod(val, NULL);
        x->lo = strtod(lo, NULL);
        x->hi = strtod(hi, NULL);
    }
    fclose(f);
    return 0;
}

static const row *baseline_find(const baseline *b, const row *x)
{
    for (size_t i = 0; i < b->r.n; i++) {
        const row *y = &b->r.v[i];
        if (y->kind == x->kind && y->op == x->op && !strcmp(y->isa, x->isa) &&
            !strcmp(y->shape, x->shape))
            return y;
    }
    return NULL;
}

static int baseline_write(const char *path, const provenance *pv, const rows *r, int rounds)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return die("bench-check: cannot write %s", tmp);
    fprintf(f, "# dmlbench bench-check baseline, written by `make bench-baseline`.\n"
               "# Commit it with any change that makes a kernel slower on purpose.\n"
               "# count: instructions of one call under callgrind; ratio: speed-up over ref\n"
               "# (median and 95%% interval over %d interleaved rounds, pooled from %d\n"
               "# passes over all kernels); ref_ns, isa_ns: absolute thread-CPU times\n"
               "# per call, for the record only.  Each ratio is the lowest of %d such\n"
               "# measurements taken %d s apart (the machine's load shifts a ratio by up\n"
               "# to ~20 %% for minutes, up or down depending on the kernel; the lowest\n"
               "# is the conservative reference).\n", rounds, BC_PASSES, BC_BASE_BLOCKS,
            BC_PAUSE_S);
    for (int i = 0; i < PV_COUNT; i++) fprintf(f, "# %s\t%s\n", pv_keys[i], pv->v[i]);
    fprintf(f, "kind\top\tisa\tshape\tvalue\tlo\thi\tref_ns\tisa_ns\n");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        if (!x->measured) continue;
        if (x->kind == KIND_COUNT)
            fprintf(f, "count\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t-\t-\n", bench_op_name(x->op), x->isa,
                    x->shape, x->now, x->now, x->now);
        else
            fprintf(f, "ratio\t%s\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.0f\t%.0f\n", bench_op_name(x->op),
                    x->isa, x->shape, x->now, x->lo, x->hi, x->ref_ns, x->isa_ns);
    }
    if (fclose(f) || rename(tmp, path)) {
        remove(tmp);
        return die("bench-check: cannot write %s", path);
    }
    return 0;
}

/* ----------------------------------------------------------------- output */

void bc_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static void bc_json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fprintf(f, "null");
}

static int write_json(const char *path, const provenance *now, const baseline *b,
                      const rows *r, const char *result, const char *waiver)
{
    FILE *f = fopen(path, "w");
    if (!f) return die("bench-check: cannot write %s", path);
    fprintf(f, "{\n  \"result\": ");
    bc_json_str(f, result);
    fprintf(f, ",\n  \"waiver\": ");
    bc_json_str(f, waiver);
    fprintf(f, ",\n  \"provenance\": {");
    for (int i = 0; i < PV_COUNT; i++) {
        fprintf(f, "%s", i ? ", " : "");
        bc_json_str(f, pv_keys[i]);
        fprintf(f, ": ");
        bc_json_str(f, now->v[i]);
    }
    fprintf(f, "},\n  \"baseline_provenance\": {");
    for (int i = 0; b && i < PV_COUNT; i++) {
        fprintf(f, "%s", i ? ", " : "");
        bc_json_str(f, pv_keys[i]);
        fprintf(f, ": ");
        bc_json_str(f, b->pv.v[i]);
    }
    fprintf(f, "},\n  \"rows\": [\n");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        fprintf(f, "    {\"kernel\": ");
        bc_json_str(f, bench_op_name(x->op));
        fprintf(f, ", \"isa\": ");
        bc_json_str(f, x->isa);
        fprintf(f, ", \"shape\": ");
        bc_json_str(f, x->shape);
        fprintf(f, ", \"measure\": \"%s\"", x->kind == KIND_COUNT ? "instructions" : "speedup_vs_ref");
        fprintf(f, ", \"baseline\": ");
        bc_json_num(f, x->has_base ? x->base : NAN);
        fprintf(f, ", \"now\": ");
        bc_json_num(f, x->measured ? x->now : NAN);
        fprintf(f, ", \"now_lo\": ");
        bc_json_num(f, x->measured ? x->lo : NAN);
        fprintf(f, ", \"now_hi\": ");
        bc_json_num(f, x->measured ? x->hi : NAN);
        fprintf(f, ", \"change\": ");
        bc_json_num(f, x->measured && x->has_base ? x->now / x->base - 1 : NAN);
        fprintf(f, ", \"ref_ns\": ");
        bc_json_num(f, x->kind == KIND_RATIO && x->measured ? x->ref_ns : NAN);
        fprintf(f, ", \"isa_ns\": ");
        bc_json_num(f, x->kind == KIND_RATIO && x->measured ? x->isa_ns : NAN);
        fprintf(f, ", \"verdict\": ");
        bc_json_str(f, x->verdict);
        fprintf(f, ", \"note\": ");
        bc_json_str(f, x->note);
        fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) ? die("bench-check: cannot write %s", path) : 0;
}

static void print_table(const rows *r)
{
    printf("%-14s %-7s %-18s %-13s %12s  %-26s %8s  %-7s %s\n", "kernel", "isa", "shape",
           "measure", "baseline", "now", "change", "verdict", "note");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        char base[32] = "-", now[64] = "-", chg[16] = "-";
        if (x->kind == KIND_COUNT) {
            if (x->has_base) snprintf(base, sizeof base, "%.0f", x->base);
            if (x->measured) snprintf(now, sizeof now, "%.0f", x->now);
        } else {
            if (x->has_base) snprintf(base, sizeof base, "%.2fx", x->base);
            if (x->measured) snprintf(now, sizeof now, "%.2fx [%.2f, %.2f]", x->now, x->lo, x->hi);
        }
        if (x->measured && x->has_base)
            snprintf(chg, sizeof chg, "%+.1f%%", 100 * (x->now / x->base - 1));
        printf("%-14s %-7s %-18s %-13s %12s  %-26s %8s  %-7s %s\n", bench_op_name(x->op), x->isa,
               x->shape, x->kind == KIND_COUNT ? "instructions" : "speedup/ref", base, now, chg,
               x->verdict, x->note);
    }
}

/* ------------------------------------------------------------------ setup */

typedef struct bc_opts { const char *base_path, *counts, *json, *write_path; } bc_opts;

/* What one `dmlbench bench-check` works on, kept together so that each step
 * of the run can be a short function of its own. */
typedef struct bc_run {
    bc_opts o;
    provenance pv;               /* of this run */
    baseline b;                  /* empty when writing a baseline */
    dml_isa isas[DML_ISA_COUNT]; /* whatever this build and CPU support */
    int nisa;
    const dml_kernels *ref;
    bench_op ops[BOP_COUNT];
    bench_case cases[BOP_COUNT];
    size_t ncase;
    rows r;
    int count_errors;            /* instruction counts that should be there and are not */
} bc_run;

/* Returns -1 to go on, or the exit status (--help, or a bad argument). */
static int bc_parse(int argc, char **argv, bc_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(bc_usage, stdout); return 0; }
        if (i + 1 >= argc)
            return die("bench-check: unknown argument or missing value '%s' (try --help)", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--baseline")) o->base_path = v;
        else if (!strcmp(a, "--counts")) o->counts = v;
        else if (!strcmp(a, "--json")) o->json = v;
        else if (!strcmp(a, "--write-baseline")) o->write_path = v;
        else
            return die("bench-check: unknown argument '%s' (try --help)", a);
    }
    if (!o->write_path && !o->base_path)
        return die("bench-check: give --baseline FILE to compare, or --write-baseline FILE");
    return -1;
}

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

    size_t M[BOP_COUNT], C[BOP_COUNT], D[BOP_COUNT];
    R->ncase = bench_check_cases(R->ops, M, C, D);
    for (size_t c = 0; c < R->ncase; c++)
        if (bench_case_init(&R->cases[c], R->ops[c], M[c], C[c], D[c], BENCH_CHECK_SEED, err,
                            sizeof err))
            return die("bench-check: %s", err);
    return 0;
}

/* The instruction count of case c on isa, from the callgrind dumps; the note
 * says why a row has none. */
static void add_count_row(bc_run *R, size_t c, dml_isa isa)
{
    const bench_case *bc = &R->cases[c];
    row *x = rows_add(&R->r);
    x->kind = KIND_COUNT;
    x->op = R->ops[c];
    snprintf(x->isa, sizeof x->isa, "%s", dml_isa_name(isa));
    snprintf(x->shape, sizeof x->shape, "%s", bc->shape);
    char err[512];
    if (isa == DML_ISA_AVX512) {
        snprintf(x->note, sizeof x->note,
                 "not counted: %s cannot run AVX-512 (SIGILL); speed ratio below",
                 strncmp(R->pv.v[PV_VALGRIND], "valgrind", 8) ? "valgrind" : R->pv.v[PV_VALGRIND]);
    } else if (!R->o.counts) {
        snprintf(x->note, sizeof x->note, "not counted: no --counts DIR given");
    } else if (read_counts(R->o.counts, x->isa, bc, &x->now, err, sizeof err)) {
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
}

/* ------------------------------------------------------ measuring ratios */

/* Speed ratios: one measurement is BC_PASSES passes over every ratio row,
 * BC_PASS_ROUNDS rounds each, pooled.  The machine's load can shift a ratio
 * by up to ~20 % for minutes (host contention slows scalar and vector code
 * differently), so further measurements ("looks") come after pauses.
 * Compare mode: a ratio whose whole interval lies beyond the threshold is
 * measured again, BC_CONFIRM times, after pauses of BC_PAUSE_S, 2 BC_PAUSE_S,
 * ...; it fails only if every one agrees.  Baseline mode: every ratio is
 * measured BC_BASE_BLOCKS times, BC_PAUSE_S apart, and the lowest
 * measurement is recorded, so that a later run in a calmer or busier spell
 * does not read as a slowdown. */
typedef struct looks {
    pool *pools;   /* per row */
    int *pending;  /* per row: to be measured at the next look */
    row *blocks;   /* baseline mode: BC_BASE_BLOCKS measurements per row */
} looks;

static int any_pending(const looks *L, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) any |= L->pending[i];
    return any;
}

/* Waits before look number `look` (> 0): the load that made a ratio look
 * slow has then had time to pass. */
static void pause_before(int look, int write_mode)
{
    int wait = write_mode ? BC_PAUSE_S : BC_PAUSE_S * look;
    printf("  (pause %d s, then measure again)\n", wait);
    fflush(stdout);
    struct timespec pause = { wait, 0 };
    nanosleep(&pause, NULL);
}

/* One measurement of every pending row, pooled over passes that each visit
 * every row in turn. */
static void measure_look(const bc_run *R, looks *L)
{
    const int passes = BC_PASSES;
    for (size_t i = 0; i < R->r.n; i++)
        if (L->pending[i]) pool_reset(&L->pools[i], passes * BC_PASS_ROUNDS);
    for (int pass = 0; pass < passes; pass++)
        for (size_t i = 0; i < R->r.n; i++)
            if (L->pending[i])
                pool_measure(&L->pools[i], &R->cases[R->r.v[i].ci], R->ref,
                             dml_kernels_for(R->r.v[i].isa_id), BC_PASS_ROUNDS);
}

/* what: "measured" or "again"; x names the row, m holds the measurement. */
static void print_look(const char *what, const row *x, const row *m)
{
    printf("  %-8s %-13s %-7s %-18s speed-up %.2fx [%.2f, %.2f] (%d rounds)\n", what,
           bench_op_name(x->op), x->isa, x->shape, m->now, m->lo, m->hi, m->rounds);
}

/* A ratio whose whole interval lies beyond the threshold below its baseline. */
static int beyond(const row *m, const row *base)
{
    return m->hi < base->now / (1 + BC_RATIO_TOL);
}

/* Baseline mode: keeps every measurement of row i; the lowest is chosen at the end. */
static void record_block(bc_run *R, looks *L, size_t i, int look)
{
    row *x = &R->r.v[i];
    row *bl = &L->blocks[i * BC_BASE_BLOCKS + (size_t)look];
    *bl = *x;
    pool_finish(&L->pools[i], bl);
    print_look("measured", x, bl);
}

/* Compare mode, first look: row i stays pending only if it looks slower. */
static void first_look(bc_run *R, looks *L, size_t i)
{
    row *x = &R->r.v[i];
    pool_finish(&L->pools[i], x);
    print_look("measured", x, x);
    const row *y = baseline_find(&R->b, x);
    L->pending[i] = y && beyond(x, y);
}

/* Compare mode, a later look at a row that looked slower: it is confirmed
 * once BC_CONFIRM later looks agree, and cleared (keeping the later, calmer
 * measurement) as soon as one does not. */
static void confirm_look(bc_run *R, looks *L, size_t i, int look)
{
    row *x = &R->r.v[i];
    row again = *x;
    pool_finish(&L->pools[i], &again);
    print_look("again", x, &again);
    const row *y = baseline_find(&R->b, x);
    char t[128];
    snprintf(t, sizeof t, "%s%.2fx [%.2f, %.2f]", look == 1 ? "" : ", ", again.now, again.lo,
             again.hi);
    if (beyond(&again, y)) {
        strncat(x->note, t, sizeof x->note - strlen(x->note) - 1);
        if (look == BC_CONFIRM) {
            x->confirmed = 1;
            char u[sizeof x->note];
            snprintf(u, sizeof u, "%d later measurements agree: %s; ", BC_CONFIRM, x->note);
            snprintf(x->note, sizeof x->note, "%s", u);
        }
    } else {
        snprintf(x->note, sizeof x->note,
                 "first measurement %.2fx [%.2f, %.2f] not confirmed later; ", x->now, x->lo, x->hi);
        x->now = again.now, x->lo = again.lo, x->hi = again.hi;
        x->ref_ns = again.ref_ns, x->isa_ns = again.isa_ns;
        L->pending[i] = 0;
    }
}

/* Baseline mode: each ratio row becomes its lowest measurement. */
static void keep_lowest(bc_run *R, row *blocks)
{
    for (size_t i = 0; i < R->r.n; i++) {
        if (R->r.v[i].kind != KIND_RATIO) continue;
        row *m = &blocks[i * BC_BASE_BLOCKS];
        for (int a = 0; a < BC_BASE_BLOCKS; a++)
            for (int z = a + 1; z < BC_BASE_BLOCKS; z++)
                if (m[z].now < m[a].now) { row t = m[a]; m[a] = m[z]; m[z] = t; }
        R->r.v[i] = m[0];
    }
}

/* Measures every ratio row, look after look.  Returns 0 or the exit status. */
static int measure_ratios(bc_run *R)
{
    const char *write_path = R->o.write_path;
    size_t n = R->r.n;
    looks L = { calloc(n + 1, sizeof *L.pools), calloc(n + 1, sizeof *L.pending),
                calloc(n * BC_BASE_BLOCKS + 1, sizeof *L.blocks) };
    if (!L.pools || !L.pending || !L.blocks) return die("bench-check: out of memory");
    int nlooks = write_path ? BC_BASE_BLOCKS : 1 + BC_CONFIRM;
    for (size_t i = 0; i < n; i++) L.pending[i] = R->r.v[i].kind == KIND_RATIO;
    for (int look = 0; look < nlooks && any_pending(&L, n); look++) {
        if (look > 0) pause_before(look, write_path != NULL);
        measure_look(R, &L);
        for (size_t i = 0; i < n; i++) {
            if (!L.pending[i]) continue;
            if (write_path) record_block(R, &L, i, look);
            else if (look == 0) first_look(R, &L, i);
            else confirm_look(R, &L, i, look);
        }
        fflush(stdout);
    }
    if (write_path) keep_lowest(R, L.blocks);
    free(L.blocks);
    for (size_t i = 0; i < n; i++) free(L.pools[i].sp);
    free(L.pools);
    free(L.pending);
    return 0;
}

/* Absolute times go in the note: recorded for the reader, never gated. */
static void note_abs_times(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->v[i];
        if (x->kind != KIND_RATIO) continue;
        char t[128];
        snprintf(t, sizeof t, "ref %.1f us, %s %.2f us per call", x->ref_ns / 1e3, x->isa,
                 x->isa_ns / 1e3);
        strncat(x->note, t, sizeof x->note - strlen(x->note) - 1);
    }
}

/* ------------------------------------------------------------ verdicts */

/* A baseline is only written complete: a missing count would leave a row
 * that no later run can be compared with. */
static int bc_write_baseline(bc_run *R)
{
    if (R->count_errors) {
        print_table(&R->r);
        return die("bench-check: %d instruction counts missing; baseline not written",
                   R->count_errors);
    }
    if (baseline_write(R->o.write_path, &R->pv, &R->r, BC_PASSES * BC_PASS_ROUNDS)) return 1;
    for (size_t i = 0; i < R->r.n; i++) {
        row *x = &R->r.v[i];
        snprintf(x->verdict, sizeof x->verdict, "%s", x->measured ? "recorded" : "n/a");
    }
    print_table(&R->r);
    printf("bench-check: baseline written to %s (commit %s, %s)\n", R->o.write_path,
           R->pv.v[PV_COMMIT], R->pv.v[PV_DATE]);
    return 0;
}

/* The gated provenance fields that differ from the baseline's ("" if none):
 * a regression measured against a baseline from another setup only warns. */
static void provenance_diff(const provenance *now, const provenance *base, char *diff, size_t len)
{
    diff[0] = 0;
    for (int i = 0; i < PV_GATED; i++)
        if (strcmp(now->v[i], base->v[i])) {
            char t[1200];
            snprintf(t, sizeof t, "%s%s: baseline '%s', now '%s'", diff[0] ? "; " : "", pv_keys[i],
                     base->v[i], now->v[i]);
            strncat(diff, t, len - strlen(diff) - 1);
        }
}

typedef struct tally {
    int fails, warns, missing;
    char failed[1024]; /* the failing rows, for the summary line */
} tally;

/* A regression: a failure, or only a warning when the baseline was recorded
 * on another setup (diff non-empty). */
static void mark_regression(row *x, const char *diff, tally *t)
{
    if (diff[0]) {
        snprintf(x->verdict, sizeof x->verdict, "WARN");
        t->warns++;
        return;
    }
    snprintf(x->verdict, sizeof x->verdict, "FAIL");
    t->fails++;
    char s[200];
    snprintf(s, sizeof s, "%s%s %s (%s)", t->failed[0] ? ", " : "", bench_op_name(x->op), x->isa,
             x->kind == KIND_COUNT ? "instructions" : "speed-up");
    strncat(t->failed, s, sizeof t->failed - strlen(t->failed) - 1);
}

/* The verdict of one row against its baseline entry. */
static void judge_row(const baseline *b, const char *diff, row *x, tally *t)
{
    const row *y = baseline_find(b, x);
    if (y) {
        x->has_base = 1;
        x->base = y->now;
        x->base_lo = y->lo;
        x->base_hi = y->hi;
    }
    int fail = 0;
    if (!x->measured) {
        /* a count that should be there and is not fails; one not taken here is n/a */
        int missing_count = strstr(x->note, "no callgrind") != NULL;
        snprintf(x->verdict, sizeof x->verdict, "%s", missing_count ? "FAIL" : "n/a");
        t->missing += missing_count;
    } else if (!y) {
        snprintf(x->verdict, sizeof x->verdict, "new");
        if (!x->note[0])
            snprintf(x->note, sizeof x->note, "no baseline entry: run make bench-baseline");
    } else if (x->kind == KIND_COUNT) {
        if (x->now > y->now * (1 + BC_COUNT_TOL)) fail = 1;
        snprintf(x->verdict, sizeof x->verdict, "ok");
        if (!fail && x->now < y->now * (1 - BC_COUNT_TOL))
            snprintf(x->note, sizeof x->note, "fewer instructions: refresh with make bench-baseline");
    } else {
        fail = x->confirmed;
        snprintf(x->verdict, sizeof x->verdict, "ok");
    }
    if (fail) mark_regression(x, diff, t);
}

/* Baseline rows with nothing to compare here (an ISA this machine or build
 * lacks, a kernel case that changed its shape): said, not gated. */
static void print_unmatched(const baseline *b, const rows *r)
{
    size_t unmatched = 0;
    char which[512] = "";
    for (size_t i = 0; i < b->r.n; i++) {
        const row *y = &b->r.v[i];
        int found = 0;
        for (size_t j = 0; j < r->n && !found; j++)
            found = baseline_find(&(baseline){ .r = { .v = &r->v[j], .n = 1 } }, y) != NULL;
        if (found) continue;
        if (unmatched++ < 6) {
            char t[160];
            snprintf(t, sizeof t, "%s%s %s %s", which[0] ? ", " : "", bench_op_name(y->op), y->isa,
                     y->shape);
            strncat(which, t, sizeof which - strlen(which) - 1);
        }
    }
    if (unmatched)
        printf("not compared: %zu baseline rows have no counterpart here (%s%s)\n", unmatched, which,
               unmatched > 6 ? ", ..." : "");
}

/* The closing lines, and the exit status: 1 on a failure or a missing count. */
static int print_outcome(const tally *t, const char *diff, const char *counts)
{
    if (diff[0] && !t->warns)
        printf("bench-check: note: the baseline was recorded differently — %s\n", diff);
    if (t->warns)
        printf("bench-check: WARNING: %d regression(s) not gated because the baseline was recorded "
               "differently — %s.  Re-record it with make bench-baseline on this setup.\n",
               t->warns, diff);
    if (t->missing)
        printf("bench-check: FAIL: %d instruction counts missing from %s (run make bench-counts, "
               "or make bench-check)\n", t->missing, counts);
    if (t->fails)
        printf("bench-check: FAIL: slower than the baseline: %s\n", t->failed);
    if (t->fails || t->missing) return 1;
    printf("bench-check: %s\n", t->warns ? "passed with warnings" : "pass");
    return 0;
}

static int bc_compare(bc_run *R)
{
    char diff[1024];
    provenance_diff(&R->pv, &R->b.pv, diff, sizeof diff);
    tally t = { 0 };
    for (size_t i = 0; i < R->r.n; i++) judge_row(&R->b, diff, &R->r.v[i], &t);
    printf("\n");
    print_table(&R->r);
    printf("\nbaseline: %s (commit %s, %s)\n", R->o.base_path, R->b.pv.v[PV_COMMIT],
           R->b.pv.v[PV_DATE]);
    print_unmatched(&R->b, &R->r);
    printf("gates: instructions +%.0f%%; speed-up: whole 95%% interval more than %.0f%% below the "
           "baseline, and %d later measurements agree; absolute times never gated\n",
           100 * BC_COUNT_TOL, 100 * BC_RATIO_TOL, BC_CONFIRM);
    const char *result = t.fails || t.missing ? "fail" : t.warns ? "warn" : "pass";
    if (R->o.json && write_json(R->o.json, &R->pv, &R->b, &R->r, result, diff)) return 1;
    if (R->o.json) printf("the same as JSON: %s\n", R->o.json);
    return print_outcome(&t, diff, R->o.counts);
}

/* ------------------------------------------------------------------ main */

int cmd_bench_check(int argc, char **argv)
{
    bc_run R;
    memset(&R, 0, sizeof R);
    int rc = bc_parse(argc, argv, &R.o);
    if (rc >= 0) return rc;
    if ((rc = bc_setup(&R))) return rc;
    bc_rows(&R);
    if ((rc = measure_ratios(&R))) return rc;
    for (size_t c = 0; c < R.ncase; c++) bench_case_free(&R.cases[c]);
    note_abs_times(&R.r);
    return R.o.write_path ? bc_write_baseline(&R) : bc_compare(&R);
}
