/* knn_search.h — exact cosine k-nearest-neighbour search of a set against
 * itself (each item left out of its own list), the neighbours themselves:
 * what FAISS's IndexFlatIP returns, for comparing with it (dmlbench knn). */
#ifndef DML_TRAIN_KNN_SEARCH_H
#define DML_TRAIN_KNN_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

/* The K (1 <= K <= N - 1) nearest by inner product of each row of the unit
 * rows Y (N × D) among the others, nearest first, ties by lower index:
 * idx[i·K + r], sim[i·K + r].  One thread.  Returns 0, or 1 with err set. */
int knn_search(const float *Y, size_t N, size_t D, size_t K, dml_isa isa, int32_t *idx,
               float *sim, char *err, size_t errlen);

#endif
