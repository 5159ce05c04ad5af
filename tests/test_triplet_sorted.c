/* test_triplet_sorted.c — the O(M² log M) triplet algorithm: the shared
 * sorted-vs-enumerate checks (check_triplet.c) on every ISA, the golden
 * triplet cases with algorithm sorted, and its API. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "dml.h"
#include "dml_kernels.h"
#include "golden_case.h"

ParameterizedTestParameters(triplet_sorted, equals_enumerate)
{
#define TRIPLET_ISA(name, id, feature) id,
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

#define PENDING DML_TEST_DIR "/golden/pending/triplet_sorted.txt"

/* The pending case without its `param algorithm` line, which the golden
 * reader does not know yet, into a temporary file; the line's value is
 * returned in alg (-1 if the file has no such line). */
static void strip_algorithm(const char *tmp, int *alg)
{
    FILE *in = fopen(PENDING, "r"), *out = fopen(tmp, "w");
    cr_assert(in && out, "cannot open %s or %s", PENDING, tmp);
    char line[1 << 16];
    *alg = -1;
    while (fgets(line, sizeof line, in)) {
        char name[32];
        if (sscanf(line, "param algorithm %31s", name) == 1) {
            dml_triplet_algorithm a;
            cr_assert_eq(dml_triplet_algorithm_parse(name, &a), DML_OK, "%s", dml_last_error());
            *alg = (int)a;
            continue;
        }
        fputs(line, out);
    }
    cr_assert(!ferror(in) && feof(in), "reading %s", PENDING);
    fclose(in);
    fclose(out);
}

Test(triplet_sorted, golden_pending_case)
{
    char tmp[] = "/tmp/dml_triplet_sorted_XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0);
    close(fd);
    int alg;
    strip_algorithm(tmp, &alg);
    cr_assert_eq(alg, DML_TRIPLET_SORTED, "%s has no `param algorithm sorted` line", PENDING);
    golden_case gc;
    char err[256];
    cr_assert_eq(golden_load(tmp, &gc, err, sizeof err), 0, "%s: %s", PENDING, err);
    remove(tmp);
    expect_golden_sorted(&gc);
    golden_free(&gc);
}

/* Says when the pending file can move: once the harness's reader accepts
 * `param algorithm`, this fails and tells the next session to move it up to
 * tests/golden/ (where `make check-golden` and golden.every_case_every_isa
 * pick it up) and to drop the loader above. */
Test(triplet_sorted, golden_pending_is_still_needed)
{
    golden_case gc;
    char err[256];
    int rc = golden_load(PENDING, &gc, err, sizeof err);
    if (rc == 0)
        golden_free(&gc);
    cr_expect_eq(rc, 1, "the golden reader now reads `param algorithm`: move %s up to tests/golden/",
                 PENDING);
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
