/* blas.h — private to bench/: OpenBLAS, dlopen'ed at run time as the
 * yardstick of the products (neither the library nor dmlbench links it). */
#ifndef DML_BENCH_BLAS_H
#define DML_BENCH_BLAS_H

#include "point/kcase.h"

typedef struct blas {
    void *h;
    cblas_sgemm_fn sgemm;
    char core[64];    /* the kernel set OpenBLAS chose (openblas_get_corename) */
    char config[320];
} blas;

/* The library to load: DML_OPENBLAS (a name or path) or libopenblas.so.0. */
const char *blas_name(void);

/* The yardstick b (h NULL: none), and b256, a second copy with AVX2 kernels
 * when b runs AVX-512 ones; note says what was changed and why. */
void blas_open(blas *b, blas *b256, char *note, size_t notelen);
void blas_close(blas *b);

#endif
