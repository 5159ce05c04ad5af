/* train.h — the train room: MNIST-format data sets (IDX), an embedding network
 * trained on the library's GEMM and losses, AdamW, and exact retrieval
 * evaluation (Recall@K, R-precision, MAP@R).
 *
 * Library part only: options in, results out, nothing printed.  A caller that
 * wants a progress line passes a callback (train_opts.progress).  Every function
 * that can fail returns 0, or 1 with one line in err saying what is wrong (and,
 * for files, which file). */
#ifndef DML_TRAIN_H
#define DML_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "data/idx.h"
#include "dml.h"

/* ------------------------------------------------------------------ data */

typedef struct dataset {
    size_t n, dim;     /* n items of dim floats */
    size_t h, w;       /* the images' height and width (dim = h × w), from the IDX header */
    float *x;          /* n × dim, standardised */
    int32_t *y;        /* n labels in [0, classes) */
    int classes;       /* 1 + the largest label */
} dataset;

/* Reads <dir>/<prefix>-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz] as
 * raw pixels / 255 (no standardisation yet); images and labels must agree in
 * count, labels must lie in [0, classes). */
int mnist_read(const char *dir, const char *prefix, int classes, dataset *out, char *err,
               size_t errlen);
/* The same keeping the first `keep` items (each: idx_read_some's); the
 * labels are all read and checked, and classes counts them all. */
int mnist_read_some(const char *dir, const char *prefix, int classes, size_t keep, idx_each each, void *user,
                    dataset *out, char *err, size_t errlen);
void dataset_free(dataset *d);

typedef enum train_protocol { PROTOCOL_CLOSED = 0, PROTOCOL_OPEN, PROTOCOL_VAL, PROTOCOL_TEST,
                              PROTOCOL_COUNT } train_protocol;

/* The two sets of one protocol, standardised with the mean and standard
 * deviation of all training pixels (one scalar each, as torchvision Normalize).
 * closed: train = the training set, eval = the test set.
 * open:   train = training images of classes < classes/2 (relabelled from 0),
 *         eval = training and test images of the other classes.
 * val:    train = the training set, eval = <dir>/val-… (a set whose classes the
 *         training set does not have: for choosing hyperparameters).
 * test:   train = the training set, eval = the test set, taken as its own
 *         classes (labels need not be those of the training set: a
 *         class-disjoint split such as the glyph set's). * train_limit / eval_limit (0 = all) keep the first N items of each. */
typedef struct train_data {
    dataset train, eval;
    double mean, std;
    train_protocol protocol;
} train_data;

const char *train_protocol_name(train_protocol p);
int train_data_load(const char *dir, train_protocol protocol, size_t train_limit,
                    size_t eval_limit, train_data *out, char *err, size_t errlen);
void train_data_free(train_data *d);
/* The directory of the Debian package dataset-fashion-mnist. */
const char *train_default_data_dir(void);
/* <dir>/<prefix>-<kind>, with ".gz" when that file exists, else the plain name. */
void train_idx_path(char *buf, size_t len, const char *dir, const char *prefix, const char *kind);
/* The labels alone say whether the evaluation set eval_limit leaves holds a
 * query (two items of one class): 0, or 1 with err set (train/limits.c). */
/* How many leading items of the training and test files a protocol with
 * these limits takes (the labels say): *keep_tr, *keep_te (train/limits.c). */
int train_prefix_needs(const char *dir, train_protocol protocol, size_t train_limit, size_t eval_limit,
                       size_t *keep_tr, size_t *keep_te, char *err, size_t errlen);
/* About the bytes a run allocates: the network (weights, gradient, AdamW's
 * two moments, the copy kept at the end), the batch's activations, the data
 * set (Fashion-MNIST's size) and the evaluation's embeddings. */
double train_bytes(size_t H, size_t D, size_t M, size_t eval_limit);
int train_limits_check(const char *dir, train_protocol protocol, size_t eval_limit, char *err, size_t errlen);
/* The glyph set's directory: $DML_GLYPHS, else where `make data-glyphs` writes it. */
const char *train_glyphs_dir(void);

/* ------------------------------------------------------------- retrieval */

typedef struct retrieval_metrics {
    double recall[4];       /* Recall@1, 2, 4, 8 */
    double r_precision, map_at_r;
    size_t queries;         /* queries counted (those whose class has another member) */
} retrieval_metrics;

