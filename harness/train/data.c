/* data.c — an MNIST-format data set from its IDX files, the two protocols'
 * splits and the standardisation with the training set's statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/train.h"

/* Where Debian's dataset-fashion-mnist puts its files (dpkg -L dataset-fashion-mnist). */
const char *train_default_data_dir(void)
{
    return "/usr/share/datasets/fashion-mnist";
}

/* <dir>/<prefix>-<kind>, with ".gz" when that file exists (the Debian layout),
 * else the plain name (an unpacked copy). */
void train_idx_path(char *buf, size_t len, const char *dir, const char *prefix, const char *kind)
{
    snprintf(buf, len, "%s/%s-%s.gz", dir, prefix, kind);
    if (access(buf, F_OK) != 0)
        snprintf(buf, len, "%s/%s-%s", dir, prefix, kind);
}

const char *train_glyphs_dir(void)
{
    const char *env = getenv("DML_GLYPHS");
    return env && *env ? env : "build/glyphs";
}

int mnist_read(const char *dir, const char *prefix, int classes, dataset *out, char *err, size_t errlen)
{
    return mnist_read_some(dir, prefix, classes, SIZE_MAX, NULL, NULL, out, err, errlen);
}

int mnist_read_some(const char *dir, const char *prefix, int classes, size_t keep, idx_each each, void *user,
                    dataset *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char ipath[1024], lpath[1024];
    train_idx_path(ipath, sizeof ipath, dir, prefix, "images-idx3-ubyte");
    train_idx_path(lpath, sizeof lpath, dir, prefix, "labels-idx1-ubyte");
    idx_array im, lb;
    if (idx_read_some(ipath, 3, IDX_MAX_BYTES, keep, each, user, &im, err, errlen))
        return 1;
    if (idx_read(lpath, 1, IDX_MAX_BYTES, &lb, err, errlen)) {
        idx_free(&im);
        return 1;
    }
    int rc = 1;
    if (im.type != IDX_TYPE_UBYTE) {
        snprintf(err, errlen, "%s: images must be unsigned bytes (IDX type 0x08), not type 0x%02X",
                 ipath, (unsigned)im.type);
        goto done;
    }
    if (im.dims[0] != lb.dims[0]) {
        snprintf(err, errlen, "%s: %zu labels, but %s holds %zu images", lpath, lb.dims[0], ipath,
                 im.dims[0]);
        goto done;
    }
    out->n = im.kept;
    out->dim = im.item;
    out->h = im.dims[1], out->w = im.dims[2];
    out->x = malloc(out->n * out->dim * sizeof(float));
    out->y = malloc(out->n * sizeof(int32_t));
    if (!out->x || !out->y) {
        snprintf(err, errlen, "%s: out of memory for %zu images", ipath, out->n);
        goto done;
    }
    for (size_t i = 0; i < lb.dims[0]; i++) { /* every label, kept or not: the classes are the file's */
        int64_t y = idx_label(&lb, i);  /* int32 labels (0x0C) may be negative: refused */
        if (y < 0 || y >= classes) {
            snprintf(err, errlen, "%s: label %lld of item %zu is outside [0, %d)", lpath, (long long)y, i,
                     classes);
            goto done;
        }
        if (i < out->n) out->y[i] = (int32_t)y;
        if ((int32_t)y + 1 > out->classes) out->classes = (int32_t)y + 1;
    }
    for (size_t i = 0; i < out->n * out->dim; i++)
        out->x[i] = (float)im.data[i] / 255.0f;
    rc = 0;
done:
    idx_free(&im);
    idx_free(&lb);
    if (rc) dataset_free(out);
    return rc;
}

void dataset_free(dataset *d)
{
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

/* Appends the items of src whose label passes keep (lo <= y < hi) to dst,
 * relabelled y - shift, at most `limit` items in all (0 = no limit). */
static void take(dataset *dst, const dataset *src, int lo, int hi, int shift, size_t limit)
{
    for (size_t i = 0; i < src->n; i++) {
        if (limit && dst->n >= limit) break;
        if (src->y[i] < lo || src->y[i] >= hi) continue;
        memcpy(dst->x + dst->n * src->dim, src->x + i * src->dim, src->dim * sizeof(float));
        dst->y[dst->n] = src->y[i] - shift;
        if (dst->y[dst->n] + 1 > dst->classes) dst->classes = dst->y[dst->n] + 1;
        dst->n++;
    }
}

static int alloc_like(dataset *d, size_t n, const dataset *shape)
{
    memset(d, 0, sizeof *d);
    d->dim = shape->dim, d->h = shape->h, d->w = shape->w;
    size_t dim = d->dim;
    d->x = malloc((n ? n : 1) * dim * sizeof(float));
    d->y = malloc((n ? n : 1) * sizeof(int32_t));
    return !d->x || !d->y;
}

/* The sums of every training pixel (x / 255, as mnist_read makes it) and of
 * its square, in double (47 M terms), in file order: summed as the file is
 * read, kept items or not. */
typedef struct pixel_sums { double s, s2; size_t n; } pixel_sums;

static void sum_pixels(const uint8_t *b, size_t n, void *user)
{
    pixel_sums *ps = user;
    for (size_t i = 0; i < n; i++) {
        float x = (float)b[i] / 255.0f;
        ps->s += x;
        ps->s2 += (double)x * x;
    }
    ps->n += n;
}

/* One scalar mean and standard deviation over every training pixel, applied to both sets. */
static void standardise(train_data *d, const pixel_sums *ps)
{
    double s = ps->s, s2 = ps->s2;
    size_t n = ps->n;
    d->mean = s / (double)n;
    d->std = sqrt(fmax(s2 / (double)n - d->mean * d->mean, 1e-12));
    float m = (float)d->mean, inv = (float)(1.0 / d->std);
    dataset *sets[2] = { &d->train, &d->eval };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sets[k]->n * sets[k]->dim; i++)
            sets[k]->x[i] = (sets[k]->x[i] - m) * inv;
}

