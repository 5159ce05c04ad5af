/* knn_search.c — exact k-NN of a set against itself (see knn_search.h).
 *
 * The items are packed once for the GEMM (gemm_pack_b), then blocks of query
 * rows are multiplied against them and each row is reduced at once, while
 * its block is in cache.  For a small K (<= SMALL_K, Recall@K) half the GEMM
 * (knn_small: S is symmetric) and, per row, the K best in a short sorted
 * array, an element looked at only when it beats the K-th (after the first
 * few hundred, almost never); for a large K (MAP@R's R = 999) the whole row,
 * packed items and the histogram selection of topk.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/knn_search.h"
#include "train/topk.h"

#define SMALL_K 64
#define BLOCK_ROWS 128
#define CHUNK 64

/* The K best of every row so far: keys nearest first, the K-th's similarity. */
typedef struct row_best { uint64_t *keys; float *worst; uint32_t *have; size_t K; } row_best;

/* Item j at similarity s offered to row i's list. */
static inline void offer(row_best *rb, size_t i, float s, uint32_t j)
{
    size_t K = rb->K, have = rb->have[i];
    uint64_t key = topk_key(s, j), *best = rb->keys + i * K;
    if (have == K && key <= best[K - 1]) return;
    size_t at = have < K ? have++ : K - 1;
    for (; at > 0 && best[at - 1] < key; at--) best[at] = best[at - 1];
    best[at] = key;
    rb->have[i] = (uint32_t)have;
    if (have == K) {
        uint32_t u = (uint32_t)(best[K - 1] >> 32);
        u ^= (uint32_t)((int32_t)~u >> 31) | 0x80000000u; /* topk_key's map undone */
        __builtin_memcpy(&rb->worst[i], &u, sizeof u);
    }
}

/* Row i0 + r of a block (similarities s[j] to items i0 + j, j < n): into its
 * own list, a chunk below its K-th skipped in one test. */
static void scan_row(row_best *rb, size_t i0, size_t r, const float *s, size_t n)
{
    size_t i = i0 + r;
    for (size_t j0 = 0; j0 < n; j0 += CHUNK) {
        size_t end = j0 + CHUNK < n ? j0 + CHUNK : n;
        float w = rb->worst[i];
        int any = 0;
#pragma omp simd reduction(| : any)
        for (size_t j = j0; j < end; j++) any |= s[j] >= w;
        if (!any) continue;
        for (size_t j = j0; j < end; j++)
            if (j != r && s[j] >= rb->worst[i]) offer(rb, i, s[j], (uint32_t)(i0 + j));
    }
}

/* The same row offered to the lists of items i0 + j, j in [from, n): the
 * other half of each similarity, which is computed once. */
static void scan_columns(row_best *rb, size_t i0, size_t r, const float *s, size_t from, size_t n)
{
    const float *w = rb->worst + i0;
    for (size_t j0 = from; j0 < n; j0 += CHUNK) {
        size_t end = j0 + CHUNK < n ? j0 + CHUNK : n;
        int any = 0;
#pragma omp simd reduction(| : any)
        for (size_t j = j0; j < end; j++) any |= s[j] >= w[j];
        if (!any) continue;
        for (size_t j = j0; j < end; j++)
            if (s[j] >= w[j]) offer(rb, i0 + j, s[j], (uint32_t)(i0 + r));
    }
}

/* Small K: S = Y Yᵀ is symmetric, so each block of rows is multiplied only
 * against itself and the items after it (half the GEMM of a flat search),
 * and every similarity goes to both its row's and its column's list. */
static int knn_small(const dml_kernels *k, const float *Y, size_t N, size_t D, size_t K,
                     float *S, float *work, row_best *rb)
{
    for (size_t i = 0; i < N; i++) rb->worst[i] = -__builtin_inff(), rb->have[i] = 0;
    for (size_t i0 = 0; i0 < N; i0 += BLOCK_ROWS) {
        size_t m = N - i0 < BLOCK_ROWS ? N - i0 : BLOCK_ROWS, n = N - i0;
        k->gemm(0, 1, m, n, D, Y + i0 * D, D, Y + i0 * D, D, S, n, work);
        for (size_t r = 0; r < m; r++) {
            scan_row(rb, i0, r, S + r * n, n);
            scan_columns(rb, i0, r, S + r * n, m, n);
        }
    }
    (void)K;
    return 0;
}

