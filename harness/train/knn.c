/* knn.c — exact cosine k-NN retrieval and its metrics, with the semantics of
 * pytorch-metric-learning's AccuracyCalculator (query set = reference set,
 * each query left out of its own list, queries without a same-class
 * neighbour left out).
 *
 * The N × N similarity matrix never exists: a block of query rows at a time is
 * multiplied against all items by the library's GEMM, and each row of the block
 * is reduced at once to the R nearest (R = the query's class size − 1, at least
 * 8 for Recall@8) by topk_row, a counting sort of the highest bins of the row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/topk.h"
#include "train/train.h"

/* Per-query sums of the seven metrics. */
typedef struct sums { double recall[4], rp, map; size_t q; } sums;

/* One query row s[0..N) of similarities: select, sort the K nearest, score. */
static void score_row(const float *s, size_t N, size_t self, const int32_t *labels,
                      const size_t *class_size, uint64_t *keys, uint32_t *scratch, sums *acc)
{
    int32_t c = labels[self];
    size_t R = class_size[c] - 1;
    if (R == 0) return;  /* no other member: left out, as PML does */
    size_t K = R > 8 ? R : 8;
    if (K > N - 1) K = N - 1;
    topk_row(s, N, self, K, keys, scratch);
    static const size_t at[4] = { 1, 2, 4, 8 };
    size_t hits = 0, first_hit = 0;
    double ap = 0;
    for (size_t i = 0; i < K; i++) {
        int rel = labels[topk_index(keys[i])] == c;
        if (rel && !first_hit) first_hit = i + 1;
        if (i < R && rel) {
            hits++;
            ap += (double)hits / (double)(i + 1);
        }
    }
    for (int t = 0; t < 4; t++)
        acc->recall[t] += first_hit && first_hit <= at[t];
    acc->rp += (double)hits / (double)R;
    acc->map += ap / (double)R;
    acc->q++;
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

/* The rows of one block scored by up to `threads` threads; each thread's
 * sums are kept apart and added in a fixed order, so the result does not
 * depend on scheduling. */
static void score_block(const float *S, size_t rows, size_t i0, size_t N, const int32_t *labels,
                        const size_t *class_size, uint64_t *keys, uint32_t *scratch, sums *part,
                        int threads)
{
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (int t = 0; t < threads; t++)
        for (size_t r = (size_t)t; r < rows; r += (size_t)threads)
            score_row(S + r * N, N, i0 + r, labels, class_size, keys + (size_t)t * N,
                      scratch + (size_t)t * 2 * N, &part[t]);
}

int retrieval_eval(const float *E, size_t N, size_t D, const int32_t *labels, dml_isa isa,
                   size_t block, int threads, retrieval_metrics *out, char *err, size_t errlen)
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
    /* 64 to 256 rows a block, at most about 32 MB of similarities, small beside
     * N × N (4.9 GB at N = 35 000): every block re-packs all N items for the
     * GEMM, which at 64 rows took a tenth of the evaluation; past 256 rows the
     * block falls out of the last-level cache before its rows are scored */
    if (block == 0) {
        block = (8u << 20) / N;
        block = block < 64 ? 64 : block > 256 ? 256 : block;
    }
    if (block > N) block = N;
    float *Y = malloc(N * D * sizeof(float)), *inv = malloc(N * sizeof(float));
    float *S = malloc(block * N * sizeof(float));
    float *work = aligned_alloc(64, DML_GEMM_WORK_FLOATS * sizeof(float));
    uint64_t *keys = malloc((size_t)threads * N * sizeof(uint64_t));
    uint32_t *scratch = malloc((size_t)threads * 2 * N * sizeof(uint32_t));
    size_t *class_size = calloc(maxc, sizeof(size_t));
    sums *part = calloc((size_t)threads, sizeof(sums));
    int rc = 1;
    if (!Y || !inv || !S || !work || !keys || !scratch || !class_size || !part) {
        snprintf(err, errlen, "retrieval: out of memory (N = %zu, block = %zu)", N, block);
        goto done;
    }
    for (size_t i = 0; i < N; i++) class_size[labels[i]]++;
    k->normalize(E, N, D, Y, inv);
    for (size_t i0 = 0; i0 < N; i0 += block) {
        size_t rows = N - i0 < block ? N - i0 : block;
        k->gemm(0, 1, rows, N, D, Y + i0 * D, D, Y, D, S, N, work);
        score_block(S, rows, i0, N, labels, class_size, keys, scratch, part, threads);
    }
    sums tot = { { 0 }, 0, 0, 0 };
    for (int t = 0; t < threads; t++) {
        for (int j = 0; j < 4; j++) tot.recall[j] += part[t].recall[j];
        tot.rp += part[t].rp;
        tot.map += part[t].map;
        tot.q += part[t].q;
    }
    if (tot.q == 0) {
        snprintf(err, errlen, "retrieval: no query has another item of its class");
        goto done;
    }
    for (int j = 0; j < 4; j++) out->recall[j] = tot.recall[j] / (double)tot.q;
    out->r_precision = tot.rp / (double)tot.q;
    out->map_at_r = tot.map / (double)tot.q;
    out->queries = tot.q;
    rc = 0;
done:
    free(Y); free(inv); free(S); free(work); free(keys); free(scratch); free(class_size); free(part);
    return rc;
}
