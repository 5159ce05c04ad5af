/* test_sampled.c — sampled proxies (proxy_sample r < 1): the shared checks
 * of check_sampled.c on every ISA (the step is its gathered sub-problem's,
 * bit for bit; r = 1 is the unsampled step), the draw itself (the rule, its
 * size, uniform over the subsets, reproducible from the seed), the bad
 * ratios in the library and in the parameter table, and AdamW on the
 * sampled rows alone. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "dml_kernels.h"
#include "point/param_check.h"
#include "point/params.h"
#include "train/train.h"

ParameterizedTestParameters(sampled, every_check)
{
#define SAMPLED_ISA(name, id, parent, feature) id,
    static dml_isa isas[] = { DML_ISA_ROWS(SAMPLED_ISA) };
    return cr_make_param_array(dml_isa, isas, sizeof isas / sizeof isas[0]);
}

ParameterizedTest(dml_isa *isa, sampled, every_check)
{
    if (!dml_isa_supported(*isa)) {
        cr_log_info("sampled checks for %s not run: not runnable here", dml_isa_name(*isa));
        return;
    }
    for (const dml_check *check = dml_sample_checks; check->name; check++) {
        char why[512] = "";
        int status = check->fn(dml_kernels_for(*isa), why, sizeof why);
        cr_expect(status == 0, "%s [%s]: %s", check->name, dml_isa_name(*isa), why);
    }
}

/* ceil(r·C) for decimal ratios whose product is whole or not, at least 1. */
Test(sampled, count_is_ceil_r_c)
{
    static const struct { float r; size_t C, n; } t[] = {
        { 0.1f, 1000000, 100000 }, { 0.1f, 100000, 10000 }, { 0.3f, 100, 30 }, { 0.01f, 123, 2 },
        { 0.01f, 1000000, 10000 }, { 0.7f, 10, 7 },         { 0.33f, 10, 4 },  { 1e-9f, 50, 1 },
        { 1.0f, 77, 77 },          { 0.999f, 31, 31 },      { 0.5f, 3, 2 },    { 0.25f, 11318, 2830 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(dml_proxy_sample_count(t[i].C, t[i].r), t[i].n, "r=%g C=%zu: %zu, want %zu",
                     (double)t[i].r, t[i].C, dml_proxy_sample_count(t[i].C, t[i].r), t[i].n);
}

/* Every positive in, the size max(ceil(r·C), positives), increasing and
 * distinct, over many batches and seeds; the same seed the same sample. */
Test(sampled, rule_and_reproducible)
{
    enum { C = 500 };
    static int32_t y[200], idx[C], again[C];
    static unsigned char mark[C];
    const float rs[] = { 0.01f, 0.1f, 0.3f, 0.9f, 1.0f };
    uint64_t s = 7;
    for (int trial = 0; trial < 300; trial++) {
        size_t M = 1 + (size_t)(trial * 37 % 200);
        float r = rs[trial % 5];
        for (size_t i = 0; i < M; i++) s = s * 6364136223846793005ull + 1, y[i] = (int32_t)((s >> 33) % C);
        size_t n = dml_proxy_sample(y, M, C, r, (uint64_t)trial, mark, idx), npos = 0;
        memset(mark, 0, C);
        for (size_t i = 0; i < M; i++) npos += !mark[y[i]], mark[y[i]] = 1;
        size_t want = dml_proxy_sample_count(C, r);
        cr_assert_eq(n, want > npos ? want : npos, "trial %d: %zu sampled, want max(%zu, %zu)", trial, n, want, npos);
        for (size_t j = 0; j < n; j++) {
            cr_assert(idx[j] >= 0 && idx[j] < C && (j == 0 || idx[j] > idx[j - 1]), "trial %d: not increasing", trial);
            mark[idx[j]] = 0;
        }
        for (size_t q = 0; q < C; q++) cr_assert_eq(mark[q], 0, "trial %d: positive class %zu left out", trial, q);
        cr_assert_eq(dml_proxy_sample(y, M, C, r, (uint64_t)trial, mark, again), n);
        cr_assert(!memcmp(idx, again, n * sizeof *idx), "trial %d: the same seed drew another sample", trial);
    }
}

/* χ² of subset counts: every k-subset of the N classes without a positive
 * is equally likely.  N = 6, k = 2 (15 subsets) and k = 4, 30 000 seeds:
 * each expected 2 000 times.  Threshold 45 for 14 degrees of freedom (p ≈
 * 4e-5 for a correct sampler); a sampler that ignored the seed, or drew
 * only runs of neighbours, or favoured low classes, is far past it (the
 * constant-seed case below is checked to fail it). */
static double subset_chi2(size_t k, int vary_seed)
{
    enum { C = 9, T = 30000 };
    const int32_t y[3] = { 2, 5, 7 }; /* positives; the others: 0 1 3 4 6 8 */
    float r = (float)(3 + k) / C;
    double count[64] = { 0 };
    int32_t idx[C];
    unsigned char mark[C];
    for (int t = 0; t < T; t++) {
        size_t n = dml_proxy_sample(y, 3, C, r, vary_seed ? 0x9E37u * (uint64_t)t + 11 : 11, mark, idx);
        cr_assert_eq(n, 3 + k);
        unsigned code = 0;
        for (size_t j = 0; j < n; j++) {
            int c = idx[j], rank = c - (c > 2) - (c > 5) - (c > 7);
            if (c != 2 && c != 5 && c != 7) code |= 1u << rank;
        }
        count[code]++;
    }
    double e = T / 15.0, chi = 0; /* C(6, 2) = C(6, 4) = 15 subsets */
    size_t seen = 0;
    for (unsigned code = 0; code < 64; code++) {
        if ((size_t)__builtin_popcount(code) != k) {
            cr_assert_eq(count[code], 0, "a subset of the wrong size");
            continue;
        }
        chi += (count[code] - e) * (count[code] - e) / e;
        seen++;
    }
    cr_assert_eq(seen, 15);
    return chi;
}

Test(sampled, uniform_over_subsets)
{
    double c2 = subset_chi2(2, 1), c4 = subset_chi2(4, 1), broken = subset_chi2(2, 0);
    cr_log_info("chi2 (14 dof): k=2 %.1f, k=4 %.1f, constant seed %.0f", c2, c4, broken);
    cr_expect_lt(c2, 45.0, "k = 2: chi2 %.1f over 14 degrees of freedom", c2);
    cr_expect_lt(c4, 45.0, "k = 4: chi2 %.1f over 14 degrees of freedom", c4);
    cr_expect_gt(broken, 45.0, "the check cannot fail: a constant seed gives chi2 %.1f", broken);
}

/* Each class of a large C equally often: inclusion counts over 4 000 seeds
 * at C = 1000, r = 0.05 (Floyd's draws over ranks, then the scan), against
 * Binomial(T, p); χ² over 999 degrees of freedom under 1 200 (4.5 standard
 * deviations past its mean; a sampler that favoured one half of the classes
 * by 10 % gives about 2 000). */
Test(sampled, uniform_over_classes)
{
    enum { C = 1000, T = 4000 };
    static int32_t idx[C];
    static unsigned char mark[C];
    static double count[C];
    const int32_t y[1] = { 500 };
    for (int t = 0; t < T; t++) {
        size_t n = dml_proxy_sample(y, 1, C, 0.05f, (uint64_t)t * 2654435761u, mark, idx);
        cr_assert_eq(n, 50);
        for (size_t j = 0; j < n; j++) count[idx[j]]++;
    }
    cr_assert_eq(count[500], T, "the positive is always in");
    double p = 49.0 / 999.0, e = T * p, v = T * p * (1 - p), chi = 0;
    for (size_t q = 0; q < C; q++)
        if (q != 500) chi += (count[q] - e) * (count[q] - e) / v;
    cr_log_info("inclusion chi2 over 999 classes: %.1f", chi);
    cr_expect_lt(chi, 1200.0, "inclusion chi2 %.1f over 998 degrees of freedom", chi);
}

/* Bad ratios: one line each, from the library and from the parameter table;
 * the parameter of a loss without proxies is refused by name. */
Test(sampled, bad_ratio_refused)
{
    const float bad[] = { 0.0f, -0.5f, 1.5f, NAN, INFINITY };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int l = 0; l < 2; l++) {
            dml_params p = dml_params_default(l ? DML_LOSS_PROXY_NCA : DML_LOSS_PROXY_ANCHOR);
            if (l) p.u.nca.proxy_sample = bad[i]; else p.u.pa.proxy_sample = bad[i];
            dml_status st;
            dml_ctx *ctx = dml_ctx_create_for(&p, 8, 10, 4, DML_ISA_REF, 1, &st);
            cr_expect_null(ctx);
            cr_expect_eq(st, DML_ERR_PARAM);
            cr_expect(strstr(dml_last_error(), "proxy_sample") && !strchr(dml_last_error(), '\n'),
                      "message: %s", dml_last_error());
            dml_ctx_destroy(ctx);
        }
        cr_expect_eq(dml_proxy_sample_count(10, bad[i]), 0);
    }
    const char *text[] = { "0", "-1", "1.5", "nan", "abc", "", "0.5x" };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        dml_params p = dml_params_default(DML_LOSS_PROXY_ANCHOR);
        char err[256] = "";
        cr_expect_eq(params_set(&p, "proxy_sample", text[i], err, sizeof err), 1, "'%s' accepted", text[i]);
        cr_expect(strstr(err, "proxy_sample") && !strchr(err, '\n'), "message: %s", err);
    }
    dml_params p = dml_params_default(DML_LOSS_PROXY_NCA);
    char err[256] = "";
    cr_expect_eq(params_set(&p, "proxy_sample", "0.25", err, sizeof err), 0);
    cr_expect_eq(p.u.nca.proxy_sample, 0.25f);
    cr_expect_eq(param_check_loss("--proxy-sample", DML_LOSS_MS, err, sizeof err), 1);
    cr_expect(strstr(err, "proxy_sample is not a parameter of ms"), "message: %s", err);
    cr_expect_eq(param_check_loss("--proxy-sample", DML_LOSS_PROXY_NCA, err, sizeof err), 0);
}

