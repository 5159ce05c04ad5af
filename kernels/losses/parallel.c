/* parallel.c — the thread-parallel wrappers around the product kernels that
 * the losses share (dml_par_*): each splits its output between the context's
 * threads and calls the context's kernel table. */
#include <math.h>

#include "dml_internal.h"

static void slice(size_t n, int parts, int t, size_t *lo, size_t *hi)
{
    *lo = n * (size_t)t / (size_t)parts;
    *hi = n * (size_t)(t + 1) / (size_t)parts;
}

void dml_par_gemm(dml_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                  size_t lda, const float *B, size_t ldb, float *C, size_t ldc)
{
    int nt = ctx->threads;
    if (nt == 1) {
        ctx->k->gemm(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, ctx->work);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        float *work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
        size_t lo, hi;
        if (m >= n) { /* rows of C: rows of op(A) */
            slice(m, nt, t, &lo, &hi);
            const float *As = ta ? A + lo : A + lo * lda;
            if (hi > lo)
                ctx->k->gemm(ta, tb, hi - lo, n, k, As, lda, B, ldb, C + lo * ldc, ldc, work);
        } else {      /* columns of C: columns of op(B) */
            slice(n, nt, t, &lo, &hi);
            const float *Bs = tb ? B + lo * ldb : B + lo;
            if (hi > lo)
                ctx->k->gemm(ta, tb, m, hi - lo, k, A, lda, Bs, ldb, C + lo, ldc, work);
        }
    }
}

void dml_par_syrk(dml_ctx *ctx, size_t n, size_t k, const float *A, size_t lda, float *C,
                  size_t ldc)
{
    int nt = ctx->threads;
    if (nt == 1) {
        ctx->k->syrk(n, k, A, lda, C, ldc, ctx->work);
        return;
    }
    /* Slab t owns rows [lo, hi) of the lower triangle: its diagonal block by
     * syrk, the block left of it by gemm, mirrored into the upper triangle
     * (which no other slab writes).  Bounds split the triangle's area evenly. */
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        float *work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
        size_t lo = (size_t)((double)n * sqrt((double)t / nt));
        size_t hi = t == nt - 1 ? n : (size_t)((double)n * sqrt((double)(t + 1) / nt));
        if (hi <= lo)
            continue;
        ctx->k->syrk(hi - lo, k, A + lo * lda, lda, C + lo * ldc + lo, ldc, work);
        if (lo > 0) {
            ctx->k->gemm(0, 1, hi - lo, lo, k, A + lo * lda, lda, A, lda, C + lo * ldc, ldc, work);
            for (size_t i = lo; i < hi; i++)
                for (size_t j = 0; j < lo; j++)
                    C[j * ldc + i] = C[i * ldc + j];
        }
    }
}

/* Rows [0, n) of a row-wise kernel split evenly between the context's
 * threads: each calls body on its own rows [lo, hi).  The normalisation and
 * its backward share it, so both split the rows the same way. */
typedef void (*rows_fn)(const dml_ctx *ctx, size_t lo, size_t hi, const void *arg);

static void par_rows(dml_ctx *ctx, size_t n, rows_fn body, const void *arg)
{
    int nt = ctx->threads;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        slice(n, nt, t, &lo, &hi);
        if (hi > lo)
            body(ctx, lo, hi, arg);
    }
}

/* forward: rows of in (X) into out (Y) and inv_out; backward: in (Y) and inv,
 * out (dX) updated in place. */
typedef struct norm_args { const float *in, *inv; float *out, *inv_out; } norm_args;

static void normalize_rows(const dml_ctx *ctx, size_t lo, size_t hi, const void *arg)
{
    const norm_args *a = arg;
    size_t d = ctx->D;
    ctx->k->normalize(a->in + lo * d, hi - lo, d, a->out + lo * d, a->inv_out + lo);
}

static void normalize_backward_rows(const dml_ctx *ctx, size_t lo, size_t hi, const void *arg)
{
    const norm_args *a = arg;
    size_t d = ctx->D;
    ctx->k->normalize_backward(a->in + lo * d, a->inv + lo, a->out + lo * d, hi - lo, d, a->out + lo * d);
}

void dml_par_normalize(dml_ctx *ctx, const float *X, size_t n, float *Y, float *inv)
{
    norm_args a = { .in = X, .out = Y, .inv_out = inv };
    par_rows(ctx, n, normalize_rows, &a);
}

void dml_par_normalize_backward(dml_ctx *ctx, const float *Y, const float *inv, float *dX,
                                size_t n)
{
    norm_args a = { .in = Y, .inv = inv, .out = dX };
    par_rows(ctx, n, normalize_backward_rows, &a);
}

void dml_par_sym_sum(dml_ctx *ctx, const float *G, size_t n, float *H)
{
    /* In 32×32 tiles, so the transposed read of G stays in cache. */
    enum { T = 32 };
    size_t tiles = (n + T - 1) / T;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t bi = 0; bi < tiles; bi++)
        for (size_t bj = 0; bj < tiles; bj++)
            for (size_t i = bi * T; i < n && i < (bi + 1) * T; i++)
                for (size_t j = bj * T; j < n && j < (bj + 1) * T; j++)
                    H[i * n + j] = G[i * n + j] + G[j * n + i];
}

