/* net.c — the embedding network: optional convolutions (conv.c), then
 * in → H → D (ReLU between; H = 0: one linear layer), forward and backward
 * on the library's dispatched GEMM.
 *
 * Layout as PyTorch's nn.Linear: W is out × in, row-major, so a layer is
 * Y = X Wᵀ + b, a GEMM with op(B) = Wᵀ that reads W in place.  The bias (and
 * the ReLU) is one pass over Y after the product; the ReLU's mask is read back
 * from its output (A > 0 exactly where Z > 0), so Z is never stored. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/layer.h"

/* C = op(A) op(B), split into row blocks of C over the threads (each with its
 * own packing buffer).  The split depends only on m and the thread count, so a
 * run is reproducible for a given thread count. */
void layer_gemm(const net_ws *w, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                size_t lda, const float *B, size_t ldb, float *C, size_t ldc)
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

/* nn.Linear's and nn.Conv2d's reset_parameters: kaiming_uniform_(a = √5)
 * gives a weight bound gain·√(3/fan_in) with gain = √(2/(1+5)), i.e.
 * 1/√fan_in; the bias is uniform in ±1/√fan_in too. */
void layer_init(float *W, float *b, size_t out, size_t fan_in, rng *r)
{
    double bound = 1.0 / sqrt((double)fan_in);
    for (size_t i = 0; i < out * fan_in; i++) W[i] = (float)((2 * rng_uniform(r) - 1) * bound);
    for (size_t i = 0; i < out; i++) b[i] = (float)((2 * rng_uniform(r) - 1) * bound);
}

/* The convolutions' shapes (c, then 2c channels, each halving the image)
 * and their parameter count; 1 when the image is too small for them. */
static int conv_shapes(net *n, const net_shape *sh, size_t *nparams)
{
    size_t h = sh->h, w = sh->w, cin = 1, np = 0;
    n->nconv = sh->channels ? NET_MAX_CONV : 0;
    for (size_t l = 0; l < n->nconv; l++) {
        conv_layer *c = &n->conv[l];
        *c = (conv_layer){ .cin = cin, .cout = sh->channels << l, .hin = h, .win = w, .stride = 2 };
        c->hout = (h + 1) / 2, c->wout = (w + 1) / 2;  /* (h + 2·pad − 3) / 2 + 1 */
        np += c->cout * (9 * cin + 1);
        h = c->hout, w = c->wout, cin = c->cout;
    }
    n->in = n->nconv ? h * w * cin : sh->h * sh->w;
    *nparams = np;
    return h * w == 0;
}

int net_init_shape(net *n, const net_shape *sh, uint64_t seed, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    size_t H = sh->H, D = sh->D, nc;
    int small = conv_shapes(n, sh, &nc);
    size_t in = n->in;
    if (small || in == 0 || D == 0 || in > 1u << 20 || H > 1u << 16 || D > 1u << 16 ||
        sh->channels > 1024) {
        snprintf(err, errlen, "network shape %zu x %zu, %zu channels, %zu -> %zu -> %zu is out of range",
                 sh->h, sh->w, sh->channels, in, H, D);
        return 1;
    }
    n->H = H, n->D = D;
    size_t first_out = H ? H : D;
    n->nparams = nc + first_out * (in + 1) + (H ? D * (H + 1) : 0);
    n->params = malloc(n->nparams * sizeof(float));
    if (!n->params) {
        snprintf(err, errlen, "out of memory for %zu network parameters", n->nparams);
        return 1;
    }
    rng r;
    rng_seed(&r, seed);
    float *p = n->params;
    for (size_t l = 0; l < n->nconv; l++) {
        conv_layer *c = &n->conv[l];
        c->W = p, c->b = p + c->cout * 9 * c->cin;
        p = c->b + c->cout;
        layer_init(c->W, c->b, c->cout, 9 * c->cin, &r);
    }
    n->W1 = p;
    n->b1 = n->W1 + first_out * in;
    if (H) {
        n->W2 = n->b1 + H;
        n->b2 = n->W2 + D * H;
    }
    layer_init(n->W1, n->b1, first_out, in, &r);
    if (H) layer_init(n->W2, n->b2, D, H, &r);
    return 0;
}

int net_init(net *n, size_t in, size_t H, size_t D, uint64_t seed, char *err, size_t errlen)
{
    net_shape sh = { in, 1, 0, H, D };
    return net_init_shape(n, &sh, seed, err, errlen);
}

void net_free(net *n)
{
    free(n->params);
    memset(n, 0, sizeof *n);
}

/* The convolutions' activations and the largest im2col matrix. */
static int conv_ws_init(net_ws *w, const net *n, size_t rows)
{
    size_t col = 1;
    for (size_t l = 0; l < n->nconv; l++) {
        const conv_layer *c = &n->conv[l];
        size_t out = rows * c->hout * c->wout, k9 = 9 * c->cin;
        if (out * (k9 > c->cout ? k9 : c->cout) > col) col = out * (k9 > c->cout ? k9 : c->cout);
        w->cA[l] = malloc(out * c->cout * sizeof(float));
        w->cdA[l] = malloc(out * c->cout * sizeof(float));
        if (!w->cA[l] || !w->cdA[l]) return 1;
    }
    return !(w->col = malloc(col * sizeof(float)));
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
    if (!w->A1 || !w->dA1 || !w->E || !w->work || conv_ws_init(w, n, rows)) {
        net_ws_free(w);
        snprintf(err, errlen, "out of memory for the network workspace (%zu rows)", rows);
        return 1;
    }
    return 0;
}

