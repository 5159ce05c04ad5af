/* knn_bench.h — `dmlbench knn`: exact k-NN search timed on one thread, over a
 * synthetic labelled set it writes to a directory with its neighbour lists,
 * so that scripts/faiss_bench.py runs FAISS on the very same data. */
#ifndef DML_TRAIN_KNN_BENCH_H
#define DML_TRAIN_KNN_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

#define KNN_BENCH_MAX_K 8

typedef struct knn_bench_opts {
    size_t n, d, classes;
    size_t k[KNN_BENCH_MAX_K];
    int nk, rounds;
    uint64_t seed;
    dml_isa isa;
    const char *out;   /* directory for knn_data.bin, knn_top<K>.i32, knn_dmlbench.json */
} knn_bench_opts;

/* Returns the exit status (after a message on failure). */
int knn_bench_main(const knn_bench_opts *o);

#endif
