/* bench_run.h — private to bench/: what one `dmlbench bench` gathers, kept
 * together so that each step of the run, and its report, can be a short
 * function of its own. */
#ifndef DML_BENCH_BENCH_RUN_H
#define DML_BENCH_BENCH_RUN_H

#include <stdio.h>

#include "bench/blas.h"
#include "bench/peak.h"
#include "point/kcase.h"

#define MAX_CONT (DML_ISA_COUNT + 1)

typedef struct contender {
    char name[32];
    const dml_kernels *k; /* NULL: OpenBLAS */
    const blas *b;
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
} brow;

typedef struct brows { brow *v; size_t n, cap; } brows;

/* Proxy-Anchor forward+backward on one ISA against its three products alone. */
typedef struct pa { char isa[32]; double step, products, ratio; } pa;

/* One loss step computed two ways, interleaved (steps.c): fastest and
 * median thread-CPU ns of each variant, the FLOPs of its products. */
typedef struct step_row {
    char what[96], isa[32], variant[2][24];
    double min_ns[2], median_ns[2];
    double flops, speedup; /* speedup: variant 0's fastest over variant 1's */
} step_row;
#define MAX_STEPS 32

/* A goal of the paper: reported as met or not met, never enforced. */
typedef struct target { char what[256]; double value, goal; int higher_better, met; } target;
#define MAX_TARGETS 64

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
    step_row steps[MAX_STEPS];
    int nsteps;
    target tg[MAX_TARGETS];
    int ntg;
} bench_run;

static inline double rate(const brow *x) { return x->work / x->r.cpu_med; } /* per ns = G/s */

/* steps.c: every step comparison on every SIMD ISA. */
int bench_steps(bench_run *R);

/* bench_report.c */
void bench_print_header(const bench_run *R);
void bench_print_json(const bench_run *R);
void bench_print_text(const bench_run *R);

#endif
