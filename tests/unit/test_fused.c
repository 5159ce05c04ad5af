/* test_fused.c — the fused proxy step: Criterion wrapper around
 * dml_loss_checks[] (fused vs unfused vs reference at odd sizes, every ISA,
 * 1 and 2 threads), every golden case fused and unfused, the switch, and
 * the refusals of the step with the in-step SGD update. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "dml_kernels.h"
#include "golden/golden_case.h"

ParameterizedTestParameters(fused, every_check)
{
#define FUSED_ISA(name, id, parent, feature) id,
    static dml_isa isas[] = { DML_ISA_ROWS(FUSED_ISA) };
    return cr_make_param_array(dml_isa, isas, sizeof isas / sizeof isas[0]);
}

ParameterizedTest(dml_isa *isa, fused, every_check)
{
    if (!dml_isa_supported(*isa)) {
        cr_log_info("fused checks for %s not run: not runnable here", dml_isa_name(*isa));
        return;
    }
    const dml_kernels *kern = dml_kernels_for(*isa);
    for (const dml_check *check = dml_loss_checks; check->name; check++) {
        char why[512] = "";
        int status = check->fn(kern, why, sizeof why);
        cr_expect(status == 0, "%s [%s]: %s", check->name, dml_isa_name(*isa), why);
    }
}

/* Every golden case with every ISA here, fused and unfused (DML_FUSED, read
 * when golden_eval creates its context), on one and two threads. */
Test(fused, golden_fused_and_unfused_every_isa)
{
    glob_t g;
    cr_assert_eq(glob(DML_TEST_DIR "/golden/*.txt", 0, NULL, &g), 0, "no golden cases found");
    for (int fused = 0; fused <= 1; fused++) {
        setenv("DML_FUSED", fused ? "1" : "0", 1);
        for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
            if (!dml_isa_supported((dml_isa)isa))
                continue;
            for (int threads = 1; threads <= 2; threads++)
                for (size_t i = 0; i < g.gl_pathc; i++) {
                    golden_case gc;
                    golden_result r;
                    char err[256];
                    cr_assert_eq(golden_load(g.gl_pathv[i], &gc, err, sizeof err), 0, "%s", err);
                    cr_assert_eq(golden_eval(&gc, (dml_isa)isa, threads, &r, err, sizeof err), 0,
                                 "%s: %s", gc.name, err);
                    cr_expect(r.pass, "%s isa=%s threads=%d fused=%d: |dL| %.3g (tol %.3g) |dX| %.3g (tol %.3g) |dP| %.3g (tol %.3g)",
                              gc.name, dml_isa_name((dml_isa)isa), threads, fused, r.value_err,
                              r.value_tol, r.dx_err, r.dx_tol, r.dp_err, r.dp_tol);
                    golden_free(&gc);
                }
        }
    }
    unsetenv("DML_FUSED");
    globfree(&g);
}

Test(fused, switch_and_default)
{
    dml_status st;
    unsetenv("DML_FUSED");
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 4, 3, 2, DML_ISA_REF, 1, &st);
    cr_assert_not_null(ctx);
    cr_expect_eq(dml_ctx_fused(ctx), 1, "fused is the default");
    cr_expect_eq(dml_ctx_set_fused(ctx, 0), DML_OK);
    cr_expect_eq(dml_ctx_fused(ctx), 0);
    cr_expect_eq(dml_ctx_set_fused(ctx, 2), DML_ERR_ARG);
    cr_expect_eq(dml_ctx_fused(ctx), 0, "a refused value changes nothing");
    cr_expect_eq(dml_ctx_set_fused(NULL, 1), DML_ERR_NULL);
    cr_expect_eq(dml_ctx_fused(NULL), 0);
    dml_ctx_destroy(ctx);
    setenv("DML_FUSED", "0", 1);
    ctx = dml_ctx_create(DML_LOSS_PROXY_NCA, 4, 3, 2, DML_ISA_REF, 1, &st);
    cr_assert_not_null(ctx);
    cr_expect_eq(dml_ctx_fused(ctx), 0, "DML_FUSED=0 makes new contexts unfused");
    dml_ctx_destroy(ctx);
    unsetenv("DML_FUSED");
}

/* Phase times and FLOPs keep their meaning: both phases timed, FLOPs of the
 * three products, the same fused and unfused. */
