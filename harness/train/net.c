/* net.c — the embedding network in → H → D (ReLU between; H = 0: one linear
 * layer), forward and backward on the library's dispatched GEMM.
 *
 * Layout as PyTorch's nn.Linear: W is out × in, row-major, so a layer is
 * Y = X Wᵀ + b, a GEMM with op(B) = Wᵀ that reads W in place.  The bias (and
 * the ReLU) is one pass over Y after the product; the ReLU's mask is read back
 * from its output (A > 0 exactly where Z > 0), so Z is never stored. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "train/train.h"

/* C = op(A) op(B), split into row blocks of C over the threads (each with its
 * own packing buffer).  The split depends only on m and the thread count, so a
 * run is reproducible for a given thread count. */
static void gemm_rows(const net_ws *w, int ta, int tb, size_t m, size_t n, size_t k,
                      const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc)
{
    int t = w->threads;
    if (t <= 1 || m < 32) {
        w->k->gemm(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, w->work);
        return;
    }
    size_t chunk = ((m + (size_t)t - 1) / (size_t)t + 15) / 16 * 16;
#pragma omp parallel for num_threads(t) schedule(static)
    for (int i = 0; i < t; i++) {
        size_t i0 = (size_t)i * chunk;
        if (i0 >= m) continue;
        size_t rows = m - i0 < chunk ? m - i0 : chunk;
        const float *Ai = ta ? A + i0 : A + i0 * lda;
        w->k->gemm(ta, tb, rows, n, k, Ai, lda, B, ldb, C + i0 * ldc, ldc,
                   w->work + (size_t)i * DML_GEMM_WORK_FLOATS);
    }
}

/* nn.Linear's reset_parameters: kaiming_uniform_(a = √5) gives a weight bound
 * gain·√(3/fan_in) with gain = √(2/(1+5)), i.e. 1/√fan_in; the bias is
 * uniform in ±1/√fan_in too. */
static void linear_init(float *W, float *b, size_t out, size_t in, rng *r)
{
    double bound = 1.0 / sqrt((double)in);
    for (size_t i = 0; i < out * in; i++) W[i] = (float)((2 * rng_uniform(r) - 1) * bound);
    for (size_t i = 0; i < out; i++) b[i] = (float)((2 * rng_uniform(r) - 1) * bound);
}

int net_init(net *n, size_t in, size_t H, size_t D, uint64_t seed, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    if (in == 0 || D == 0 || in > 1u << 20 || H > 1u << 16 || D > 1u << 16) {
        snprintf(err, errlen, "network shape %zu -> %zu -> %zu is out of range", in, H, D);
        return 1;
    }
    n->in = in, n->H = H, n->D = D;
    size_t first_out = H ? H : D;
    n->nparams = first_out * (in + 1) + (H ? D * (H + 1) : 0);
    n->params = malloc(n->nparams * sizeof(float));
    if (!n->params) {
        snprintf(err, errlen, "out of memory for %zu network parameters", n->nparams);
        return 1;
    }
    n->W1 = n->params;
    n->b1 = n->W1 + first_out * in;
    if (H) {
        n->W2 = n->b1 + H;
        n->b2 = n->W2 + D * H;
    }
    rng r;
    rng_seed(&r, seed);
    linear_init(n->W1, n->b1, first_out, in, &r);
    if (H) linear_init(n->W2, n->b2, D, H, &r);
    return 0;
}

void net_free(net *n)
{
    free(n->params);
    memset(n, 0, sizeof *n);
}

int net_ws_init(net_ws *w, const net *n, size_t rows, dml_isa isa, int threads, char *err,
                size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->k = dml_kernels_for(isa == DML_ISA_AUTO ? dml_isa_default() : isa);
    if (!w->k || !dml_isa_supported(w->k->isa) || threads < 1 || rows == 0) {
        snprintf(err, errlen, "network workspace: ISA %s not available, or threads %d / rows %zu",
                 dml_isa_name(isa), threads, rows);
        return 1;
    }
    w->rows = rows;
    w->threads = threads;
    size_t h = n->H ? n->H : 1;
    w->A1 = malloc(rows * h * sizeof(float));
    w->dA1 = malloc(rows * h * sizeof(float));
    w->E = malloc(rows * n->D * sizeof(float));
    w->work = aligned_alloc(64, (size_t)threads * DML_GEMM_WORK_FLOATS * sizeof(float));
    if (!w->A1 || !w->dA1 || !w->E || !w->work) {
        net_ws_free(w);
        snprintf(err, errlen, "out of memory for the network workspace (%zu rows)", rows);
        return 1;
    }
    return 0;
}

