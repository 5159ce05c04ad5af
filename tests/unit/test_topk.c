/* test_topk.c — topk_row (the sampled threshold) and topk_row_from (any
 * threshold) against a full sort of every key, bit for bit: the same K keys
 * in the same order.  The thresholds given to topk_row_from are the ones a
 * wrong fall-back would get wrong: exactly the K-th similarity (ties there),
 * one float above it (K - 1 items left, the query itself above t), one below,
 * +inf, -inf, NaN.  The rows: ties, an all-equal row, values outside [-1, 1],
 * infinities, ±0, subnormals, and rows of the sizes dmlbench knn and the
 * Fashion-MNIST evaluation give (where topk_row samples). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "train/topk.h"

static int desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Every key but self's, sorted nearest first: the answer. */
static uint64_t *reference(const float *s, size_t N, size_t self)
{
    uint64_t *all = malloc(N * sizeof *all);
    size_t m = 0;
    for (size_t j = 0; j < N; j++)
        if (j != self) all[m++] = topk_key(s[j], (uint32_t)j);
    qsort(all, m, sizeof *all, desc);
    return all;
}

/* topk_row and topk_row_from at each telling threshold, for one self and K. */
static void check_one(const float *s, size_t N, size_t self, size_t K, const char *what)
{
    uint64_t *want = reference(s, N, self), *keys = malloc(N * sizeof *keys);
    uint32_t *scratch = malloc(2 * N * sizeof *scratch);
    topk_row(s, N, self, K, keys, scratch);
    cr_assert(!memcmp(keys, want, K * sizeof *keys), "%s: topk_row, N %zu self %zu K %zu", what, N, self, K);
    float kth = topk_sim(want[K - 1]), inf = __builtin_inff();
    const float t[] = { kth, nextafterf(kth, inf), nextafterf(kth, -inf), topk_sim(want[0]),
                        inf, -inf, __builtin_nanf(""), 0.0f };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        memset(keys, 0, N * sizeof *keys);
        topk_row_from(s, N, self, K, t[i], keys, scratch);
        cr_assert(!memcmp(keys, want, K * sizeof *keys), "%s: topk_row_from t = %g, N %zu self %zu K %zu",
                  what, (double)t[i], N, self, K);
    }
    free(want); free(keys); free(scratch);
}

/* A row against several K, the query at the top, the bottom and the middle. */
static void check_row(float *s, size_t N, const char *what)
{
    const size_t Ks[] = { 1, 2, 3, 33, N / 2, N - 2, N - 1 };
    const size_t selves[] = { 0, N / 3, N - 1 };
    for (size_t a = 0; a < 3; a++)
        for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++)
            if (Ks[k] >= 1 && Ks[k] <= N - 1) check_one(s, N, selves[a], Ks[k], what);
}

static float *normal_row(size_t N, uint64_t seed, float sd)
{
    rng r;
    rng_seed(&r, seed);
    float *s = malloc(N * sizeof *s);
    for (size_t j = 0; j < N; j++) s[j] = (float)(sd * rng_normal(&r));
    return s;
}

Test(topk, ties_and_equal_rows)
{
    size_t N = 3001;
    float *s = normal_row(N, 11, 1.0f);
    for (size_t j = 0; j < N; j++) s[j] = roundf(s[j] * 2.0f) / 8.0f; /* ~20 values: ties everywhere */
    check_row(s, N, "ties");
    for (size_t j = 0; j < N; j++) s[j] = 0.25f;
    check_row(s, N, "all equal");
    s[N / 3] = 1.0f; /* the query above a flat row, as its own similarity is */
    check_row(s, N, "all equal but the query");
    free(s);
    float two[2] = { 0.5f, 0.5f };
    check_one(two, 2, 0, 1, "N = 2");
    check_one(two, 2, 1, 1, "N = 2");
}

Test(topk, extreme_values)
{
    size_t N = 2500;
    float *s = normal_row(N, 12, 0.4f);
    const float odd[] = { 1.0f + FLT_EPSILON, -1.0f - FLT_EPSILON, 1.5f, -3.0f, 1e30f, -1e30f, FLT_MAX,
                          -FLT_MAX, __builtin_inff(), -__builtin_inff(), 0.0f, -0.0f, FLT_MIN / 4, -FLT_MIN / 4,
                          FLT_MIN, 1e-38f };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) s[(i * 157) % N] = odd[i], s[(i * 157 + 1) % N] = odd[i];
    check_row(s, N, "extreme");
    for (size_t j = 0; j < N; j++) s[j] = j % 2 ? 0.0f : -0.0f; /* equal as floats, not as keys */
    check_row(s, N, "signed zeros");
    free(s);
}

/* The sizes the sample is taken at: dmlbench knn's rows (K = 999 of 22 400)
 * and the Fashion-MNIST evaluation's (R = 6 999 of 35 000), similarities
 * clustered as cosines are; then with a comb of near-ties at the first
 * place of every stride the sample is taken in. */
Test(topk, sampled_sizes)
{
    const size_t shapes[][2] = { { 22400, 999 }, { 35000, 6999 }, { 5000, 65 }, { 4096, 4000 } };
    for (size_t c = 0; c < sizeof shapes / sizeof *shapes; c++) {
        size_t N = shapes[c][0], K = shapes[c][1];
        float *s = normal_row(N, 13 + c, 0.2f);
        for (size_t j = 0; j < N; j++) s[j] = s[j] > 1 ? 1 : s[j] < -1 ? -1 : s[j];
        s[N / 2] = 1.0f;
        check_one(s, N, N / 2, K, "sampled");
        check_one(s, N, 7, K, "sampled, query not the largest");
        for (size_t j = 0; j < N; j++) s[j] = (j % (N / 1024)) == 0 ? 0.9f - 1e-6f * (float)(j % 97) : s[j];
        check_one(s, N, N / 2, K, "sampled, a comb");
        free(s);
    }
}
