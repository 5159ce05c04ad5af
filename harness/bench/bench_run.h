/* bench_run.h — private to bench/: what one `dmlbench bench` gathers, kept
 * together so that each step of the run, and its report, can be a short
 * function of its own. */
#ifndef DML_BENCH_BENCH_RUN_H
#define DML_BENCH_BENCH_RUN_H

#include <stdio.h>

#include "bench/blas.h"
#include "core/idle.h"
#include "bench/peak.h"
#include "point/kcase.h"

/* every ISA, two OpenBLAS copies, a peak probe per vector ISA */
#define MAX_CONT (2 * DML_ISA_COUNT + 2)

typedef struct contender {
    char name[32];
    const dml_kernels *k; /* NULL: OpenBLAS, or a probe */
    const blas *b;
    const peak *probe;    /* the FMA probe, run for as many FLOPs as the case */
    uint64_t iters;
} contender;

typedef struct result {
    double cpu_med, cpu_min, wall_med; /* ns per call */
    int ok;
} result;

typedef struct brow {
    kernel_op op;
    char shape[96], who[32];
    size_t M, C, D;
    double work;
    int flops;
    result r;
    double vs_ref, vs_blas; /* speed-up over ref; rate / OpenBLAS rate (NaN if none) */
    double vs_blas256;      /* rate / rate of OpenBLAS with AVX2 kernels (NaN if none) */
    double peak;            /* GFLOP/s of the FMA probe of this row's vector width,
                             * interleaved with it (products), else the run's probe */
    double peak_best;       /* the same probe in its fastest round (products; else NaN) */
    double vs_blas256_best; /* fastest round over OpenBLAS-AVX2's fastest round */
} brow;

typedef struct brows { brow *v; size_t n, cap; } brows;

/* One loss step computed two or three ways, interleaved (steps.c): fastest
 * and median ns of each variant (thread CPU, or wall when a variant runs on
 * more than one thread), the FLOPs of its products. */
#define MAX_VARIANTS 3
typedef enum {
    STEP_TWO_WAYS, /* two algorithms of one step (triplet enumerate, sorted) */
    STEP_FUSED,    /* proxy step: unfused, fused, its three products alone */
    STEP_THREADS,  /* the fused proxy step on one thread, on two */
} step_kind;
typedef struct step_row {
    char what[96], isa[32], variant[MAX_VARIANTS][24];
    dml_loss loss;
    size_t C;
    step_kind kind;
    int nvar, wall, threads[MAX_VARIANTS];
    double min_ns[MAX_VARIANTS], median_ns[MAX_VARIANTS];
    double flops, speedup; /* speedup: variant 0's fastest over variant 1's */
    double peak;           /* GFLOP/s of one core of this ISA (the probe of this run) */
} step_row;
#define MAX_STEPS 64

/* A goal of the paper: reported as met or not met, never enforced. */
typedef struct target { char what[256]; double value, goal; int higher_better, met; } target;
#define MAX_TARGETS 64

typedef struct bench_run {
    int json, quick, rounds;
    int precision_only; /* bench --precision: the fp32/bf16 step cases alone */
    int scaling_only;   /* bench --scaling: the 1- against 2-thread step cases alone */
    int products, isa;       /* bench_opts: products only; one ISA (or -1: all) */
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
    int cores;               /* physical cores: the two-thread rows need two */
    step_row steps[MAX_STEPS];
    int nsteps;
    target tg[MAX_TARGETS];
    int ntg;
    char binding[256];       /* where the threads run (inside the allowed cpuset) */
    idle_mark idle_start;    /* the machine at the start; idle: over the whole run */
    idle_report idle;
} bench_run;

static inline double rate(const brow *x) { return x->work / x->r.cpu_med; } /* per ns = G/s */
static inline double rate_best(const brow *x) { return x->work / x->r.cpu_min; }

/* steps.c: every step comparison on every SIMD ISA, and their targets. */
int bench_steps(bench_run *R);
void bench_step_targets(bench_run *R);

/* bench.c: records a target unless its value could not be measured here
 * (NaN: no OpenBLAS, no such ISA). */
void bench_add_target(bench_run *R, double v, double goal, int higher_better, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* bench_report.c */
void bench_print_header(const bench_run *R);
void bench_print_json(const bench_run *R);
void bench_print_text(const bench_run *R);

#endif
