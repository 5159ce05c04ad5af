/* test_knn_search.c — knn_search (dmlbench knn's exact k-NN) against a
 * brute force in double on every ISA here: both paths (small K: half the
 * GEMM and both lists fed from it; large K: whole rows and topk_row), sizes
 * across the 128-row block, K = N - 1, and exact duplicates and an
 * all-equal set, whose ties must come out by lower index as FAISS orders
 * them (tests/unit/test_topk.c checks topk_row itself, bit for bit). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "train/knn_search.h"

/* Unit rows with every third row a copy of the one before (ties). */
static float *unit_rows(size_t N, size_t D, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    float *Y = malloc(N * D * sizeof *Y);
    for (size_t i = 0; i < N; i++) {
        double ss = 0;
        for (size_t j = 0; j < D; j++) {
            Y[i * D + j] = i % 3 == 2 ? Y[(i - 1) * D + j] : (float)rng_normal(&r);
            ss += (double)Y[i * D + j] * Y[i * D + j];
        }
        if (i % 3 != 2)
            for (size_t j = 0; j < D; j++) Y[i * D + j] = (float)(Y[i * D + j] / sqrt(ss));
    }
    return Y;
}

/* Whether row i's list idx[0..K) is a correct answer: nearest first, none
 * of it the query, and no other item nearer than its K-th (within the
 * rounding of a float GEMM: 1e-5 for unit rows of D <= 64). */
static void check_row(const float *Y, size_t N, size_t D, size_t K, size_t i, const int32_t *idx)
{
    double *s = malloc(N * sizeof *s);
    for (size_t j = 0; j < N; j++) {
        s[j] = 0;
        for (size_t t = 0; t < D; t++) s[j] += (double)Y[i * D + t] * Y[j * D + t];
    }
    char *in = calloc(N, 1);
    for (size_t r = 0; r < K; r++) {
        cr_assert(idx[r] >= 0 && (size_t)idx[r] < N && (size_t)idx[r] != i && !in[idx[r]],
                  "row %zu: entry %zu is %d", i, r, idx[r]);
        in[idx[r]] = 1;
        if (r) cr_assert(s[idx[r]] <= s[idx[r - 1]] + 1e-5, "row %zu: not nearest first at %zu", i, r);
    }
    double kth = s[idx[K - 1]];
    for (size_t j = 0; j < N; j++)
        if (!in[j] && j != i) cr_assert(s[j] <= kth + 1e-5, "row %zu: item %zu (%.7f) missed, K-th %.7f", i, j, s[j], kth);
    free(s);
    free(in);
}

static void check(dml_isa isa, size_t N, size_t D, size_t K)
{
    float *Y = unit_rows(N, D, 7 + N + K);
    int32_t *idx = malloc(N * K * sizeof *idx);
    float *sim = malloc(N * K * sizeof *sim);
    char err[256];
    cr_assert_eq(knn_search(Y, N, D, K, isa, idx, sim, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < N; i++) {
        check_row(Y, N, D, K, i, idx + i * K);
        /* a duplicate pair is each other's nearest, exactly */
        if (i % 3 == 1 && i + 1 < N) cr_assert_eq(idx[i * K], (int32_t)(i + 1), "row %zu", i);
        if (i % 3 == 2) cr_assert_eq(idx[i * K], (int32_t)(i - 1), "row %zu", i);
    }
    free(Y); free(idx); free(sim);
}

Test(knn_search, small_and_large_k_every_isa)
{
    cr_assert_eq(dml_isa_init(), DML_OK);
    for (int i = 0; i < DML_ISA_COUNT; i++) {
        if (!dml_isa_supported((dml_isa)i)) continue;
        static const size_t cases[][3] = { { 2, 3, 1 },   { 17, 5, 9 },   { 129, 16, 9 },
                                           { 300, 33, 64 }, { 300, 33, 65 }, { 261, 64, 200 },
                                           { 300, 8, 299 } };
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
            check((dml_isa)i, cases[c][0], cases[c][1], cases[c][2]);
    }
}

/* Every item the same (an exact 1 as every similarity, whatever the GEMM's
 * order of sums): each list is all the others in index order, on both paths,
 * K = N - 1 included; topk_row's threshold falls on a tie of all N. */
Test(knn_search, all_equal_items_every_isa)
{
    cr_assert_eq(dml_isa_init(), DML_OK);
    size_t N = 150, D = 5;
    float *Y = calloc(N * D, sizeof *Y);
    for (size_t i = 0; i < N; i++) Y[i * D + 1] = 1.0f;
    int32_t *idx = malloc(N * (N - 1) * sizeof *idx);
    float *sim = malloc(N * (N - 1) * sizeof *sim);
    char err[256];
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (!dml_isa_supported((dml_isa)isa)) continue;
        const size_t Ks[] = { 9, 64, 65, N - 1 };
        for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++) {
            size_t K = Ks[k];
            cr_assert_eq(knn_search(Y, N, D, K, (dml_isa)isa, idx, sim, err, sizeof err), 0, "%s", err);
            for (size_t i = 0; i < N; i++)
                for (size_t r = 0; r < K; r++)
                    cr_assert_eq(idx[i * K + r], (int32_t)(r < i ? r : r + 1), "%s K %zu row %zu rank %zu",
                                 dml_isa_name((dml_isa)isa), K, i, r);
        }
    }
    free(Y); free(idx); free(sim);
}

Test(knn_search, refuses_bad_sizes)
{
    float y[4] = { 1, 0, 0, 1 };
    int32_t idx[4];
    float sim[4];
    char err[256];
    cr_assert_eq(knn_search(y, 2, 2, 2, DML_ISA_REF, idx, sim, err, sizeof err), 1);
    cr_assert(strstr(err, "K <= N - 1"), "%s", err);
    cr_assert_eq(knn_search(y, 1, 4, 1, DML_ISA_REF, idx, sim, err, sizeof err), 1);
}
