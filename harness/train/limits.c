/* limits.c — the limits of a training or baseline run read from the data
 * set's labels alone: how many leading images a protocol with limits takes
 * (the rest is read, not kept), and whether the evaluation set has a query.
 * Checked against the labels alone (two small files), before any image is read or
 * any point runs: the evaluation set that --eval-limit (eval_limit) leaves
 * must hold a query, two items of one class — with --eval-limit 2 it would
 * otherwise fail after training, with a message about labels. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "train/train.h"

/* (See below.) */
static int has_query(const idx_array *a, const idx_array *b, int lo, int hi, size_t limit, size_t *taken)
{
    size_t count[256] = { 0 }, n = 0;
    int two = 0;
    const idx_array *set[2] = { a, b };
    for (int s = 0; s < 2 && set[s]; s++)
        for (size_t i = 0; i < set[s]->dims[0] && (!limit || n < limit); i++) {
            int64_t y = idx_label(set[s], i);
            if (y < lo || y >= hi) continue;
            two |= ++count[y] == 2;
            n++;
        }
    *taken = n;
    return two;
}

/* The label files of the training and test sets of dir, and the classes
 * (1 + the largest training label); 1 with err set.  Kept for the next call
 * on the same dir: a study checks every learning point against them. */
static int read_labels(const char *dir, const idx_array **tr, const idx_array **te, int *classes, char *err,
                       size_t errlen)
{
    static char cdir[1024];
    static idx_array ctr, cte;
    static int cclasses, cached;
    if (!cached || strcmp(cdir, dir)) {
        char trp[1024], tep[1024];
        if (cached) { idx_free(&ctr); idx_free(&cte); cached = 0; }
        train_idx_path(trp, sizeof trp, dir, "train", "labels-idx1-ubyte");
        train_idx_path(tep, sizeof tep, dir, "t10k", "labels-idx1-ubyte");
        if (idx_read(trp, 1, IDX_MAX_BYTES, &ctr, err, errlen)) return 1;
        if (idx_read(tep, 1, IDX_MAX_BYTES, &cte, err, errlen)) {
            idx_free(&ctr);
            return 1;
        }
        cclasses = 0;
        const idx_array *set[2] = { &ctr, &cte };
        for (int s = 0; s < 2; s++) /* the classes train_data_load accepts: [0, 256) */
            for (size_t i = 0; i < set[s]->dims[0]; i++) {
                int64_t y = idx_label(set[s], i);
                if (y < 0 || y >= 256) {
                    snprintf(err, errlen, "%s: label %lld of item %zu is outside [0, 256)", s ? tep : trp,
                             (long long)y, i);
                    idx_free(&ctr);
                    idx_free(&cte);
                    return 1;
                }
                if (!s && y + 1 > cclasses) cclasses = (int)y + 1;
            }
        snprintf(cdir, sizeof cdir, "%s", dir);
        cached = 1;
    }
    *tr = &ctr;
    *te = &cte;
    *classes = cclasses;
    return 0;
}

/* The leading items of a that hold `want` items with a label in [lo, hi)
 * (all of a when it has fewer); *got: how many it holds. */
static size_t prefix_for(const idx_array *a, int lo, int hi, size_t want, size_t *got)
{
    size_t n = 0, i = 0;
    for (; i < a->dims[0] && n < want; i++) n += idx_label(a, i) >= lo && idx_label(a, i) < hi;
    *got = n;
    return i;
}

int train_prefix_needs(const char *dir, train_protocol protocol, size_t train_limit, size_t eval_limit,
                       size_t *keep_tr, size_t *keep_te, char *err, size_t errlen)
{
    const idx_array *tr, *te;
    int classes;
    if (read_labels(dir, &tr, &te, &classes, err, errlen)) return 1;
    size_t got, got_eval = 0, a, b;
    *keep_tr = *keep_te = SIZE_MAX;
    if (protocol == PROTOCOL_CLOSED) {
        if (train_limit) *keep_tr = prefix_for(tr, 0, classes, train_limit, &got);
        if (eval_limit) *keep_te = prefix_for(te, 0, classes, eval_limit, &got);
    } else { /* train: classes < half; eval: the others, from the training set first */
        int half = classes / 2;
        a = prefix_for(tr, 0, half, train_limit ? train_limit : SIZE_MAX, &got);
        b = prefix_for(tr, half, classes, eval_limit ? eval_limit : SIZE_MAX, &got_eval);
        if (train_limit && eval_limit) *keep_tr = a > b ? a : b;
        if (eval_limit) *keep_te = got_eval >= eval_limit ? 0 : prefix_for(te, half, classes, eval_limit - got_eval, &got);
    }
    return 0;
}

/* Does the first `limit` (0: all) of the items whose label is in [lo, hi),
 * taken from a then b, hold two of one class?  *taken: how many it took. */
static int has_query(const idx_array *a, const idx_array *b, int lo, int hi, size_t limit, size_t *taken);

int train_limits_check(const char *dir, train_protocol protocol, size_t eval_limit, char *err, size_t errlen)
{
    if (protocol == PROTOCOL_VAL || protocol == PROTOCOL_TEST) return 0; /* their own split's files: checked when read */
    const idx_array *tr, *te;
    int classes;
    if (read_labels(dir, &tr, &te, &classes, err, errlen)) return 1;
    size_t taken;
    int open = protocol == PROTOCOL_OPEN, ok = open ? has_query(tr, te, classes / 2, classes, eval_limit, &taken)
                                                     : has_query(te, NULL, 0, classes, eval_limit, &taken);
    if (!ok)
        snprintf(err, errlen, "the %zu evaluation items %s leaves hold no two of one class: retrieval would have no "
                 "query (raise it)", taken, eval_limit ? "the evaluation limit" : "the protocol");
    return !ok;
}

/* Fashion-MNIST: 70 000 images of 784 pixels, held as floats about 3 times
 * (the read sets, the protocol's copies). */
#define DATA_ITEMS 70000.0
#define DATA_DIM 784.0

double train_bytes(size_t H, size_t D, size_t M, size_t eval_limit)
{
    double h = (double)H, d = (double)D, m = (double)M;
    double weights = H ? DATA_DIM * h + h * d + h + d : DATA_DIM * d + d;
    double evaln = eval_limit ? (double)eval_limit : DATA_ITEMS;
    return 4 * (5 * weights + m * (DATA_DIM + 3 * h + 3 * d) + 3 * DATA_ITEMS * DATA_DIM + 3 * evaln * d);
}
