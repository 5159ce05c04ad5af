/* test_bf16.c — Criterion wrapper around dml_bf16_checks[] (one test per
 * ISA, every check in it), and the rounding to bf16.  The reference runs too (trivially equal to itself,
 * but it exercises the checks' own bookkeeping).  An ISA this build lacks or
 * this CPU cannot run is reported, not silently passed over. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>

#include "checks.h"
#include "dml_kernels.h"

ParameterizedTestParameters(bf16, every_check)
{
#define COSINE_ISA(name, id, parent, feature) id,
    static dml_isa isas[] = { DML_ISA_ROWS(COSINE_ISA) };
    return cr_make_param_array(dml_isa, isas, sizeof isas / sizeof isas[0]);
}

ParameterizedTest(dml_isa *isa, bf16, every_check)
{
    const char *name = dml_isa_name(*isa);
    if (!dml_isa_supported(*isa)) {
        cr_log_info("bf16 checks for %s not run: %s", name,
                    dml_isa_compiled(*isa) ? "this CPU cannot run it"
                                           : "this build does not contain it");
        return;
    }
    const dml_kernels *kern = dml_kernels_for(*isa);
    cr_assert_not_null(kern, "no kernel table for %s", name);
    for (const dml_check *check = dml_bf16_checks; check->name; check++) {
        char why[512] = "";
        int status = check->fn(kern, why, sizeof why);
        cr_expect(status == 0, "bf16 %s [%s]: %s", check->name, name, why);
    }
}

/* ------------------------------------------------- bf16 steps: golden shapes */

#include <glob.h>
#include <math.h>
#include <stdlib.h>

#include "bf16_loss.h"
#include "golden/golden_case.h"

/* The golden cases of the losses with a bf16 step (at most 32), loaded. */
static size_t bf16_golden(golden_case *gc, size_t most)
{
    glob_t g;
    cr_assert_eq(glob(DML_TEST_DIR "/golden/*.txt", 0, NULL, &g), 0, "no golden cases found");
    size_t n = 0;
    for (size_t i = 0; i < g.gl_pathc && n < most; i++) {
        char err[256];
        cr_assert_eq(golden_load(g.gl_pathv[i], &gc[n], err, sizeof err), 0, "%s", err);
        dml_loss l = gc[n].params.loss;
        if (l == DML_LOSS_PROXY_ANCHOR || l == DML_LOSS_PROXY_NCA || l == DML_LOSS_NORMALIZED_SOFTMAX)
            n++;
        else
            golden_free(&gc[n]);
    }
    globfree(&g);
    cr_assert_geq(n, 13u, "expected the 13 golden cases of Proxy-Anchor, Proxy-NCA and "
                          "NormalizedSoftmax, found %zu", n);
    return n;
}

static bf16_err errors_of(const golden_case *gc, dml_isa isa, int threads, int coarse)
{
    bf16_err e;
    char err[256];
    cr_assert_eq(dml_bf16_loss_errors(&gc->params, gc->M, gc->C, gc->D, gc->X, gc->y, gc->P, isa,
                                      threads, coarse, &e, err, sizeof err),
                 0, "%s: %s", gc->name, err);
    return e;
}

static void worst_of(bf16_err *w, const bf16_err *e)
{
    w->value_rel = fmax(w->value_rel, e->value_rel);
    w->dx_rel = fmax(w->dx_rel, e->dx_rel);
    w->dp_rel = fmax(w->dp_rel, e->dp_rel);
    w->value_ratio = fmax(w->value_ratio, e->value_ratio);
    w->dx_ratio = fmax(w->dx_ratio, e->dx_ratio);
    w->dp_ratio = fmax(w->dp_ratio, e->dp_ratio);
}

/* Every golden case of a loss with a bf16 step, on every ISA this machine
 * runs, one and two threads: within the derived bound, and the value within
 * the 1e-2 relative of issue 18.  The largest errors measured are logged
 * (docs/scale.md quotes them). */
Test(bf16, golden_within_bound)
{
    golden_case gc[32];
    size_t n = bf16_golden(gc, 32);
    for (size_t c = 0; c < n; c++) {
        bf16_err worst = { 0 };
        for (int isa = 0; isa < DML_ISA_COUNT; isa++)
            for (int threads = 1; threads <= 2 && dml_isa_supported((dml_isa)isa); threads++) {
                bf16_err e = errors_of(&gc[c], (dml_isa)isa, threads, 0);
                cr_expect(e.value_ratio <= 1 && e.dx_ratio <= 1 && e.dp_ratio <= 1,
                          "%s isa=%s threads=%d: error over its bound: L %.3g, dX %.3g, dP %.3g "
                          "of the bound", gc[c].name, dml_isa_name((dml_isa)isa), threads,
                          e.value_ratio, e.dx_ratio, e.dp_ratio);
                cr_expect(e.value_rel <= 1e-2, "%s isa=%s: loss %.3g relative from fp32",
                          gc[c].name, dml_isa_name((dml_isa)isa), e.value_rel);
                worst_of(&worst, &e);
            }
        cr_log_info("bf16 %-36s L %.2e dX %.2e dP %.2e (of bound: %.3f %.3f %.3f)", gc[c].name,
                    worst.value_rel, worst.dx_rel, worst.dp_rel, worst.value_ratio,
                    worst.dx_ratio, worst.dp_ratio);
        golden_free(&gc[c]);
    }
}