Test(fused, phases_and_flops)
{
    const size_t M = 24, C = 400, D = 33;
    float *X = calloc(M * D, sizeof(float)), *P = calloc(C * D, sizeof(float));
    float *dX = malloc(M * D * sizeof(float)), *dP = malloc(C * D * sizeof(float)), L;
    int32_t y[24];
    for (size_t i = 0; i < M * D; i++) X[i] = (float)((i * 37) % 11) - 5.0f;
    for (size_t i = 0; i < C * D; i++) P[i] = (float)((i * 53) % 13) - 6.0f;
    for (size_t i = 0; i < M; i++) y[i] = (int32_t)(i % 7);
    for (int loss = 0; loss < 2; loss++)
        for (int fused = 0; fused <= 1; fused++) {
            dml_status st;
            dml_ctx *ctx = dml_ctx_create((dml_loss)loss, M, C, D, DML_ISA_AUTO, 2, &st);
            cr_assert_not_null(ctx);
            dml_ctx_set_fused(ctx, fused);
            dml_params p = dml_params_default((dml_loss)loss);
            cr_assert_eq(dml_loss_step(ctx, &p, X, y, P, &L, dX, dP), DML_OK, "%s", dml_last_error());
            double f_ns, b_ns, f_fl, b_fl;
            dml_ctx_phase_ns(ctx, &f_ns, &b_ns);
            dml_ctx_flops(ctx, &f_fl, &b_fl);
            cr_expect(f_ns > 0 && b_ns > 0, "loss %d fused %d: phases %g %g ns", loss, fused, f_ns, b_ns);
            cr_expect_eq(f_fl, 2.0 * M * C * D);
            cr_expect_eq(b_fl, 4.0 * M * C * D);
            cr_assert_eq(dml_loss_step(ctx, &p, X, y, P, &L, NULL, NULL), DML_OK);
            dml_ctx_flops(ctx, &f_fl, &b_fl);
            dml_ctx_phase_ns(ctx, &f_ns, &b_ns);
            cr_expect(f_fl == 2.0 * M * C * D && b_fl == 0 && b_ns == 0 && f_ns > 0,
                      "forward only: loss %d fused %d", loss, fused);
            dml_gradstats gs;
            cr_expect_eq(dml_ctx_gradstats(ctx, dX, dP, &gs), DML_ERR_ARG,
                         "gradstats after a forward-only step is refused");
            dml_ctx_destroy(ctx);
        }
    free(X), free(P), free(dX), free(dP);
}

/* The step with the in-step SGD update refuses what it cannot do, in one
 * line each, and leaves P untouched then; gradient statistics need a dP. */
Test(fused, step_sgd_refusals)
{
    const size_t M = 6, C = 5, D = 3;
    float X[18], P[15], P0[15], dX[18], L;
    int32_t y[6] = { 0, 1, 2, 0, 1, 2 };
    for (int i = 0; i < 18; i++) X[i] = (float)(i % 7) - 3.0f;
    for (int i = 0; i < 15; i++) P0[i] = P[i] = (float)(i % 5) - 2.0f;
    dml_params pa = dml_params_default(DML_LOSS_PROXY_ANCHOR), ms = dml_params_default(DML_LOSS_MS);
    dml_ctx *f = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, C, D, DML_ISA_AUTO, 1, NULL);
    dml_ctx *u = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, C, D, DML_ISA_AUTO, 1, NULL);
    dml_ctx *p = dml_ctx_create(DML_LOSS_MS, M, C, D, DML_ISA_AUTO, 1, NULL);
    cr_assert(f && u && p && dml_ctx_set_fused(u, 0) == DML_OK);
    cr_expect_eq(dml_loss_step_sgd(u, &pa, X, y, P, 0.1f, &L, dX), DML_ERR_ARG, "unfused");
    cr_expect(strstr(dml_last_error(), "fused step") != NULL, "%s", dml_last_error());
    cr_expect_eq(dml_loss_step_sgd(p, &ms, X, y, P, 0.1f, &L, dX), DML_ERR_ARG, "pair loss");
    cr_expect_eq(dml_loss_step_sgd(f, &pa, X, y, P, NAN, &L, dX), DML_ERR_PARAM, "lr NaN");
    cr_expect_eq(dml_loss_step_sgd(f, &pa, X, y, P, -1.0f, &L, dX), DML_ERR_PARAM, "lr < 0");
    cr_expect_eq(dml_loss_step_sgd(f, &pa, X, y, P, 0.1f, &L, NULL), DML_ERR_NULL, "no dX");
    cr_expect_eq(memcmp(P, P0, sizeof P), 0, "a refused step leaves P as it was");
    cr_expect_eq(dml_loss_step_sgd(f, &pa, X, y, P, 0.1f, &L, dX), DML_OK, "%s", dml_last_error());
    cr_expect_neq(memcmp(P, P0, sizeof P), 0, "an accepted step moves P");
    dml_gradstats gs;
    cr_expect_eq(dml_ctx_gradstats(f, dX, NULL, &gs), DML_ERR_NULL, "no dP to take norms of");
    dml_ctx_destroy(f), dml_ctx_destroy(u), dml_ctx_destroy(p);
}

/* The products timed alone make S whole, so above the unfused step's cap
 * (DML_UNFUSED_MAX_S_BYTES) a fused context refuses them in one line, as
 * the unfused step is refused, instead of allocating M x C twice. */
Test(fused, products_alone_refused_above_the_cap)
{
    const size_t M = 180, D = 4, C = DML_UNFUSED_MAX_S_BYTES / (M * sizeof(float)) + 1;
    float *X = calloc(M * D, sizeof(float)), *P = calloc(C * D, sizeof(float));
    cr_assert(X && P);
    for (size_t i = 0; i < M * D; i += D) X[i] = 1.0f;
    for (size_t i = 0; i < C * D; i += D) P[i] = 1.0f;
    dml_ctx *f = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, C, D, DML_ISA_AUTO, 1, NULL);
    cr_assert(f != NULL && dml_ctx_fused(f), "%s", dml_last_error());
    cr_expect_eq(dml_ctx_forward_products(f, X, P), DML_ERR_SHAPE);
    cr_expect(strstr(dml_last_error(), "products alone refused") != NULL, "%s", dml_last_error());
    dml_ctx_destroy(f);
    dml_ctx *g = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, 1000, D, DML_ISA_AUTO, 1, NULL);
    cr_assert(g != NULL);
    cr_expect_eq(dml_ctx_forward_products(g, X, P), DML_OK, "under the cap: %s", dml_last_error());
    dml_ctx_destroy(g);
    free(X), free(P);
}
