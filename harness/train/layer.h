/* layer.h — private to train/: the pieces a layer of the network is made of,
 * shared by the fully connected part (net.c) and the convolutions (conv.c). */
#ifndef DML_TRAIN_LAYER_H
#define DML_TRAIN_LAYER_H

#include "core/rng.h"
#include "train/train.h"

/* C = op(A) op(B) over the workspace's threads, in row blocks of C. */
void layer_gemm(const net_ws *w, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                size_t lda, const float *B, size_t ldb, float *C, size_t ldc);
/* Y[i] += b, then ReLU when relu: one pass. */
void layer_bias_act(float *Y, size_t rows, size_t cols, const float *b, int relu);
/* db = Σ_i G[i]; with A, G is first zeroed where A ≤ 0 (ReLU'). */
void layer_bias_grad(float *G, const float *A, size_t rows, size_t cols, float *db);
/* PyTorch's default init of nn.Linear and nn.Conv2d: uniform in ±1/√fan_in. */
void layer_init(float *W, float *b, size_t out, size_t fan_in, rng *r);

/* The convolutions (conv.c).  conv_forward writes the layer's ReLU output Y
 * (rows × hout·wout·cout, NHWC); conv_backward takes dY (overwritten: masked
 * by the ReLU), writes dW, db and, when dX is not NULL, dX (rows × hin·win·cin). */
void conv_forward(const conv_layer *c, net_ws *w, const float *X, size_t rows, float *Y);
void conv_backward(const conv_layer *c, net_ws *w, const float *X, const float *Y, float *dY,
                   size_t rows, float *dW, float *db, float *dX);

#endif
