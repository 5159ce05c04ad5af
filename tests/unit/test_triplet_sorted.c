/* test_triplet_sorted.c — the O(M² log M) triplet algorithm: the shared
 * sorted-vs-enumerate checks (check_triplet.c) on every ISA, the golden
 * triplet cases with algorithm sorted, and its API. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "dml.h"
#include "dml_kernels.h"
#include "golden/golden_case.h"

ParameterizedTestParameters(triplet_sorted, equals_enumerate)
{
#define TRIPLET_ISA(name, id, parent, feature) id,
    static dml_isa isas[] = { DML_ISA_ROWS(TRIPLET_ISA) };
    return cr_make_param_array(dml_isa, isas, sizeof isas / sizeof isas[0]);
}

ParameterizedTest(dml_isa *isa, triplet_sorted, equals_enumerate)
{
    const char *name = dml_isa_name(*isa);
    if (!dml_isa_supported(*isa)) {
        cr_log_info("triplet checks for %s not run: %s", name,
                    dml_isa_compiled(*isa) ? "this CPU cannot run it" : "this build does not contain it");
        return;
    }
    for (const dml_check *check = dml_triplet_checks; check->name; check++) {
        char why[512] = "";
        cr_expect(check->fn(dml_kernels_for(*isa), why, sizeof why) == 0, "triplet %s [%s]: %s",
                  check->name, name, why);
    }
}

/* ------------------------------------------------------------ golden */

/* One case, sorted, with every ISA here on one and two threads. */
static void expect_golden_sorted(golden_case *gc)
{
    gc->params.u.triplet.algorithm = DML_TRIPLET_SORTED;
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (!dml_isa_supported((dml_isa)isa))
            continue;
        for (int threads = 1; threads <= 2; threads++) {
            golden_result r;
            char err[256];
            cr_assert_eq(golden_eval(gc, (dml_isa)isa, threads, &r, err, sizeof err), 0, "%s: %s",
                         gc->name, err);
            cr_expect(r.pass, "%s sorted isa=%s threads=%d: |dL| %.3g (tol %.3g) |dX| %.3g (tol %.3g)",
                      gc->name, dml_isa_name((dml_isa)isa), threads, r.value_err, r.value_tol,
                      r.dx_err, r.dx_tol);
        }
    }
}

Test(triplet_sorted, golden_triplet_cases)
{
    const char *cases[] = { DML_TEST_DIR "/golden/triplet_all.txt",
                            DML_TEST_DIR "/golden/triplet_tail.txt" };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        golden_case gc;
        char err[256];
        cr_assert_eq(golden_load(cases[i], &gc, err, sizeof err), 0, "%s: %s", cases[i], err);
        expect_golden_sorted(&gc);
        golden_free(&gc);
    }
}

/* tests/golden/triplet_sorted.txt is a PML case with `param algorithm
 * sorted`: the golden reader must set the algorithm from it (a reader that
 * ignored the line would still pass the case, on the enumeration). */
Test(triplet_sorted, golden_case_names_the_algorithm)
{
    const char *path = DML_TEST_DIR "/golden/triplet_sorted.txt";
    golden_case gc;
    char err[256];
    cr_assert_eq(golden_load(path, &gc, err, sizeof err), 0, "%s: %s", path, err);
    cr_assert_eq(gc.params.u.triplet.algorithm, DML_TRIPLET_SORTED,
                 "%s: `param algorithm sorted` not applied", path);
    expect_golden_sorted(&gc);
    golden_free(&gc);
}

/* ------------------------------------------------------------ API */

Test(triplet_sorted, default_is_the_enumeration)
{
    cr_expect_eq(DML_TRIPLET_DEFAULTS.algorithm, DML_TRIPLET_ENUMERATE);
    cr_expect_eq(dml_params_default(DML_LOSS_TRIPLET).u.triplet.algorithm, DML_TRIPLET_ENUMERATE);
}

Test(triplet_sorted, names_round_trip)
{
    for (int a = 0; a < DML_TRIPLET_ALGORITHM_COUNT; a++) {
        dml_triplet_algorithm back;
        const char *name = dml_triplet_algorithm_name((dml_triplet_algorithm)a);
        cr_expect_eq(dml_triplet_algorithm_parse(name, &back), DML_OK, "%s", name);
        cr_expect_eq((int)back, a);
    }
    cr_expect_str_eq(dml_triplet_algorithm_name(DML_TRIPLET_SORTED), "sorted");
    dml_triplet_algorithm a;
    cr_expect_eq(dml_triplet_algorithm_parse("quick", &a), DML_ERR_ARG);
    cr_expect_eq(dml_triplet_algorithm_parse(NULL, &a), DML_ERR_NULL);
}

Test(triplet_sorted, unknown_algorithm_is_refused_before_writing)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(DML_LOSS_TRIPLET, 4, 2, 3, DML_ISA_REF, 1, &st);
    cr_assert_not_null(ctx);
    float X[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0 }, L = -7, dX[12];
    int32_t y[4] = { 0, 1, 0, 1 };
    int bad[] = { -1, DML_TRIPLET_ALGORITHM_COUNT, 99 };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dml_triplet_params p = { 0.1f, bad[i] };
        cr_expect_eq(dml_triplet(ctx, &p, X, y, &L, dX), DML_ERR_ARG, "algorithm %d", bad[i]);
        cr_expect_eq(L, -7.0f, "the loss was written for algorithm %d", bad[i]);
    }
    dml_params q = dml_params_default(DML_LOSS_TRIPLET);
    q.u.triplet.algorithm = DML_TRIPLET_SORTED;
    cr_expect_eq(dml_loss_step(ctx, &q, X, y, NULL, &L, dX, NULL), DML_OK, "%s", dml_last_error());
    dml_ctx_destroy(ctx);
}