/* A step with another ratio than its context's is refused (its buffers are
 * for its own sample), as are labels outside [0, C). */
Test(sampled, ratio_of_the_context)
{
    dml_params p = dml_params_default(DML_LOSS_PROXY_ANCHOR), q = p;
    p.u.pa.proxy_sample = 0.5f;
    float X[8 * 4] = { 1 }, P[10 * 4] = { 1 }, L, dX[8 * 4], dP[10 * 4];
    int32_t y[8] = { 0, 1, 2, 3, 0, 1, 2, 3 };
    dml_status st;
    dml_ctx *a = dml_ctx_create_for(&p, 8, 10, 4, DML_ISA_REF, 1, &st), *b = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 8, 10, 4, DML_ISA_REF, 1, &st);
    cr_assert(a && b);
    cr_expect_eq(dml_loss_step(a, &q, X, y, P, &L, dX, dP), DML_ERR_SHAPE);
    cr_expect_eq(dml_loss_step(b, &p, X, y, P, &L, dX, dP), DML_ERR_SHAPE);
    cr_expect_eq(dml_loss_step(a, &p, X, y, P, &L, dX, dP), DML_OK);
    cr_expect_eq(dml_ctx_sample(a, NULL, NULL), 5);
    cr_expect_eq(dml_ctx_sample(b, NULL, NULL), 0);
    y[3] = 10;
    cr_expect_eq(dml_loss_step(a, &p, X, y, P, &L, dX, dP), DML_ERR_LABEL);
    dml_ctx_destroy(a), dml_ctx_destroy(b);
}

