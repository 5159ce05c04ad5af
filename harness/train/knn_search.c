/* knn_search.c — exact k-NN of a set against itself (see knn_search.h): the
 * engine of dmlbench knn (knn_search) and of the training's retrieval
 * metrics (knn_each, from knn.c).
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

#include <omp.h>

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
        rb->worst[i] = topk_sim(best[K - 1]);
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
static void knn_small(const dml_kernels *k, const float *Y, size_t N, size_t D, float *S,
                      float *work, row_best *rb)
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
}

/* Small K: rows visited once every list is complete. */
static int each_small(const dml_kernels *k, const float *Y, size_t N, size_t D, const uint32_t *K,
                      size_t Kmax, knn_visit visit, void *user, char *err, size_t errlen)
{
    size_t rows = N < BLOCK_ROWS ? N : BLOCK_ROWS;
    float *S = malloc(rows * N * sizeof *S);
    float *work = aligned_alloc(64, DML_GEMM_WORK_FLOATS * sizeof(float));
    row_best rb = { malloc(N * Kmax * sizeof(uint64_t)), malloc(N * sizeof(float)),
                    malloc(N * sizeof(uint32_t)), Kmax };
    int rc = !S || !work || !rb.keys || !rb.worst || !rb.have;
    if (rc) snprintf(err, errlen, "knn: out of memory (N = %zu, K = %zu)", N, Kmax);
    if (!rc) {
        knn_small(k, Y, N, D, S, work, &rb);
        for (size_t i = 0; i < N; i++) visit(user, i, rb.keys + i * Kmax, K ? K[i] : Kmax);
    }
    free(S); free(work); free(rb.keys); free(rb.worst); free(rb.have);
    return rc;
}

/* Large K: the items packed once, blocks of whole rows (a block to a thread,
 * each with its own buffers), each row reduced by topk_row while in cache. */
static int each_large(const dml_kernels *k, const float *Y, size_t N, size_t D, const uint32_t *K,
                      size_t Kmax, int threads, knn_visit visit, void *user, char *err, size_t errlen)
{
    size_t rows = N < BLOCK_ROWS ? N : BLOCK_ROWS, T = (size_t)threads;
    float *Bp = aligned_alloc(64, (k->gemm_packed_floats(N, D) * sizeof(float) + 63) / 64 * 64);
    float *S = malloc(T * rows * N * sizeof *S);
    float *work = aligned_alloc(64, T * DML_GEMM_WORK_FLOATS * sizeof(float));
    uint64_t *keys = malloc(T * N * sizeof *keys);
    uint32_t *scratch = malloc(T * 2 * N * sizeof *scratch);
    int rc = !Bp || !S || !work || !keys || !scratch;
    if (rc) snprintf(err, errlen, "knn: out of memory (N = %zu, D = %zu, %d threads)", N, D, threads);
    if (!rc) {
        k->gemm_pack_b(1, N, D, Y, D, Bp);
        long nblocks = (long)((N + rows - 1) / rows);
#pragma omp parallel for num_threads(threads) schedule(dynamic) if (threads > 1)
        for (long b = 0; b < nblocks; b++) {
            size_t t = threads > 1 ? (size_t)omp_get_thread_num() : 0, i0 = (size_t)b * rows;
            size_t m = N - i0 < rows ? N - i0 : rows;
            float *St = S + t * rows * N;
            k->gemm_packed(0, 1, m, N, D, Y + i0 * D, D, Y, D, Bp, St,
                           N, work + t * DML_GEMM_WORK_FLOATS, 0);
            for (size_t r = 0; r < m; r++) {
                size_t Ki = K ? K[i0 + r] : Kmax;
                topk_row(St + r * N, N, i0 + r, Ki, keys + t * N, scratch + t * 2 * N);
                visit(user, i0 + r, keys + t * N, Ki);
            }
        }
    }
    free(Bp); free(S); free(work); free(keys); free(scratch);
    return rc;
}

int knn_each(const float *Y, size_t N, size_t D, const uint32_t *K, size_t Kmax, knn_how how,
             knn_visit visit, void *user, char *err, size_t errlen)
{
    const dml_kernels *k = dml_kernels_for(how.isa == DML_ISA_AUTO ? dml_isa_default() : how.isa);
    int bad_k = Kmax < 1 || Kmax > N - 1;
    for (size_t i = 0; K && i < N && !bad_k; i++) bad_k = K[i] < 1 || K[i] > Kmax;
    if (!k || N < 2 || bad_k || D == 0 || N > UINT32_MAX || how.threads < 1) {
        snprintf(err, errlen, "knn: needs an ISA this CPU runs, 1 <= K <= N - 1 (N = %zu, K = %zu), D >= 1, "
                 "threads >= 1", N, Kmax);
        return 1;
    }
    /* the small path's lists take other rows' similarities as they come,
     * so it runs on one thread; it does half the large path's GEMM */
    if (Kmax <= (how.small_k ? how.small_k : SMALL_K))
        return each_small(k, Y, N, D, K, Kmax, visit, user, err, errlen);
    return each_large(k, Y, N, D, K, Kmax, how.threads, visit, user, err, errlen);
}

/* knn_search's visitor: each list as indices and similarities. */
typedef struct lists { int32_t *idx; float *sim; size_t K; } lists;

static void to_lists(void *user, size_t i, const uint64_t *keys, size_t K)
{
    lists *l = user;
    for (size_t r = 0; r < K; r++) {
        l->idx[i * l->K + r] = (int32_t)topk_index(keys[r]);
        l->sim[i * l->K + r] = topk_sim(keys[r]);
    }
}

int knn_search(const float *Y, size_t N, size_t D, size_t K, dml_isa isa, int32_t *idx,
               float *sim, char *err, size_t errlen)
{
    lists l = { idx, sim, K };
    knn_how how = { isa, 1, 0 };
    return knn_each(Y, N, D, NULL, K, how, to_lists, &l, err, errlen);
}
