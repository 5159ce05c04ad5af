/* knn_search.h — exact cosine k-nearest-neighbour search of a set against
 * itself (each item left out of its own list), the neighbours themselves:
 * what FAISS's IndexFlatIP returns, for comparing with it (dmlbench knn). */
#ifndef DML_TRAIN_KNN_SEARCH_H
#define DML_TRAIN_KNN_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

/* How knn_each runs: the GEMM's ISA, threads (>= 1) for the large-K path,
 * and the largest K of the small path (0: 64; 1: the large path always). */
typedef struct knn_how { dml_isa isa; int threads; size_t small_k; } knn_how;

/* Row i's K[i] nearest (K NULL: Kmax for every row; 1 <= K[i] <= Kmax <=
 * N - 1) by inner product among the other unit rows of Y (N × D), handed to
 * visit(user, i, keys, K[i]) as topk_key keys, nearest first, ties by lower
 * index.  keys is valid during the call only.  Small path (Kmax <= small_k):
 * one thread, half the GEMM (S is symmetric), N × Kmax keys held, rows
 * visited in order at the end; large path: up to `threads`, visit called
 * from several at once for different rows.  Returns 0, or 1 with err set. */
typedef void (*knn_visit)(void *user, size_t i, const uint64_t *keys, size_t K);
int knn_each(const float *Y, size_t N, size_t D, const uint32_t *K, size_t Kmax, knn_how how,
             knn_visit visit, void *user, char *err, size_t errlen);

/* The K (1 <= K <= N - 1) nearest by inner product of each row of the unit
 * rows Y (N × D) among the others, nearest first, ties by lower index:
 * idx[i·K + r], sim[i·K + r].  One thread.  Returns 0, or 1 with err set. */
int knn_search(const float *Y, size_t N, size_t D, size_t K, dml_isa isa, int32_t *idx,
               float *sim, char *err, size_t errlen);

#endif