/* Exact k-NN retrieval by cosine, query set = reference set, each query left
 * out of its own list (PML AccuracyCalculator semantics), by knn_each
 * (knn_search.h) through the GEMM of `isa`, never as an N × N matrix;
 * small_k chooses its path (0: by K; tests force the large one with 1).
 * threads >= 1. */
int retrieval_eval(const float *E, size_t N, size_t D, const int32_t *labels, dml_isa isa,
                   size_t small_k, int threads, retrieval_metrics *out, char *err, size_t errlen);

/* The golden retrieval cases are read and checked by harness/golden/retrieval_case.h. */

/* ---------------------------------------------------------------- network */

/* A convolution of the network: 3 × 3 kernel, stride 2, padding 1, ReLU
 * (conv.c).  W is cout × 9·cin, columns in (ky, kx, ci) order. */
typedef struct conv_layer {
    size_t cin, cout, hin, win, hout, wout, stride;
    float *W, *b;
} conv_layer;

#define NET_MAX_CONV 2

/* [conv(1 → c) → conv(c → 2c)] → in → H → D with ReLU between (H = 0: one
 * linear layer in → D; no convolutions when c = 0, and then in is the pixel
 * count; with them, in = 2c · h/4 · w/4, the last convolution's output).
 * Parameters in one flat array, layer by layer: each convolution's W and b,
 * then W (out × in, row-major as nn.Linear) and b of the linear layers. */
typedef struct net {
    size_t in, H, D;
    size_t nconv;
    conv_layer conv[NET_MAX_CONV];
    size_t nparams;
    float *params;
    float *W1, *b1, *W2, *b2;   /* W2, b2 NULL when H = 0 */
} net;

/* The shape of a network: the image (h × w, one channel; h·w = the input
 * size), the first convolution's channels (0: none), H and D. */
typedef struct net_shape {
    size_t h, w, channels, H, D;
} net_shape;

/* Activations and scratch for up to `rows` inputs at once; the GEMM work
 * buffers (one per thread) live here, so a step allocates nothing. */
typedef struct net_ws {
    size_t rows;
    int threads;
    const dml_kernels *k;
    float *A1;    /* rows × H: ReLU output */
    float *E;     /* rows × D: embeddings */
    float *dA1;   /* rows × H */
    float *cA[NET_MAX_CONV], *cdA[NET_MAX_CONV];  /* each convolution's output and its gradient */
    float *col;   /* the largest im2col matrix */
    float *work;  /* threads × DML_GEMM_WORK_FLOATS, 64-byte aligned */
} net_ws;

/* The fully connected network in → H → D. */
int net_init(net *n, size_t in, size_t H, size_t D, uint64_t seed, char *err, size_t errlen);
/* The network of any shape (train_opts.conv picks the convolutions). */
int net_init_shape(net *n, const net_shape *sh, uint64_t seed, char *err, size_t errlen);
void net_free(net *n);
int net_ws_init(net_ws *w, const net *n, size_t rows, dml_isa isa, int threads, char *err,
                size_t errlen);
void net_ws_free(net_ws *w);
/* E = net(X), X rows × in; result in w->E. */
void net_forward(const net *n, net_ws *w, const float *X, size_t rows);
/* grad (nparams) = ∂L/∂params given dE = ∂L/∂E of the last forward on X;
 * no gradient for X itself is formed.  dE is overwritten. */
void net_backward(const net *n, net_ws *w, const float *X, float *dE, size_t rows,
                  float *grad);
/* Floating-point operations of one forward and one backward pass of `rows`. */
double net_flops(const net *n, size_t rows, int backward);
/* Embeds all n items of d (in chunks of w->rows) into out (n × D). */
void net_embed(const net *nt, net_ws *w, const dataset *d, float *out);

/* ---------------------------------------------------------------- AdamW */

typedef struct adamw {
    size_t n;
    float lr, beta1, beta2, eps, wd;
    float *m, *v;
    long t;
} adamw;

int adamw_init(adamw *a, size_t n, float lr, float wd, char *err, size_t errlen);
void adamw_free(adamw *a);
/* One step of torch.optim.AdamW on p (n) with gradient g. */
void adamw_step(adamw *a, float *p, const float *g);
/* The same step on rows rows[0..n) of p (rows of d elements) alone: their
 * weights, moments and decay; every other row, its m and v stay as they are
 * (the sampled proxies' update, as Partial FC's; the step count t is shared,
 * so the bias corrections are those of step t for every row). */
