/* golden_retrieval.c — `dmlbench golden` for retrieval case files: the
 * metrics of retrieval_eval against PML's, one line a case. */
#include <stdio.h>

#include "core/error.h"
#include "golden/retrieval_case.h"

/* The golden cases were drawn so that float32 and float64 rank every list
 * alike; what is left is the last digit of a mean. */
#define RETRIEVAL_TOL 1e-6

int golden_retrieval_check(const char *path, dml_isa isa, int threads)
{
    retrieval_case rc;
    char err[256];
    if (retrieval_case_load(path, &rc, err, sizeof err))
        return die("golden: %s: %s", path, err);
    /* both paths of knn_each: the large one (small_k 1), then the path its
     * K chooses (the small one for K <= 64, as the shipped cases are; the
     * small path holds N x K keys, so it is not forced on a large case);
     * the worse of the two is reported */
    retrieval_metrics got;
    double e = 0;
    static const size_t small_k[2] = { 1, 0 };
    for (int p = 0; p < 2; p++) {
        retrieval_metrics m;
        if (retrieval_eval(rc.E, rc.N, rc.D, rc.labels, isa, small_k[p], threads, &m, err, sizeof err)) {
            retrieval_case_free(&rc);
            return die("golden: %s: %s", path, err);
        }
        double ep = retrieval_max_error(&m, &rc.want);
        if (p == 0 || ep > e) e = ep, got = m;
    }
    int pass = e <= RETRIEVAL_TOL;
    const char *name = path;
    for (const char *p = path; *p; p++)
        if (*p == '/') name = p + 1;
    printf("%-34s %-7s %12.3e %12s %12s  %s\n", name, dml_isa_name(isa), e / RETRIEVAL_TOL,
           "(metrics)", "-", pass ? "PASS" : "FAIL");
    if (!pass)
        printf("  %s: R@1 %.9f (want %.9f)  RP %.9f (%.9f)  MAP@R %.9f (%.9f)\n", name,
               got.recall[0], rc.want.recall[0], got.r_precision, rc.want.r_precision,
               got.map_at_r, rc.want.map_at_r);
    retrieval_case_free(&rc);
    return !pass;
}