/* Labels are counted from 0 in each file; with int32 labels (IDX 0x0C) a set
 * may have this many classes (the glyph set's largest is ~20 000). */
#define MAX_CLASSES (1 << 24)

const char *train_protocol_name(train_protocol p)
{
    static const char *const names[PROTOCOL_COUNT] = { "closed", "open", "val", "test" };
    return (unsigned)p < PROTOCOL_COUNT ? names[p] : "?";
}

/* Labels renumbered 0, 1, ... in the order of their values, so that a
 * limited training set (train_limit: the first N items of a split whose
 * classes are many) has no class without items, which the sampler refuses. */
static int densify(dataset *d)
{
    int *map = malloc(((size_t)d->classes + 1) * sizeof(int));
    if (!map) return 1;
    for (int c = 0; c < d->classes; c++) map[c] = -1;
    for (size_t i = 0; i < d->n; i++) map[d->y[i]] = 0;
    int next = 0;
    for (int c = 0; c < d->classes; c++)
        if (map[c] == 0) map[c] = next++;
    for (size_t i = 0; i < d->n; i++) d->y[i] = map[d->y[i]];
    d->classes = next;
    free(map);
    return 0;
}

/* Who is trained on and who is retrieved, by protocol (train.h). */
static void split(train_data *out, const dataset *tr, const dataset *te, size_t train_limit,
                  size_t eval_limit)
{
    switch (out->protocol) {
    case PROTOCOL_OPEN: {
        int half = tr->classes / 2;  /* Fashion-MNIST: train on 0–4, retrieve among 5–9 */
        take(&out->train, tr, 0, half, 0, train_limit);
        take(&out->eval, tr, half, tr->classes, half, eval_limit);
        take(&out->eval, te, half, tr->classes, half, eval_limit);
        break;
    }
    case PROTOCOL_CLOSED:
        take(&out->train, tr, 0, tr->classes, 0, train_limit);
        take(&out->eval, te, 0, tr->classes, 0, eval_limit);
        break;
    default:  /* val, test: the evaluation set's classes are its own */
        take(&out->train, tr, 0, tr->classes, 0, train_limit);
        take(&out->eval, te, 0, te->classes, 0, eval_limit);
    }
}

static int check_sets(const char *dir, train_protocol protocol, const dataset *tr,
                      const dataset *te, char *err, size_t errlen)
{
    if (tr->dim != te->dim || tr->h != te->h) {
        snprintf(err, errlen, "%s: training images are %zu x %zu, %s images %zu x %zu", dir, tr->h,
                 tr->w, protocol == PROTOCOL_VAL ? "validation" : "test", te->h, te->w);
        return 1;
    }
    if (tr->classes < 2 || (protocol == PROTOCOL_OPEN && tr->classes < 4)) {
        snprintf(err, errlen, "%s: %d classes is too few for the %s protocol", dir, tr->classes,
                 train_protocol_name(protocol));
        return 1;
    }
    return 0;
}

int train_data_load(const char *dir, train_protocol protocol, size_t train_limit,
                    size_t eval_limit, train_data *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->protocol = protocol;
    dataset tr, te;
    int own = protocol == PROTOCOL_VAL || protocol == PROTOCOL_TEST;
    size_t keep_tr = SIZE_MAX, keep_te = SIZE_MAX;
    /* closed and open split Fashion-MNIST's files by class, and their labels
     * bound how much of each file the limits need; the val and test protocols
     * read their own split's files whole */
    if (!own && (train_limit || eval_limit) &&
        train_prefix_needs(dir, protocol, train_limit, eval_limit, &keep_tr, &keep_te, err, errlen))
        return 1;
    pixel_sums ps = { 0 };
    if (mnist_read_some(dir, "train", MAX_CLASSES, keep_tr, sum_pixels, &ps, &tr, err, errlen))
        return 1;
    /* closed and open: the test set may only hold classes the training set has */
    if (mnist_read_some(dir, protocol == PROTOCOL_VAL ? "val" : "t10k", own ? MAX_CLASSES : tr.classes, keep_te,
                        NULL, NULL, &te, err, errlen)) {
        dataset_free(&tr);
        return 1;
    }
    int rc = 1;
    if (check_sets(dir, protocol, &tr, &te, err, errlen)) goto done;
    if (alloc_like(&out->train, tr.n, &tr) || alloc_like(&out->eval, tr.n + te.n, &tr)) {
        snprintf(err, errlen, "out of memory for the data set");
        goto done;
    }
    split(out, &tr, &te, train_limit, eval_limit);
    if (densify(&out->train)) {
        snprintf(err, errlen, "out of memory for the data set");
        goto done;
    }
    if (out->train.n == 0 || out->eval.n == 0) {
        snprintf(err, errlen, "%s: the protocol leaves no %s items", dir,
                 out->train.n ? "evaluation" : "training");
        goto done;
    }
    standardise(out, &ps);  /* the whole training set's statistics, as Normalize uses */
    rc = 0;
done:
    dataset_free(&tr);
    dataset_free(&te);
    if (rc) train_data_free(out);
    return rc;
}

void train_data_free(train_data *d)
{
    dataset_free(&d->train);
    dataset_free(&d->eval);
}