void adamw_step_rows(adamw *a, float *p, const float *g, size_t d, const int32_t *rows, size_t n);

/* ---------------------------------------------------------------- sampler */

/* Class-balanced batches: every batch has min(M, classes) classes (all of them
 * when M >= classes, else drawn at random) — with per_class set (after
 * sampler_init), min(M / per_class, classes) — K = M / that many samples of
 * each, and the first M mod it classes one more.  A class's items are drawn in a
 * shuffled order, reshuffled when used up (no repeat within a pass). */
typedef struct sampler {
    size_t M;
    int classes;
    size_t per_class;       /* 0, or items a class: then M / per_class classes a batch */
    size_t *count, *start;  /* per class: items, offset into order */
    size_t *pos;            /* per class: next item in its order */
    size_t *order;          /* item indices grouped by class */
    int *pick;              /* classes of the current batch */
    uint64_t rng[4];
} sampler;

int sampler_init(sampler *s, const int32_t *y, size_t n, int classes, size_t M, uint64_t seed,
                 char *err, size_t errlen);
void sampler_free(sampler *s);
/* Writes M item indices and their labels. */
void sampler_next(sampler *s, const int32_t *y, size_t *idx, int32_t *labels);

/* ------------------------------------------------------------------ train */

typedef struct train_progress {
    int epoch, epochs;
    double train_s, loss, recall1, eta_s;
    int evaluated;            /* recall1 is fresh this epoch */
} train_progress;

typedef struct train_opts {
    dml_params params;
    size_t M, D, H;
    size_t conv;              /* the first convolution's channels (0: the MLP alone; net_shape) */
    size_t per_class;         /* items a class in a batch (0: spread M over min(M, classes)
                               * classes; sampler.c) */
    int epochs;
    float lr;                 /* the network's */
    float proxy_lr_mult;      /* the proxies' learning rate is this × lr (100: the
                               * Proxy-Anchor authors' code) */
    float weight_decay;
    uint64_t seed;
    dml_isa isa;
    int threads;
    int eval_every;           /* evaluate after every E epochs (and the last) */
    int eval_untrained;       /* 1 (the default): evaluate the untrained network too (row 0);
                               * 0: row 0 has its loss only, metrics NaN (a sweep that wants the
                               * last epoch only spares an evaluation: 12 s in the open protocol) */
    void (*progress)(const train_progress *p, void *user);
    void *user;
} train_opts;

/* One evaluation: epoch 0 is the untrained network. */
typedef struct train_row {
    int epoch;
    double train_s;           /* training wall time so far, evaluation excluded */
    double train_cpu_s;       /* the same in CPU time of the calling thread (robust to a
                               * shared machine's descheduling; exact only for 1 thread) */
    double loss;              /* mean loss of the epoch's steps (epoch 0: untrained, see train.c) */
    retrieval_metrics m;
    double eval_s;            /* wall time of this evaluation (embedding + retrieval) */
    double eval_cpu_s;        /* the same in CPU time of the calling thread */
} train_row;

typedef struct train_result {
    train_row *rows;
    size_t nrows;
    size_t steps_per_epoch;
    double step_flops;        /* network + loss products of one step */
    double step_s_median;     /* median wall time of one step */
    double gflops;            /* step_flops / step_s_median */
    dml_isa isa;
    float *final_params;      /* the trained network (nparams) and proxies (R × D or NULL; */
                              /* R = dml_proxy_rows: C, or C·K for SoftTriple) */
    size_t nparams;
    float *proxies;
} train_result;

void train_opts_default(train_opts *o, dml_loss loss);
int train_run(const train_opts *o, const train_data *d, train_result *r, char *err,
              size_t errlen);
void train_result_free(train_result *r);
/* Retrieval on the pixels of d->eval (the untrained baseline): standardised as
 * the network sees them, or (standardised = 0) as x / 255, which is what the
 * PyTorch reference's "raw pixels" figure measured. */
int train_pixel_baseline(const train_data *d, int standardised, dml_isa isa, int threads,
                         retrieval_metrics *m, double *seconds, char *err, size_t errlen);

#endif
