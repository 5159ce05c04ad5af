/* test_loss_errors.c — bad input to the losses: every error code, found
 * before anything is written (the outputs keep their sentinels), each with a
 * detail message of its own. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dml.h"
#include "loss_problem.h"

/* ------------------------------------------------------------ bad input */

/* On error nothing is written: the outputs keep their sentinels. */
static void expect_error(const problem *p, dml_status want, const char *what)
{
    float L = 12345.0f, dX[64], dP[256]; /* SoftTriple: C·K·D = 3·10·4 */
    cr_assert_leq(proxy_floats(p), 256u);
    for (int i = 0; i < 64; i++) dX[i] = 777.0f;
    for (int i = 0; i < 256; i++) dP[i] = 777.0f;
    dml_status st = step(p, DML_ISA_REF, 1, &L, dX, has_proxies(p) ? dP : NULL);
    cr_expect_eq(st, want, "%s: got %d (%s), want %d", what, st, dml_strerror(st), want);
    cr_expect(strlen(dml_last_error()) > 0, "%s: no detail message", what);
    cr_expect(L == 12345.0f && dX[0] == 777.0f && dP[0] == 777.0f, "%s: output written on error", what);
}

Test(errors, sizes)
{
    dml_status st;
    cr_expect_null(dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 0, 3, 4, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_M_ZERO);
    cr_expect_null(dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 3, 0, 4, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_C_ZERO);
    cr_expect_null(dml_ctx_create(DML_LOSS_MS, 3, 3, 0, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_D_ZERO);
    cr_expect_null(dml_ctx_create(DML_LOSS_MS, SIZE_MAX / 2, 3, 4, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_OVERFLOW);
    cr_expect_null(dml_ctx_create(DML_LOSS_PROXY_NCA, 4, (size_t)1 << 40, (size_t)1 << 30, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_OVERFLOW);
    cr_expect_null(dml_ctx_create(DML_LOSS_MS, 3, 3, 4, DML_ISA_REF, 0, &st));
    cr_expect_eq(st, DML_ERR_ARG);
    cr_expect_null(dml_ctx_create((dml_loss)9, 3, 3, 4, DML_ISA_REF, 1, &st));
    cr_expect_eq(st, DML_ERR_ARG);
}

Test(errors, unsupported_isa)
{
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (dml_isa_supported((dml_isa)isa)) continue;
        dml_status st;
        cr_expect_null(dml_ctx_create(DML_LOSS_MS, 3, 3, 4, (dml_isa)isa, 1, &st));
        cr_expect_eq(st, DML_ERR_ISA, "ISA %s", dml_isa_name((dml_isa)isa));
        cr_expect_eq(dml_isa_set((dml_isa)isa), DML_ERR_ISA);
    }
    dml_isa out;
    cr_expect_eq(dml_isa_parse("sse9", &out), DML_ERR_ARG);
}

Test(errors, labels)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        problem p = make_problem((dml_loss)l, 4, 3, 4, 3, 91);
        p.y[2] = 3;
        expect_error(&p, DML_ERR_LABEL, "label = C");
        p.y[2] = -1;
        expect_error(&p, DML_ERR_LABEL, "label = -1");
        free_problem(&p);
    }
}

Test(errors, null_pointers)
{
    problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 4, 3, 4, 3, 92);
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 4, 3, 4, DML_ISA_REF, 1, &st);
    cr_assert_not_null(ctx);
    float L = 5, dX[16], dP[12];
    dml_proxy_anchor_params pa = DML_PROXY_ANCHOR_DEFAULTS;
    cr_expect_eq(dml_proxy_anchor(NULL, &pa, p.X, p.y, p.P, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, NULL, p.X, p.y, p.P, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, &pa, NULL, p.y, p.P, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, &pa, p.X, NULL, p.P, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, &pa, p.X, p.y, NULL, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, &pa, p.X, p.y, p.P, NULL, dX, dP), DML_ERR_NULL);
    cr_expect_eq(dml_proxy_anchor(ctx, &pa, p.X, p.y, p.P, &L, dX, NULL), DML_ERR_NULL);
    cr_expect_eq(dml_loss_step(ctx, NULL, p.X, p.y, p.P, &L, dX, dP), DML_ERR_NULL);
    cr_expect_eq(L, 5.0f, "loss written on error");
    /* A context made for one loss refuses another. */
    dml_proxy_nca_params nca = DML_PROXY_NCA_DEFAULTS;
    cr_expect_eq(dml_proxy_nca(ctx, &nca, p.X, p.y, p.P, &L, dX, dP), DML_ERR_SHAPE);
    dml_ctx_destroy(ctx);
    free_problem(&p);
}

