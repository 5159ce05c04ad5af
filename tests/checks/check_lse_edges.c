/* check_lse_edges.c — the masked LSE⁺ of one ISA against the reference at its
 * edges: mining bounds (strict, entries exactly at a bound), sides with no
 * member, non-finite similarities.  Each check is a body run at every size by
 * lse_each_size.  Tolerances: lse_check_util.c. */
#include <stdlib.h>

#include "lse_check_util.h"

/* Multi-Similarity mining: lo < s < hi with finite bounds, including entries
 * exactly at a bound (strict: not members). */
static int lse_bounds_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    int rc = 0;
    for (int t = 0; t < 6 && !rc; t++) {
        float lo_p = -INFINITY, hi_p = rng_uniform(&b->st, -0.5f, 1.0f);
        float lo_n = rng_uniform(&b->st, -1.0f, 0.5f), hi_n = INFINITY;
        if (t >= 3) { /* both bounds finite on both sides */
            lo_p = rng_uniform(&b->st, -1.0f, 0.0f);
            hi_n = rng_uniform(&b->st, 0.0f, 1.0f);
        }
        for (size_t j = 0; j < b->n; j += 5) /* entries sitting on the bounds */
            b->s[j] = (j / 5) % 4 == 0 ? lo_p : (j / 5) % 4 == 1 ? hi_p
                    : (j / 5) % 4 == 2 ? lo_n : hi_n;
        for (size_t j = 0; j < b->n; j++)
            if (isinf(b->s[j])) b->s[j] = 0.25f;
        dml_lse_side p = { -2.0f, 1.0f, lo_p, hi_p, -0.1f, 1 };
        dml_lse_side q = { 50.0f, -25.0f, lo_n, hi_n, 0.1f, t & 1 };
        lse_case cs = { "mining bounds", b->n, b->s, b->lab, b->lab[b->n - 1], b->n - 1, &p, &q };
        rc = lse_compare(k, &cs, why, whylen);
    }
    return rc;
}

/* An empty row, n = 0: LSE⁺ gives 0, plain LSE −inf, no member. */
static int empty_row(const dml_kernels *k, lse_bufs *b, float *g, char *why, size_t whylen)
{
    dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
    q.plus = 0;
    float out[2] = { 7.0f, 7.0f };
    size_t cnt = k->lse(b->s, 0, b->lab, 3, SIZE_MAX, &p, &q, out, g);
    if (cnt != 0 || out[0] != 0.0f || out[1] != -INFINITY)
        FAIL("n = 0: out = %g %g (want 0 -inf), count %zu", (double)out[0], (double)out[1], cnt);
    return 0;
}

/* Rows with no member on a side: LSE⁺ gives 0, plain LSE −inf, weights 0. */
static int lse_empty_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    for (size_t j = 0; j < b->n; j++) b->lab[j] = 3;
    guarded gg;
    float *g = guarded_alloc(&gg, b->n * sizeof(float));
    if (!g) FAIL("out of memory");
    int rc = 0;
    for (int plus = 0; plus <= 1 && !rc; plus++) {
        const float want = plus ? 0.0f : -INFINITY;
        dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
        p.plus = q.plus = plus;
        /* (a) no label equals c: the positive side is empty */
        lse_case cs = { "no positives", b->n, b->s, b->lab, 2, SIZE_MAX, &p, &q };
        rc = lse_compare(k, &cs, why, whylen);
        float out[2] = { 7.0f, 7.0f };
        size_t cnt = rc ? 0 : k->lse(b->s, b->n, b->lab, 2, SIZE_MAX, &p, &q, out, g);
        if (!rc && (cnt != b->n || out[0] != want))
            { snprintf(why, whylen, "no positives, plus=%d n=%zu: out[0] = %g, count %zu", plus,
                       b->n, (double)out[0], cnt); rc = 1; }
        /* (b) the bounds exclude every entry: both sides empty */
        dml_lse_side pe = p, qe = q;
        pe.lo = qe.lo = 2.0f;
        pe.hi = qe.hi = 3.0f;
        lse_case ce = { "bounds exclude all", b->n, b->s, b->lab, 3, SIZE_MAX, &pe, &qe };
        if (!rc) rc = lse_compare(k, &ce, why, whylen);
        for (size_t j = 0; j < b->n; j++) g[j] = NAN;
        out[0] = out[1] = 7.0f;
        cnt = rc ? 0 : k->lse(b->s, b->n, b->lab, 3, SIZE_MAX, &pe, &qe, out, g);
        if (!rc && (cnt != 0 || out[0] != want || out[1] != want))
            { snprintf(why, whylen, "fully masked, plus=%d n=%zu: out = %g %g, count %zu", plus,
                       b->n, (double)out[0], (double)out[1], cnt); rc = 1; }
        for (size_t j = 0; j < b->n && !rc; j++)
            if (g[j] != 0.0f)
                { snprintf(why, whylen, "fully masked n=%zu: g[%zu] = %g", b->n, j, (double)g[j]);
                  rc = 1; }
        /* (c) the only positive is skipped, and labels == c everywhere else is absent */
        lse_case cs1 = { "only positive skipped", b->n, b->s, b->lab, 3, b->n / 2, &p, NULL };
        for (size_t j = 0; j < b->n; j++) b->lab[j] = j == b->n / 2 ? 3 : 4;
        if (!rc) rc = lse_compare(k, &cs1, why, whylen);
        for (size_t j = 0; j < b->n; j++) b->lab[j] = 3;
    }
    if (!rc) rc = empty_row(k, b, g, why, whylen); /* (d) */
    guarded_free(&gg);
    return rc;
}

/* ±inf and NaN similarities: never members (NaN fails lo < s < hi; ±inf is
 * not strictly inside the bounds, infinite or not); the rest of the row is
 * unaffected. */
static int lse_nonfinite_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    const float bad[] = { NAN, INFINITY, -INFINITY, -NAN };
    for (size_t j = 0; j < b->n; j++)
        if (j % 7 == 3 || j == 0) b->s[j] = bad[(j / 7) % 4];
    int rc = 0;
    for (int t = 0; t < 4 && !rc; t++) {
        dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
        p.plus = t & 1;
        if (t >= 2) { p.hi = 0.9f; q.lo = -0.9f; }
        lse_case cs = { "non-finite s", b->n, b->s, b->lab, b->lab[b->n - 1], SIZE_MAX, &p, &q };
        rc = lse_compare(k, &cs, why, whylen);
        lse_case cn = { "non-finite s, labels NULL", b->n, b->s, NULL, (int32_t)(b->n / 2),
                        SIZE_MAX, &p, &q };
        if (!rc) rc = lse_compare(k, &cn, why, whylen);
    }
    /* A row of nothing but NaN and inf: no member at all. */
    for (size_t j = 0; j < b->n && !rc; j++) b->s[j] = bad[j % 4];
    dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
    q.plus = 0;
    lse_case ca = { "all non-finite", b->n, b->s, b->lab, 1, SIZE_MAX, &p, &q };
    if (!rc) rc = lse_compare(k, &ca, why, whylen);
    return rc;
}

/* The checks: name, first seed (fixed, so a failure reproduces) and what
 * lse_each_size fills before the body (a number: s and labels of that many
 * classes). */
LSE_SIZED_CHECK(lse_bounds, 700, 3)
LSE_SIZED_CHECK(lse_empty, 800, LSE_FILL_S)
LSE_SIZED_CHECK(lse_nonfinite, 900, 3)
