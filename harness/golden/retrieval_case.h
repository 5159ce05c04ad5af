/* retrieval_case.h — the golden retrieval cases: an embedding set and the
 * metrics PML 2.8.1 gives for it, checked against the train room's
 * retrieval_eval.  Read by `dmlbench golden`, the tests and the fuzzer. */
#ifndef DML_RETRIEVAL_CASE_H
#define DML_RETRIEVAL_CASE_H

#include "train/train.h"

/* The golden retrieval cases (tests/golden/README.md, "Retrieval cases"). */
typedef struct retrieval_case {
    size_t N, D;
    int32_t *labels;
    float *E;
    retrieval_metrics want;
} retrieval_case;

/* 1 when the first record of the file is `retrieval`. */
int retrieval_case_is(const char *path);
/* err: "line N: what is wrong" (the caller adds the file name). */
int retrieval_case_load(const char *path, retrieval_case *rc, char *err, size_t errlen);
void retrieval_case_free(retrieval_case *rc);
/* The largest |metric − reference| over the seven metrics. */
double retrieval_max_error(const retrieval_metrics *got, const retrieval_metrics *want);

/* For `dmlbench golden` (prints its line): 0 when the case passes. */
int golden_retrieval_check(const char *path, dml_isa isa, int threads);

#endif