Test(errors, parameters)
{
    problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 4, 3, 4, 3, 93);
    float bad_pos[] = { 0.0f, -1.0f, NAN, INFINITY };
    for (int i = 0; i < 4; i++) {
        p.params.u.pa = DML_PROXY_ANCHOR_DEFAULTS;
        p.params.u.pa.alpha = bad_pos[i];
        expect_error(&p, DML_ERR_PARAM, "proxy-anchor alpha");
    }
    p.params.u.pa = DML_PROXY_ANCHOR_DEFAULTS;
    p.params.u.pa.delta = -0.1f;
    expect_error(&p, DML_ERR_MARGIN, "delta < 0");
    free_problem(&p);

    problem n = make_problem(DML_LOSS_PROXY_NCA, 4, 3, 4, 3, 94);
    n.params.u.nca.scale = 0.0f;
    expect_error(&n, DML_ERR_PARAM, "scale = 0");
    free_problem(&n);

    problem one = make_problem(DML_LOSS_PROXY_NCA, 4, 1, 4, 1, 95);
    expect_error(&one, DML_ERR_CLASSES, "Proxy-NCA, C = 1, no positive in the denominator");
    free_problem(&one);

    problem m = make_problem(DML_LOSS_MS, 4, 3, 4, 3, 96);
    m.params.u.ms.beta = -2.0f;
    expect_error(&m, DML_ERR_PARAM, "beta < 0");
    m.params.u.ms = DML_MS_DEFAULTS;
    m.params.u.ms.alpha = 0.0f;
    expect_error(&m, DML_ERR_PARAM, "ms alpha = 0");
    m.params.u.ms = DML_MS_DEFAULTS;
    m.params.u.ms.epsilon = -0.1f;
    expect_error(&m, DML_ERR_MARGIN, "epsilon < 0");
    free_problem(&m);

    problem t = make_problem(DML_LOSS_TRIPLET, 4, 3, 4, 3, 97);
    t.params.u.triplet.margin = -0.1f;
    expect_error(&t, DML_ERR_MARGIN, "margin < 0");
    free_problem(&t);
}

Test(errors, soft_triple_parameters)
{
    float bad_pos[] = { 0.0f, -1.0f, NAN, INFINITY };
    problem p = make_problem(DML_LOSS_SOFT_TRIPLE, 4, 3, 4, 3, 99);
    for (int i = 0; i < 4; i++) {
        p.params.u.st = DML_SOFT_TRIPLE_DEFAULTS;
        p.params.u.st.la = bad_pos[i];
        expect_error(&p, DML_ERR_PARAM, "soft_triple la");
        p.params.u.st = DML_SOFT_TRIPLE_DEFAULTS;
        p.params.u.st.gamma = bad_pos[i];
        expect_error(&p, DML_ERR_PARAM, "soft_triple gamma");
    }
    p.params.u.st = DML_SOFT_TRIPLE_DEFAULTS;
    p.params.u.st.margin = -0.01f;
    expect_error(&p, DML_ERR_MARGIN, "soft_triple margin < 0");
    p.params.u.st = DML_SOFT_TRIPLE_DEFAULTS;
    for (int k = 0; k >= -1; k--) { /* no centre: no context either */
        p.params.u.st.centers_per_class = k;
        expect_error(&p, DML_ERR_PARAM, "centers_per_class <= 0");
        cr_expect_eq(dml_proxy_rows(&p.params, 3), 0u);
    }
    free_problem(&p);

    /* a context made for K = 10 refuses K = 3 (P would have another shape),
     * and a K = 0 step on it is refused as a bad parameter, before the shape */
    dml_status st;
    problem q = make_problem(DML_LOSS_SOFT_TRIPLE, 4, 3, 4, 3, 100);
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_SOFT_TRIPLE, 4, 3, 4, DML_ISA_REF, 1, &st);
    cr_assert_not_null(ctx);
    cr_expect_eq(dml_ctx_proxy_rows(ctx), 30u);
    float L, dX[16], dP[120];
    dml_soft_triple_params k3 = { 3, 20.0f, 0.1f, 0.01f }, k0 = { 0, 20.0f, 0.1f, 0.01f };
    cr_expect_eq(dml_soft_triple(ctx, &k3, q.X, q.y, q.P, &L, dX, dP), DML_ERR_SHAPE);
    cr_expect_eq(dml_soft_triple(ctx, &k0, q.X, q.y, q.P, &L, dX, dP), DML_ERR_PARAM);
    cr_expect_eq(dml_soft_triple(ctx, NULL, q.X, q.y, q.P, &L, dX, dP), DML_ERR_NULL);
    dml_ctx_destroy(ctx);
    free_problem(&q);
}

Test(errors, normalized_softmax_parameters)
{
    float bad_pos[] = { 0.0f, -0.05f, NAN, INFINITY, 1e-39f /* 1/τ overflows */ };
    problem p = make_problem(DML_LOSS_NORMALIZED_SOFTMAX, 4, 3, 4, 3, 101);
    for (int i = 0; i < 5; i++) {
        p.params.u.ns.temperature = bad_pos[i];
        expect_error(&p, DML_ERR_PARAM, "normalized_softmax temperature");
    }
    free_problem(&p);
}

Test(errors, non_finite_inputs)
{
    float bad[] = { NAN, INFINITY, -INFINITY };
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        for (int b = 0; b < 3; b++) {
            problem p = make_problem((dml_loss)l, 4, 3, 4, 3, 98);
            p.X[5] = bad[b];
            expect_error(&p, DML_ERR_NONFINITE, "X not finite");
            if (has_proxies(&p)) {
                p.X[5] = 0.5f;
                p.P[7] = bad[b];
                expect_error(&p, DML_ERR_NONFINITE, "P not finite");
            }
            free_problem(&p);
        }
    }
}

Test(errors, every_code_has_its_own_message)
{
    for (int a = 0; a < DML_STATUS_COUNT; a++) {
        cr_expect(dml_strerror((dml_status)a) && *dml_strerror((dml_status)a));
        for (int b = 0; b < a; b++)
            cr_expect_str_neq(dml_strerror((dml_status)a), dml_strerror((dml_status)b));
    }
    cr_expect_str_eq(dml_strerror((dml_status)999), "unknown error code");
}
