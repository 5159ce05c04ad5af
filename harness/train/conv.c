/* conv.c — the network's convolutions: 3 × 3 kernels, stride 2, padding 1,
 * ReLU, on the library's GEMM through im2col.
 *
 * Activations are NHWC (an image's pixels row by row, a pixel's channels
 * together), so im2col copies runs of cin floats and the last layer's output
 * is already the flat input of the fully connected part.  W is cout × 9·cin
 * with columns in (ky, kx, ci) order: Y = col · Wᵀ + b is one GEMM over all
 * rows·hout·wout output pixels of the batch, the same op(B) = Wᵀ as nn.Linear.
 * Backward recomputes the col matrix (a copy, cheaper than keeping one per
 * layer), forms dW = dYᵀ col, and dcol = dY · W into the same buffer, which
 * col2im adds back onto the input pixels. */
#include <string.h>

#include "train/layer.h"

#define KS 3     /* kernel size */
#define PAD 1

/* The patch rows of X (rows × hin·win·cin) into col (rows·hout·wout × 9·cin). */
static void im2col(const conv_layer *c, const float *X, size_t rows, float *col)
{
    size_t cin = c->cin, k9 = KS * KS * cin;
    for (size_t n = 0; n < rows; n++) {
        const float *x = X + n * c->hin * c->win * cin;
        for (size_t oy = 0; oy < c->hout; oy++)
            for (size_t ox = 0; ox < c->wout; ox++, col += k9)
                for (size_t ky = 0; ky < KS; ky++) {
                    size_t iy = oy * c->stride + ky - PAD;  /* wraps when above the image */
                    for (size_t kx = 0; kx < KS; kx++) {
                        size_t ix = ox * c->stride + kx - PAD;
                        /* runs of cin floats: 1 to 32 here, a loop beats a memcpy call */
                        float *dst = col + (ky * KS + kx) * cin;
                        const float *src = x + (iy * c->win + ix) * cin;
                        int in = iy < c->hin && ix < c->win;
#pragma omp simd
                        for (size_t i = 0; i < cin; i++) dst[i] = in ? src[i] : 0.0f;
                    }
                }
    }
}

/* dX = the sum, over every patch a pixel is in, of its part of dcol. */
static void col2im(const conv_layer *c, const float *dcol, size_t rows, float *dX)
{
    size_t cin = c->cin, k9 = KS * KS * cin;
    memset(dX, 0, rows * c->hin * c->win * cin * sizeof(float));
    for (size_t n = 0; n < rows; n++) {
        float *dx = dX + n * c->hin * c->win * cin;
        for (size_t oy = 0; oy < c->hout; oy++)
            for (size_t ox = 0; ox < c->wout; ox++, dcol += k9)
                for (size_t ky = 0; ky < KS; ky++) {
                    size_t iy = oy * c->stride + ky - PAD;
                    if (iy >= c->hin) continue;
                    for (size_t kx = 0; kx < KS; kx++) {
                        size_t ix = ox * c->stride + kx - PAD;
                        if (ix >= c->win) continue;
                        float *d = dx + (iy * c->win + ix) * cin;
                        const float *s = dcol + (ky * KS + kx) * cin;
#pragma omp simd
                        for (size_t i = 0; i < cin; i++) d[i] += s[i];
                    }
                }
    }
}

void conv_forward(const conv_layer *c, net_ws *w, const float *X, size_t rows, float *Y)
{
    size_t R = rows * c->hout * c->wout, k9 = KS * KS * c->cin;
    im2col(c, X, rows, w->col);
    layer_gemm(w, 0, 1, R, c->cout, k9, w->col, k9, c->W, k9, Y, c->cout);
    layer_bias_act(Y, R, c->cout, c->b, 1);
}

void conv_backward(const conv_layer *c, net_ws *w, const float *X, const float *Y, float *dY,
                   size_t rows, float *dW, float *db, float *dX)
{
    size_t R = rows * c->hout * c->wout, k9 = KS * KS * c->cin;
    layer_bias_grad(dY, Y, R, c->cout, db);
    im2col(c, X, rows, w->col);
    layer_gemm(w, 1, 0, c->cout, k9, R, dY, c->cout, w->col, k9, dW, k9);
    if (!dX) return;
    layer_gemm(w, 0, 0, R, k9, c->cout, dY, c->cout, c->W, k9, w->col, k9);
    col2im(c, w->col, rows, dX);
}