void net_ws_free(net_ws *w)
{
    free(w->A1); free(w->dA1); free(w->E); free(w->work); free(w->col);
    for (int l = 0; l < NET_MAX_CONV; l++) { free(w->cA[l]); free(w->cdA[l]); }
    memset(w, 0, sizeof *w);
}

/* Y[i] += b, then ReLU when relu: one pass.  (omp simd: the rows do not
 * alias b, which the compiler cannot see.) */
void layer_bias_act(float *Y, size_t rows, size_t cols, const float *b, int relu)
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

void layer_bias_grad(float *G, const float *A, size_t rows, size_t cols, float *db)
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

/* The input of the fully connected part: X itself, or the last convolution's output. */
static const float *fc_input(const net *n, net_ws *w, const float *X, size_t rows)
{
    for (size_t l = 0; l < n->nconv; l++) {
        conv_forward(&n->conv[l], w, X, rows, w->cA[l]);
        X = w->cA[l];
    }
    return X;
}

void net_forward(const net *n, net_ws *w, const float *X, size_t rows)
{
    X = fc_input(n, w, X, rows);
    if (!n->H) {
        layer_gemm(w, 0, 1, rows, n->D, n->in, X, n->in, n->W1, n->in, w->E, n->D);
        layer_bias_act(w->E, rows, n->D, n->b1, 0);
        return;
    }
    layer_gemm(w, 0, 1, rows, n->H, n->in, X, n->in, n->W1, n->in, w->A1, n->H);
    layer_bias_act(w->A1, rows, n->H, n->b1, 1);
    layer_gemm(w, 0, 1, rows, n->D, n->H, w->A1, n->H, n->W2, n->H, w->E, n->D);
    layer_bias_act(w->E, rows, n->D, n->b2, 0);
}

/* Back through the convolutions, last first, given dA of the last one. */
static void conv_backward_all(const net *n, net_ws *w, const float *X, size_t rows, float *grad)
{
    float *g = grad;
    float *gW[NET_MAX_CONV], *gb[NET_MAX_CONV];
    for (size_t l = 0; l < n->nconv; l++) {
        gW[l] = g, gb[l] = g + n->conv[l].cout * 9 * n->conv[l].cin;
        g = gb[l] + n->conv[l].cout;
    }
    for (size_t l = n->nconv; l-- > 0;)
        conv_backward(&n->conv[l], w, l ? w->cA[l - 1] : X, w->cA[l], w->cdA[l], rows, gW[l],
                      gb[l], l ? w->cdA[l - 1] : NULL);
}

void net_backward(const net *n, net_ws *w, const float *X, float *dE, size_t rows, float *grad)
{
    size_t first_out = n->H ? n->H : n->D;
    float *dW1 = n->W1 - n->params + grad, *db1 = dW1 + first_out * n->in;
    const float *Xfc = n->nconv ? w->cA[n->nconv - 1] : X;
    if (n->H) {
        float *dW2 = db1 + n->H, *db2 = dW2 + n->D * n->H;
        layer_bias_grad(dE, NULL, rows, n->D, db2);
        /* dW2 = dEᵀ A1 (D × H); dA1 = dE W2 (rows × H) */
        layer_gemm(w, 1, 0, n->D, n->H, rows, dE, n->D, w->A1, n->H, dW2, n->H);
        layer_gemm(w, 0, 0, rows, n->H, n->D, dE, n->D, n->W2, n->H, w->dA1, n->H);
        layer_bias_grad(w->dA1, w->A1, rows, n->H, db1);
        dE = w->dA1;
    } else {
        layer_bias_grad(dE, NULL, rows, n->D, db1);
    }
    /* dW1 = dZ1ᵀ Xfc (first_out × in) */
    layer_gemm(w, 1, 0, first_out, n->in, rows, dE, first_out, Xfc, n->in, dW1, n->in);
    if (!n->nconv) return;  /* the pixels need no gradient */
    /* dXfc = dZ1 W1 (rows × in): the last convolution's output gradient */
    layer_gemm(w, 0, 0, rows, n->in, first_out, dE, first_out, n->W1, n->in,
               w->cdA[n->nconv - 1], n->in);
    conv_backward_all(n, w, X, rows, grad);
}

double net_flops(const net *n, size_t rows, int backward)
{
    double r = (double)rows, first = (double)(n->H ? n->H : n->D) * (double)n->in;
    double second = (double)n->H * (double)n->D, conv = 0, conv_dx = 0;
    for (size_t l = 0; l < n->nconv; l++) {
        const conv_layer *c = &n->conv[l];
        double f = (double)(c->hout * c->wout) * (double)c->cout * 9.0 * (double)c->cin;
        conv += f;
        if (l) conv_dx += f;
    }
    if (n->nconv) conv_dx += first;  /* dX of the first linear layer */
    /* forward: one product a layer; backward: dW for all, dX for all but the first layer */
    return backward ? 2 * r * (first + 2 * second + conv + conv_dx) : 2 * r * (first + second + conv);
}

void net_embed(const net *nt, net_ws *w, const dataset *d, float *out)
{
    for (size_t i0 = 0; i0 < d->n; i0 += w->rows) {
        size_t rows = d->n - i0 < w->rows ? d->n - i0 : w->rows;
        net_forward(nt, w, d->x + i0 * d->dim, rows);
        memcpy(out + i0 * nt->D, w->E, rows * nt->D * sizeof(float));
    }
}
