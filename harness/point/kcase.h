/* kcase.h — kernel cases: one kernel entry of the dispatch table (dml_kernels)
 * on one fixed shape with seeded inputs, always called through the table of
 * an ISA, the way the losses call it.  What `bench`, `bench-check`,
 * build/dmlcount and the sweep's kernel points (the ISA study) measure. */
#ifndef DML_POINT_KCASE_H
#define DML_POINT_KCASE_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

typedef enum kernel_op {
    KOP_NORMALIZE = 0,  /* rows × d                     */
    KOP_NORMALIZE_BWD,  /* rows × d                     */
    KOP_GEMM_S,         /* Sᵀ = P̂ X̂ᵀ: gemm(0,1, C, M, D)  */
    KOP_GEMM_DX,        /* dX = Gᵀᵀ P̂: gemm(1,0, M, D, C) */
    KOP_GEMM_DP,        /* dP = Gᵀ X̂:  gemm(0,0, C, D, M) */
    KOP_SYRK,           /* X̂ X̂ᵀ: syrk(M, D)              */
    KOP_LSE,            /* M rows of length C, weights  */
    KOP_EXP,            /* M × C elements               */
    KOP_COUNT
} kernel_op;

const char *kernel_op_name(kernel_op op);     /* "normalize", "gemm_S", "lse", ... */
int kernel_op_parse(const char *name, kernel_op *out);

typedef struct kernel_case {
    kernel_op op;
    size_t M, C, D;         /* the loss shape the case is cut from (normalize: C rows) */
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
} kernel_case;

/* Allocates and fills a case with seeded inputs.  Returns 0, or 1 with err set. */
int kernel_case_init(kernel_case *kc, kernel_op op, size_t M, size_t C, size_t D, uint64_t seed,
                     char *err, size_t errlen);
void kernel_case_free(kernel_case *kc);
/* One call of the case's kernel through table k. */
void kernel_case_run(const kernel_case *kc, const dml_kernels *k);
/* The same product through cblas_sgemm (gemm ops only). */
typedef void (*cblas_sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                               const float *A, int lda, const float *B, int ldb, float beta,
                               float *C, int ldc);
void kernel_case_run_blas(const kernel_case *kc, cblas_sgemm_fn sgemm);

#endif