void net_ws_free(net_ws *w)
{
    free(w->A1); free(w->dA1); free(w->E); free(w->work);
    memset(w, 0, sizeof *w);
}

/* Y[i] += b, then ReLU when relu: one pass.  (omp simd: the rows do not
 * alias b, which the compiler cannot see.) */
static void bias_act(float *Y, size_t rows, size_t cols, const float *b, int relu)
{
    for (size_t i = 0; i < rows; i++) {
        float *y = Y + i * cols;
        if (relu)
#pragma omp simd
            for (size_t j = 0; j < cols; j++) {
                float v = y[j] + b[j];
                y[j] = v > 0 ? v : 0;
            }
        else
#pragma omp simd
            for (size_t j = 0; j < cols; j++) y[j] += b[j];
    }
}

void net_forward(const net *n, net_ws *w, const float *X, size_t rows)
{
    if (!n->H) {
        gemm_rows(w, 0, 1, rows, n->D, n->in, X, n->in, n->W1, n->in, w->E, n->D);
        bias_act(w->E, rows, n->D, n->b1, 0);
        return;
    }
    gemm_rows(w, 0, 1, rows, n->H, n->in, X, n->in, n->W1, n->in, w->A1, n->H);
    bias_act(w->A1, rows, n->H, n->b1, 1);
    gemm_rows(w, 0, 1, rows, n->D, n->H, w->A1, n->H, n->W2, n->H, w->E, n->D);
    bias_act(w->E, rows, n->D, n->b2, 0);
}

/* db[j] = Σ_i G[i][j]; with mask, G is first zeroed where A ≤ 0 (ReLU'). */
static void bias_grad(float *G, const float *A, size_t rows, size_t cols, float *db)
{
    memset(db, 0, cols * sizeof(float));
    for (size_t i = 0; i < rows; i++) {
        float *g = G + i * cols;
        if (A) {
            const float *a = A + i * cols;
#pragma omp simd
            for (size_t j = 0; j < cols; j++) g[j] = a[j] > 0 ? g[j] : 0;
        }
#pragma omp simd
        for (size_t j = 0; j < cols; j++) db[j] += g[j];
    }
}

void net_backward(const net *n, net_ws *w, const float *X, float *dE, size_t rows, float *grad)
{
    size_t first_out = n->H ? n->H : n->D;
    float *dW1 = grad, *db1 = grad + first_out * n->in;
    if (n->H) {
        float *dW2 = db1 + n->H, *db2 = dW2 + n->D * n->H;
        bias_grad(dE, NULL, rows, n->D, db2);
        /* dW2 = dEᵀ A1 (D × H); dA1 = dE W2 (rows × H) */
        gemm_rows(w, 1, 0, n->D, n->H, rows, dE, n->D, w->A1, n->H, dW2, n->H);
        gemm_rows(w, 0, 0, rows, n->H, n->D, dE, n->D, n->W2, n->H, w->dA1, n->H);
        bias_grad(w->dA1, w->A1, rows, n->H, db1);
        dE = w->dA1;
    } else {
        bias_grad(dE, NULL, rows, n->D, db1);
    }
    /* dW1 = dZ1ᵀ X (first_out × in); the input needs no gradient */
    gemm_rows(w, 1, 0, first_out, n->in, rows, dE, first_out, X, n->in, dW1, n->in);
}

double net_flops(const net *n, size_t rows, int backward)
{
    double r = (double)rows, first = (double)(n->H ? n->H : n->D) * (double)n->in;
    double second = (double)n->H * (double)n->D;
    /* forward: one product a layer; backward: dW for both, dA for the second only */
    return backward ? 2 * r * (first + 2 * second) : 2 * r * (first + second);
}

void net_embed(const net *nt, net_ws *w, const dataset *d, float *out)
{
    for (size_t i0 = 0; i0 < d->n; i0 += w->rows) {
        size_t rows = d->n - i0 < w->rows ? d->n - i0 : w->rows;
        net_forward(nt, w, d->x + i0 * d->dim, rows);
        memcpy(out + i0 * nt->D, w->E, rows * nt->D * sizeof(float));
    }
}
