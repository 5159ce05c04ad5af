/* knn.c — exact cosine k-NN retrieval and its metrics, with the semantics of
 * pytorch-metric-learning's AccuracyCalculator (query set = reference set,
 * each query left out of its own list, queries without a same-class
 * neighbour left out).
 *
 * The N × N similarity matrix never exists: knn_each (knn_search.c) hands
 * each query's K nearest, K = the query's class size − 1 (R, for MAP@R) and
 * at least 8 (Recall@8), to score_row.  Each query's scores are kept apart
 * and summed in query order, so the result does not depend on the threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/knn_search.h"
#include "train/topk.h"
#include "train/train.h"

/* One query's scores: rank of its first relevant item (0: none in its K),
 * hits among its R nearest, and its average precision at R. */
typedef struct row_score { uint32_t first_hit, hits; double ap; } row_score;

typedef struct scoring {
    const int32_t *labels;
    const size_t *class_size;
    row_score *row;
} scoring;

/* Query i's K nearest (keys, nearest first), scored (knn_visit).  The
 * relevance of 64 ranks at a time goes into a mask without a branch (a
 * branch on it was wrong about as often as not), and only its set bits are
 * walked, in rank order: the same sums in the same order as rank by rank. */
static void score_row(void *user, size_t i, const uint64_t *keys, size_t K)
{
    scoring *sc = user;
    int32_t c = sc->labels[i];
    size_t R = sc->class_size[c] - 1;
    row_score *out = &sc->row[i];
    if (R == 0) return;  /* no other member: left out, as PML does */
    double ap = 0;
    for (size_t r0 = 0; r0 < K; r0 += 64) {
        size_t n = K - r0 < 64 ? K - r0 : 64;
        uint64_t rel = 0;
        for (size_t r = 0; r < n; r++) rel |= (uint64_t)(sc->labels[topk_index(keys[r0 + r])] == c) << r;
        if (rel && !out->first_hit) out->first_hit = (uint32_t)(r0 + (size_t)__builtin_ctzll(rel) + 1);
        if (r0 < R && R - r0 < 64) rel &= (1ull << (R - r0)) - 1; /* hits and AP count the R nearest */
        for (; r0 < R && rel; rel &= rel - 1) {
            out->hits++;
            ap += (double)out->hits / (double)(r0 + (size_t)__builtin_ctzll(rel) + 1);
        }
    }
    out->ap = ap / (double)R;
}

static int check_input(const float *E, size_t N, size_t D, const int32_t *labels, size_t *maxc,
                       char *err, size_t errlen)
{
    if (!E || !labels || N < 2 || D == 0 || N > UINT32_MAX) {
        snprintf(err, errlen, "retrieval needs 2 <= N < 2^32 items of D >= 1 (N = %zu, D = %zu)", N, D);
        return 1;
    }
    *maxc = 0;
    /* the class sizes are counted in an array of the largest label: bounded
     * by N, or by 65536 for a few items of a data set's classes (the first 5
     * of Fashion-MNIST's test set are of classes 9, 2, 1, 1, 6) */
    size_t bound = N > 65536 ? N : 65536;
    for (size_t i = 0; i < N; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= bound) {
            snprintf(err, errlen, "label %d of item %zu is outside [0, %zu)", labels[i], i, bound);
            return 1;
        }
        if ((size_t)labels[i] + 1 > *maxc) *maxc = (size_t)labels[i] + 1;
    }
    for (size_t i = 0; i < N * D; i++)
        if (!isfinite(E[i])) {
            snprintf(err, errlen, "embedding %zu, component %zu is not finite", i / D, i % D);
            return 1;
        }
    return 0;
}

/* The metrics: the queries' scores summed in query order (one at least). */
static void sum_scores(const row_score *row, size_t N, const int32_t *labels, const size_t *class_size,
                       retrieval_metrics *out)
{
    static const size_t at[4] = { 1, 2, 4, 8 };
    double recall[4] = { 0 }, rp = 0, map = 0;
    size_t q = 0;
    for (size_t i = 0; i < N; i++) {
        size_t R = class_size[labels[i]] - 1;
        if (R == 0) continue;
        for (int t = 0; t < 4; t++) recall[t] += row[i].first_hit && row[i].first_hit <= at[t];
        rp += (double)row[i].hits / (double)R;
        map += row[i].ap;
        q++;
    }
    for (int t = 0; t < 4; t++) out->recall[t] = recall[t] / (double)q;
    out->r_precision = rp / (double)q;
    out->map_at_r = map / (double)q;
    out->queries = q;
}

int retrieval_eval(const float *E, size_t N, size_t D, const int32_t *labels, dml_isa isa,
                   size_t small_k, int threads, retrieval_metrics *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t maxc;
    if (check_input(E, N, D, labels, &maxc, err, errlen)) return 1;
    const dml_kernels *k = dml_kernels_for(isa == DML_ISA_AUTO ? dml_isa_default() : isa);
    if (!k || threads < 1) {
        snprintf(err, errlen, "retrieval: ISA %s not available or threads %d < 1", dml_isa_name(isa),
                 threads);
        return 1;
    }
    float *Y = malloc(N * D * sizeof(float)), *inv = malloc(N * sizeof(float));
    size_t *class_size = calloc(maxc, sizeof(size_t));
    uint32_t *K = malloc(N * sizeof *K);
    row_score *row = calloc(N, sizeof *row);
    int rc = 1;
    if (!Y || !inv || !class_size || !K || !row) {
        snprintf(err, errlen, "retrieval: out of memory (N = %zu, D = %zu)", N, D);
        goto done;
    }
    for (size_t i = 0; i < N; i++) class_size[labels[i]]++;
    size_t Kmax = 1, queries = 0;
    for (size_t i = 0; i < N; i++) {
        size_t R = class_size[labels[i]] - 1, Ki = R < 8 ? 8 : R;
        K[i] = (uint32_t)(Ki < N - 1 ? Ki : N - 1);
        Kmax = K[i] > Kmax ? K[i] : Kmax;
        queries += R > 0;
    }
    if (queries == 0) {
        snprintf(err, errlen, "retrieval: no query has another item of its class");
        goto done;
    }
    k->normalize(E, N, D, Y, inv);
    scoring sc = { labels, class_size, row };
    knn_how how = { isa, threads, small_k };
    rc = knn_each(Y, N, D, K, Kmax, how, score_row, &sc, err, errlen);
    if (rc == 0) sum_scores(row, N, labels, class_size, out);
done:
    free(Y); free(inv); free(class_size); free(K); free(row);
    return rc;
}
