/* check_lse_masked.c — the masked LSE⁺ of one ISA against the reference on
 * ordinary similarities: labels or none, the skipped anchor, a missing side,
 * the plain and LSE⁺ modes, a large α.  Each check is a body run at every
 * size by lse_each_size.  Tolerances: lse_check_util.c. */
#include <stdlib.h>

#include "lse_check_util.h"

/* Labels from a C-class batch, both sides LSE⁺. */
static int lse_labels_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    const int32_t Cs[] = { 1, 2, 5, 100 };
    int rc = 0;
    for (int ci = 0; ci < 4 && !rc; ci++) {
        fill_s(b->s, b->n, &b->st);
        fill_labels(b->lab, b->n, Cs[ci], &b->st);
        dml_lse_side p = pa_pos(32.0f, 0.1f, -0.5f), q = pa_neg(32.0f, 0.1f, 0.25f);
        lse_case cs = { "labels", b->n, b->s, b->lab, b->lab[b->n / 2], SIZE_MAX, &p, &q };
        rc = lse_compare(k, &cs, why, whylen);
        cs.c = Cs[ci]; /* a class absent from the row: no positives */
        if (!rc) { cs.tag = "labels, absent class"; rc = lse_compare(k, &cs, why, whylen); }
    }
    return rc;
}

/* labels == NULL: label(j) = j (Proxy-NCA's rows: one positive, the rest negative). */
static int lse_labels_null_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    dml_lse_side all = { 32.0f, 0.0f, -INFINITY, INFINITY, 1.0f / 7.0f, 0 };
    dml_lse_side p = pa_pos(16.0f, 0.2f, -1.0f), q = pa_neg(16.0f, 0.2f, 1.0f);
    const int32_t cs_c[] = { 0, (int32_t)(b->n / 2), (int32_t)b->n - 1, (int32_t)b->n, -1 };
    int rc = 0;
    for (int i = 0; i < 5 && !rc; i++) {
        lse_case nca = { "labels NULL, plain LSE, pos NULL", b->n, b->s, NULL, cs_c[i], SIZE_MAX,
                         NULL, &all };
        rc = lse_compare(k, &nca, why, whylen);
        lse_case two = { "labels NULL, two sides", b->n, b->s, NULL, cs_c[i], SIZE_MAX, &p, &q };
        if (!rc) rc = lse_compare(k, &two, why, whylen);
        lse_case inc = { "labels NULL, one plain side over all", b->n, b->s, NULL, cs_c[i],
                         SIZE_MAX, &all, &all };
        if (!rc) rc = lse_compare(k, &inc, why, whylen);
    }
    return rc;
}

/* skip: at the first, middle and last index, past the row, SIZE_MAX, and at a
 * negative's index (where it must change nothing). */
static int lse_skip_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    const size_t n = b->n;
    const size_t skips[] = { 0, n / 2, n - 1, n - 1 - n / 3, n, n + 5, SIZE_MAX };
    dml_lse_side p = { -2.0f, 1.0f, -INFINITY, INFINITY, -1.0f / 64, 1 };
    dml_lse_side q = { 50.0f, -25.0f, -INFINITY, INFINITY, 1.0f / 64, 1 };
    int rc = 0;
    for (int i = 0; i < 7 && !rc; i++) {
        size_t sk = skips[i];
        /* Make the skipped index a positive, as in Multi-Similarity. */
        int32_t c = sk < n ? b->lab[sk] : b->lab[0];
        lse_case cs = { "skip (MS row)", n, b->s, b->lab, c, sk, &p, &q };
        rc = lse_compare(k, &cs, why, whylen);
        if (!rc && sk < n) { /* skip at a negative: no effect */
            cs.tag = "skip at a negative";
            cs.c = b->lab[sk] + 1;
            rc = lse_compare(k, &cs, why, whylen);
        }
        if (!rc && sk < n) { /* labels NULL, skip = the positive itself */
            lse_case nl = { "skip the only positive, labels NULL", n, b->s, NULL, (int32_t)sk, sk,
                            &p, &q };
            rc = lse_compare(k, &nl, why, whylen);
        }
    }
    return rc;
}