/* AdamW on some rows is AdamW on those rows; every other row, m and v untouched. */
Test(sampled, adamw_rows)
{
    enum { R = 5, D = 3 };
    float p1[R * D], p2[R * D], g[R * D];
    for (int i = 0; i < R * D; i++) p1[i] = p2[i] = 0.1f * (float)i - 0.4f, g[i] = 0.05f * (float)(i % 7) - 0.1f;
    adamw a, b;
    char err[128];
    cr_assert(!adamw_init(&a, R * D, 0.01f, 0.1f, err, sizeof err) && !adamw_init(&b, R * D, 0.01f, 0.1f, err, sizeof err));
    const int32_t rows[2] = { 1, 3 };
    for (int t = 0; t < 3; t++) {
        adamw_step_rows(&a, p1, g, D, rows, 2);
        adamw_step(&b, p2, g);
    }
    for (int i = 0; i < R * D; i++) {
        int in = i / D == 1 || i / D == 3;
        float p0 = 0.1f * (float)i - 0.4f;
        cr_expect(in ? p1[i] == p2[i] && a.m[i] == b.m[i] && a.v[i] == b.v[i]
                     : p1[i] == p0 && a.m[i] == 0 && a.v[i] == 0, "element %d", i);
    }
    adamw_free(&a), adamw_free(&b);
}