/* The bound bites: P rounded to 3 fraction bits (7 − 4: 16 times bf16's
 * rounding error; an 8-bit float E4M3 keeps as many) must break it on some
 * golden case, else the bound could not tell bf16 from a far coarser format.
 * (It is worst-case: bf16 itself stays within 0.1 of it; 3 bits broke it on
 * 3 of the 13 cases, 2 bits on 8.) */
Test(bf16, bound_bites_a_coarser_rounding)
{
    golden_case gc[32];
    size_t n = bf16_golden(gc, 32), broken = 0;
    for (size_t c = 0; c < n; c++) {
        bf16_err e = errors_of(&gc[c], DML_ISA_REF, 1, 4);
        broken += e.value_ratio > 1 || e.dx_ratio > 1 || e.dp_ratio > 1;
        cr_log_info("3 fraction bits %-36s of the bound: L %.3f dX %.3f dP %.3f", gc[c].name,
                    e.value_ratio, e.dx_ratio, e.dp_ratio);
        golden_free(&gc[c]);
    }
    cr_expect_gt(broken, 0u, "3 fraction bits stayed within the bf16 bound on every case");
}

/* ---------------------------------------------- rounding and refusals */

static uint16_t round1(uint32_t bits)
{
    float f;
    uint16_t h;
    memcpy(&f, &bits, sizeof f);
    dml_bf16_round(&f, 1, &h);
    return h;
}

/* Ties to even, both ways; carries into the exponent; NaN kept NaN (quiet,
 * signed), infinities kept, the largest floats round to infinity. */
Test(bf16, rounding_to_nearest_even)
{
    cr_expect_eq(round1(0x3F808000u), 0x3F80u, "a tie rounds down to even");
    cr_expect_eq(round1(0x3F818000u), 0x3F82u, "a tie rounds up to even");
    cr_expect_eq(round1(0x3F808001u), 0x3F81u, "above the tie rounds up");
    cr_expect_eq(round1(0x3F807FFFu), 0x3F80u, "below the tie rounds down");
    cr_expect_eq(round1(0x3FFFFFFFu), 0x4000u, "a carry into the exponent");
    cr_expect_eq(round1(0x7F800000u), 0x7F80u, "+inf");
    cr_expect_eq(round1(0xFF800000u), 0xFF80u, "-inf");
    cr_expect_eq(round1(0x7F7FFFFFu), 0x7F80u, "FLT_MAX rounds to +inf");
    uint16_t n = round1(0x7F800001u); /* a signalling NaN whose payload is in the dropped half */
    cr_expect((n & 0x7F80u) == 0x7F80u && (n & 0x7Fu) != 0, "NaN became %#x", n);
    n = round1(0xFFFFFFFFu);
    cr_expect((n & 0x8000u) && (n & 0x7Fu), "negative NaN became %#x", n);
    cr_expect_eq(round1(0x00000001u), 0x0000u, "the smallest subnormal rounds to zero");
    float w;
    uint16_t h = 0xC0A0u;
    dml_bf16_widen(&h, 1, &w);
    cr_expect_eq(w, -5.0f, "widening 0xC0A0 gave %g", (double)w);
}

/* SoftTriple, the pair losses, an unfused context and a bf16 NaN: one line each. */
Test(bf16, refusals_name_the_problem)
{
    dml_status s;
    float X[8] = { 1, 0, 0, 1, 1, 1, 0, 1 }, loss, dX[8], dP[8];
    int32_t y[2] = { 0, 1 };
    uint16_t P[8];
    float Pf[8] = { 1, 0, 0, 1, 1, 0, 0, 1 };
    dml_bf16_round(Pf, 8, P);
    dml_params st = dml_params_default(DML_LOSS_SOFT_TRIPLE);
    dml_ctx *ctx = dml_ctx_create_for(&st, 2, 2, 2, DML_ISA_REF, 1, &s);
    cr_assert_not_null(ctx);
    cr_expect_eq(dml_loss_step_bf16(ctx, &st, X, y, P, &loss, dX, dP), DML_ERR_ARG);
    cr_expect(strstr(dml_last_error(), "soft_triple has no bf16 step"), "%s", dml_last_error());
    dml_ctx_destroy(ctx);
    dml_params pa = dml_params_default(DML_LOSS_PROXY_ANCHOR);
    ctx = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 2, 2, 2, DML_ISA_REF, 1, &s);
    cr_assert_not_null(ctx);
    cr_expect_eq(dml_loss_step_bf16(ctx, &pa, X, y, P, &loss, dX, dP), DML_OK, "%s",
                 dml_last_error());
    cr_expect_eq(dml_ctx_precision(ctx), DML_PRECISION_BF16);
    P[3] = 0x7FC0u;
    cr_expect_eq(dml_loss_step_bf16(ctx, &pa, X, y, P, &loss, dX, dP), DML_ERR_NONFINITE);
    cr_expect(strstr(dml_last_error(), "P[1][1] = nan is not finite"), "%s", dml_last_error());
    cr_assert_eq(dml_ctx_set_fused(ctx, 0), DML_OK);
    cr_expect_eq(dml_loss_step_bf16(ctx, &pa, X, y, P, &loss, dX, dP), DML_ERR_ARG);
    cr_expect(strstr(dml_last_error(), "fused step only"), "%s", dml_last_error());
    dml_ctx_destroy(ctx);
    dml_precision pr;
    cr_expect_eq(dml_precision_parse("bf16", &pr), DML_OK);
    cr_expect_eq(pr, DML_PRECISION_BF16);
    cr_expect_eq(dml_precision_parse("fp16", &pr), DML_ERR_ARG);
    cr_expect(strstr(dml_last_error(), "unknown precision 'fp16' (expected fp32 or bf16)"), "%s",
              dml_last_error());
}
