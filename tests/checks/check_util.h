/* check_util.h — what the kernel checks of the cosine family share
 * (check_cosine.c, check_gemm.c): sizes, a deterministic generator, buffers,
 * tolerances, and the GEMM checks' entry points. */
#ifndef DML_CHECK_UTIL_H
#define DML_CHECK_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "dml_kernels.h"

#define GEMM_TOL 1e-5f

static const size_t check_sizes[] = DML_CHECK_SIZES;
#define N_SIZES (sizeof check_sizes / sizeof check_sizes[0])

/* ------------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* Uniform in [-1, 1): xorshift64*, deterministic so a failure reproduces. */
static inline float rand_signed(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t r = rng_state * 0x2545F4914F6CDD1Dull;
    return (float)((double)(r >> 40) / (double)(1ull << 23) - 1.0);
}

/* 64-byte aligned, as the kernels' work buffer must be (and vectors like it). */
static inline float *alloc_floats(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

static inline void fill_random(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = rand_signed();
}

static inline void fill_value(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        x[i] = v;
}

/* Euclidean norms of `count` vectors of length len, element j of vector i at
 * x[i*stride_i + j*stride_j] (rows or columns of a row-major matrix). */
static inline void vector_norms(const float *x, size_t count, size_t len, size_t stride_i,
                         size_t stride_j, float *norms)
{
    for (size_t i = 0; i < count; i++) {
        double ss = 0.0;
        for (size_t j = 0; j < len; j++) {
            double v = x[i * stride_i + j * stride_j];
            ss += v * v;
        }
        norms[i] = (float)sqrt(ss);
    }
}

/* Test value against reference within tol; NaN must match NaN. */
static inline int close_enough(float got, float want, float tol)
{
    if (isnan(want))
        return isnan(got);
    return fabsf(got - want) <= tol;
}

#define FAIL(...)                                                                            \
    do {                                                                                     \
        snprintf(why, whylen, __VA_ARGS__);                                                  \
        status = 1;                                                                          \
        goto done;                                                                           \
    } while (0)


/* The GEMM checks (check_gemm.c), in dml_cosine_checks[]. */
int dml_check_gemm_tails(const dml_kernels *kern, char *why, size_t whylen);
int dml_check_gemm_blocks(const dml_kernels *kern, char *why, size_t whylen);
int dml_check_gemm_acc(const dml_kernels *kern, char *why, size_t whylen);
int dml_check_gemm_packed(const dml_kernels *kern, char *why, size_t whylen);
int dml_check_gemm_packed_nb(const dml_kernels *kern, char *why, size_t whylen);

#endif