static float dot(const float *a, const float *b, size_t d)
{
    float acc = 0;
    for (size_t t = 0; t < d; t++) acc += a[t] * b[t];
    return acc;
}

static void emit_row(const uint64_t *keys, size_t K, const float *s, int32_t *idx, float *sim)
{
    for (size_t r = 0; r < K; r++) {
        uint32_t j = topk_index(keys[r]);
        idx[r] = (int32_t)j;
        sim[r] = s[j];
    }
}

int knn_search(const float *Y, size_t N, size_t D, size_t K, dml_isa isa, int32_t *idx,
               float *sim, char *err, size_t errlen)
{
    const dml_kernels *k = dml_kernels_for(isa == DML_ISA_AUTO ? dml_isa_default() : isa);
    if (!k || N < 2 || K < 1 || K > N - 1 || D == 0 || N > UINT32_MAX) {
        snprintf(err, errlen, "knn: needs an ISA this CPU runs, 1 <= K <= N - 1 (N = %zu, K = %zu), D >= 1",
                 N, K);
        return 1;
    }
    size_t rows = N < BLOCK_ROWS ? N : BLOCK_ROWS;
    float *Bp = aligned_alloc(64, (k->gemm_packed_floats(N, D) * sizeof(float) + 63) / 64 * 64);
    float *S = malloc(rows * N * sizeof *S);
    float *work = aligned_alloc(64, DML_GEMM_WORK_FLOATS * sizeof(float));
    uint64_t *keys = malloc(N * sizeof *keys);
    uint32_t *bins = malloc(2 * N * sizeof *bins);
    int rc = !Bp || !S || !work || !keys || !bins;
    if (rc) snprintf(err, errlen, "knn: out of memory (N = %zu, D = %zu)", N, D);
    row_best rb = { keys, NULL, NULL, K };
    if (!rc && K <= SMALL_K) {
        rb.keys = malloc(N * K * sizeof *rb.keys);
        rb.worst = malloc(N * sizeof *rb.worst);
        rb.have = malloc(N * sizeof *rb.have);
        rc = !rb.keys || !rb.worst || !rb.have;
        if (rc) snprintf(err, errlen, "knn: out of memory (N = %zu, K = %zu)", N, K);
        if (!rc) knn_small(k, Y, N, D, K, S, work, &rb);
        for (size_t i = 0; i < N && !rc; i++) {
            int32_t *ix = idx + i * K;
            for (size_t r = 0; r < K; r++) ix[r] = (int32_t)topk_index(rb.keys[i * K + r]);
            /* the similarities recomputed, the order being the GEMM's */
            for (size_t r = 0; r < K; r++) sim[i * K + r] = dot(Y + i * D, Y + (size_t)ix[r] * D, D);
        }
    } else if (!rc) {
        k->gemm_pack_b(1, N, D, Y, D, Bp);
        for (size_t i0 = 0; i0 < N; i0 += rows) {
            size_t m = N - i0 < rows ? N - i0 : rows;
            k->gemm_packed(0, 1, m, N, D, Y + i0 * D, D, Y, D, Bp, S, N, work, 0);
            for (size_t r = 0; r < m; r++) {
                const float *s = S + r * N;
                topk_row(s, N, i0 + r, K, keys, bins);
                emit_row(keys, K, s, idx + (i0 + r) * K, sim + (i0 + r) * K);
            }
        }
    }
    if (rb.keys != keys) free(rb.keys);
    free(rb.worst); free(rb.have);
    free(Bp); free(S); free(work); free(keys); free(bins);
    return rc;
}
