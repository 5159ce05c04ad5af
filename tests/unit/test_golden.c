/* test_golden.c — the golden cases (PML 2.8.1 in float64) on every ISA this
 * machine runs and on one and two threads, and the checker's own checks
 * (moved out of test_losses.c, which had grown past its size). */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "dml.h"
#include "golden/golden_case.h"

/* ------------------------------------------------------------ golden */

/* Every golden case, with every ISA this machine runs, on one and two threads. */
Test(golden, every_case_every_isa)
{
    glob_t g;
    cr_assert_eq(glob(DML_TEST_DIR "/golden/*.txt", 0, NULL, &g), 0, "no golden cases found");
    cr_assert_geq(g.gl_pathc, 21u, "expected the 21 golden cases, found %zu", g.gl_pathc);
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (!dml_isa_supported((dml_isa)isa)) {
            cr_log_info("golden: ISA %s not runnable here, not checked", dml_isa_name((dml_isa)isa));
            continue;
        }
        for (int threads = 1; threads <= 2; threads++) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                golden_case gc;
                golden_result r;
                char err[256];
                cr_assert_eq(golden_load(g.gl_pathv[i], &gc, err, sizeof err), 0, "%s: %s",
                             g.gl_pathv[i], err);
                cr_assert_eq(golden_eval(&gc, (dml_isa)isa, threads, &r, err, sizeof err), 0,
                             "%s: %s", gc.name, err);
                cr_expect(r.pass, "%s isa=%s threads=%d: |dL| %.3g (tol %.3g) |dX| %.3g (tol %.3g) |dP| %.3g (tol %.3g)",
                          gc.name, dml_isa_name((dml_isa)isa), threads, r.value_err, r.value_tol,
                          r.dx_err, r.dx_tol, r.dp_err, r.dp_tol);
                golden_free(&gc);
            }
        }
    }
    globfree(&g);
}

/* The checker itself must reject a wrong answer: perturb a reference value. */
Test(golden, checker_rejects_a_wrong_value)
{
    golden_case gc;
    golden_result r;
    char err[256];
    cr_assert_eq(golden_load(DML_TEST_DIR "/golden/proxy_anchor_small.txt", &gc, err, sizeof err), 0, "%s", err);
    gc.value *= 1.0001; /* 1e-4 relative: ten times the value tolerance */
    cr_assert_eq(golden_eval(&gc, DML_ISA_REF, 1, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.pass, "a 1e-4 relative error in the value passed");
    gc.value /= 1.0001;
    gc.dX[0] += 1e-3 * (r.dx_ref_norm + 1.0);
    cr_assert_eq(golden_eval(&gc, DML_ISA_REF, 1, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.pass, "a wrong gradient entry passed");
    golden_free(&gc);
}

Test(golden, malformed_files_name_the_line)
{
    const char *path = "/tmp/dml_test_malformed.txt";
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("loss proxy_anchor\nM 2\nC 2\nD 1\nlabels 0 5\n", f);
    fclose(f);
    golden_case gc;
    char err[256];
    cr_assert_eq(golden_load(path, &gc, err, sizeof err), 1);
    cr_expect(strstr(err, "line 5") != NULL, "message does not name the line: %s", err);
    f = fopen(path, "w");
    fputs("loss proxy_anchor\nM 2\nC 2\nD 1\nlabels 0 1\nX 1 2 3\n", f);
    fclose(f);
    cr_assert_eq(golden_load(path, &gc, err, sizeof err), 1);
    cr_expect(strstr(err, "line 6") && strstr(err, "more than"), "bad message: %s", err);
    remove(path);
}