/* One side NULL, or both. */
static int lse_null_side_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    dml_lse_side p = pa_pos(32.0f, 0.1f, -0.3f), q = pa_neg(32.0f, 0.1f, 0.3f);
    dml_lse_side pp = p, qq = q;
    pp.plus = 0;
    qq.plus = 0;
    const dml_lse_side *P[] = { NULL, &p, NULL, NULL, &pp, NULL };
    const dml_lse_side *Q[] = { &q, NULL, NULL, &qq, NULL, NULL };
    int rc = 0;
    for (int i = 0; i < 6 && !rc; i++) {
        lse_case cs = { "NULL side", b->n, b->s, b->lab, 1, SIZE_MAX, P[i], Q[i] };
        rc = lse_compare(k, &cs, why, whylen);
    }
    return rc;
}

/* plus = 0 and 1 on either side, with z mostly below and mostly above 0 (the
 * shift is max(0, max z) only for LSE⁺), and with every z below −88, where
 * LSE⁺ ≈ 0 and shifting by max z instead of 0 would overflow exp(−shift). */
static int lse_plus_modes_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    int rc = 0;
    const float offs[] = { -40.0f, 0.0f, 30.0f, -150.0f };
    for (int m = 0; m < 4 && !rc; m++) {
        for (int o = 0; o < 4 && !rc; o++) {
            dml_lse_side p = { -8.0f, offs[o], -INFINITY, INFINITY, -0.125f, m & 1 };
            dml_lse_side q = { 12.0f, offs[o], -INFINITY, INFINITY, 0.5f, (m >> 1) & 1 };
            lse_case cs = { "plus modes", b->n, b->s, b->lab, b->lab[0], SIZE_MAX, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
        }
    }
    return rc;
}

/* Every output of one call finite at α = 200 (nothing overflowed). */
static int alpha200_finite(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    dml_lse_side p = pa_pos(200.0f, 0.1f, -1.0f), q = pa_neg(200.0f, 0.1f, 1.0f);
    float out[2];
    guarded gg;
    float *g = guarded_alloc(&gg, b->n * sizeof(float));
    if (!g) FAIL("out of memory");
    k->lse(b->s, b->n, b->lab, b->lab[0], SIZE_MAX, &p, &q, out, g);
    int rc = 0;
    for (size_t j = 0; j < b->n && !rc; j++) {
        if (!isfinite(g[j])) {
            snprintf(why, whylen, "alpha 200 n=%zu: g[%zu] = %g (overflow)", b->n, j,
                     (double)g[j]);
            rc = 1;
        }
    }
    if (!rc && !(isfinite(out[0]) && isfinite(out[1]))) {
        snprintf(why, whylen, "alpha 200 n=%zu: out = %g %g (overflow)", b->n,
                 (double)out[0], (double)out[1]);
        rc = 1;
    }
    guarded_free(&gg);
    return rc;
}

/* Scales up to α = 200: z reaches ~220 and a naive float exp overflows. */
static int lse_large_alpha_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    b->s[0] = 1.0f;
    b->s[b->n - 1] = -1.0f;
    int rc = 0;
    const float alphas[] = { 64.0f, 128.0f, 200.0f };
    for (int ai = 0; ai < 3 && !rc; ai++) {
        for (int plus = 0; plus <= 1 && !rc; plus++) {
            float al = alphas[ai];
            dml_lse_side p = pa_pos(al, 0.1f, -al / 10), q = pa_neg(al, 0.1f, al / 4);
            p.plus = q.plus = plus;
            lse_case cs = { "large alpha (Proxy-Anchor)", b->n, b->s, b->lab, b->lab[0], SIZE_MAX,
                            &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
            /* Multi-Similarity with β = α: z = β (s − λ). */
            dml_lse_side mp = { -al, al * 0.5f, -INFINITY, INFINITY, -0.01f, plus };
            dml_lse_side mq = { al, -al * 0.5f, -INFINITY, INFINITY, 0.01f, plus };
            lse_case ms = { "large alpha (MS)", b->n, b->s, b->lab, b->lab[1 % b->n], 1, &mp, &mq };
            if (!rc) rc = lse_compare(k, &ms, why, whylen);
        }
    }
    return rc ? rc : alpha200_finite(k, b, why, whylen);
}

/* The checks: name, first seed (fixed, so a failure reproduces) and what
 * lse_each_size fills before the body (a number: s and labels of that many
 * classes). */
LSE_SIZED_CHECK(lse_labels, 100, LSE_FILL_NONE)
LSE_SIZED_CHECK(lse_labels_null, 200, LSE_FILL_S)
LSE_SIZED_CHECK(lse_skip, 300, 4)
LSE_SIZED_CHECK(lse_null_side, 400, 3)
LSE_SIZED_CHECK(lse_plus_modes, 500, 5)
LSE_SIZED_CHECK(lse_large_alpha, 600, 4)
