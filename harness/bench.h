/* bench.h — kernel cases shared by `dmlbench bench`, `dmlbench bench-check`
 * and the instruction-count program build/dmlcount.
 *
 * A case is one kernel entry of the dispatch table (dml_kernels) on one fixed
 * shape with seeded inputs; it is always called through the table of an ISA,
 * the way the losses call it. */
#ifndef DML_BENCH_H
#define DML_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dml.h"

typedef enum bench_op {
    BOP_NORMALIZE = 0,  /* rows × d                     */
    BOP_NORMALIZE_BWD,  /* rows × d                     */
    BOP_GEMM_S,         /* Sᵀ = P̂ X̂ᵀ: gemm(0,1, C, M, D)  */
    BOP_GEMM_DX,        /* dX = Gᵀᵀ P̂: gemm(1,0, M, D, C) */
    BOP_GEMM_DP,        /* dP = Gᵀ X̂:  gemm(0,0, C, D, M) */
    BOP_SYRK,           /* X̂ X̂ᵀ: syrk(M, D)              */
    BOP_LSE,            /* M rows of length C, weights  */
    BOP_EXP,            /* M × C elements               */
    BOP_COUNT
} bench_op;

const char *bench_op_name(bench_op op);     /* "normalize", "gemm_S", "lse", ... */
int bench_op_parse(const char *name, bench_op *out);

typedef struct bench_case {
    bench_op op;
    size_t M, C, D;         /* the loss shape the case is cut from */
    char shape[96];         /* printable, e.g. "M=180 C=100 D=64" */
    double work;            /* FLOPs (products) or elements (others) per call */
    int work_is_flops;
    /* inputs and outputs, owned */
    float *X, *P, *G, *Y, *Out, *inv, *work_buf;
    int32_t *labels, *cls;
    /* gemm ops: Out (m×n, ldc) = op(A) op(B) */
    int ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    const float *A, *B;
} bench_case;

/* Allocates and fills a case with seeded inputs.  Returns 0, or 1 with err set. */
int bench_case_init(bench_case *bc, bench_op op, size_t M, size_t C, size_t D, uint64_t seed,
                    char *err, size_t errlen);
void bench_case_free(bench_case *bc);
/* One call of the case's kernel through table k. */
void bench_case_run(const bench_case *bc, const dml_kernels *k);
/* The same product through cblas_sgemm (gemm ops only); sgemm is the
 * cblas_sgemm pointer, cast. */
typedef void (*cblas_sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                               const float *A, int lda, const float *B, int ldb, float beta,
                               float *C, int ldc);
void bench_case_run_blas(const bench_case *bc, cblas_sgemm_fn sgemm);

/* The fixed cases of `bench-check` (and of build/dmlcount): shapes where the
 * scalar reference takes about a millisecond or less per call. */
#define BENCH_CHECK_SEED 20260101u
size_t bench_check_cases(bench_op ops[BOP_COUNT], size_t M[BOP_COUNT], size_t C[BOP_COUNT],
                         size_t D[BOP_COUNT]);

/* FMA-throughput probes: run `iters` iterations and return the FLOPs done. */
double dml_peak_fma_avx2(uint64_t iters);
double dml_peak_fma_avx512(uint64_t iters);
double dml_peak_fma_neon(uint64_t iters);

/* Distribution-free confidence interval of the median of sorted v[0..n):
 * indices lo, hi (0-based) with P(v[lo] <= median <= v[hi]) >= 1 - alpha. */
void median_ci_index(size_t n, double alpha, size_t *lo, size_t *hi);

/* Provenance and JSON helpers (benchcheck.c). */
void bench_cpu_model(char *out, size_t len);
const char *bench_compiler(void);
void bc_json_str(FILE *f, const char *s);

#endif
