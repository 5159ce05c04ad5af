/* golden.c — `dmlbench golden [--isa ISA] [--threads T] FILE...`: every case
 * against its reference, one line a case, non-zero exit on any failure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/parse.h"
#include "golden/golden_case.h"
#include "golden/retrieval_case.h"

/* Errors are shown as a fraction of their tolerance (1 is the limit): a plain
 * relative error misleads where the reference gradient is ~0 (D = 1). */
static double frac(double err, double tol)
{
    return err / tol;
}

void cmd_golden_usage(FILE *f)
{
    fputs("usage: dmlbench golden [--isa ISA] [--threads T] FILE...\n"
          "  checks the library against golden case files (tests/golden/*.txt, tests/golden/retrieval/*.txt)\n", f);
}

int cmd_golden(int argc, char **argv)
{
    dml_isa isa = DML_ISA_AUTO;
    long threads = 1;
    int first = 0;
    for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
        if (!strcmp(argv[first], "--isa") && first + 1 < argc) {
            if (dml_isa_parse(argv[++first], &isa) != DML_OK)
                return die("golden: %s", dml_last_error());
        } else if (!strcmp(argv[first], "--threads") && first + 1 < argc) {
            if (parse_int(argv[++first], 1, 1024, &threads))
                return die("golden: --threads: bad value '%s'", argv[first]);
        } else {
            return die("golden: unknown option '%s' (dmlbench golden --help)", argv[first]);
        }
    }
    if (first == argc)
        return die("golden: no case files given (dmlbench golden --help)");
    if (isa == DML_ISA_AUTO) {
        if (dml_isa_init() != DML_OK)
            return die("golden: %s", dml_last_error());
        isa = dml_isa_default();
    }
    if (!dml_isa_supported(isa))
        return die("golden: --isa %s: not available on this machine or build", dml_isa_name(isa));

    int failed = 0, passed = 0;
    printf("%-34s %-7s %12s %12s %12s  %s\n", "case", "isa", "value/tol", "dX/tol", "dP/tol",
           "verdict");
    for (int i = first; i < argc; i++) {
        golden_case gc;
        golden_result r;
        char err[256];
        if (retrieval_case_is(argv[i])) {  /* first record `retrieval`: harness/golden/ */
            golden_retrieval_check(argv[i], isa, (int)threads) ? failed++ : passed++;
            continue;
        }
        if (golden_load(argv[i], &gc, err, sizeof err)) {
            die("golden: %s: %s", argv[i], err);
            failed++;
            continue;
        }
        if (golden_eval(&gc, isa, (int)threads, &r, err, sizeof err)) {
            die("golden: %s: the library refused the case: %s", argv[i], err);
            golden_free(&gc);
            failed++;
            continue;
        }
        char dp[32] = "-";
        if (!isnan(r.dp_tol))
            snprintf(dp, sizeof dp, "%.3e", frac(r.dp_err, r.dp_tol));
        printf("%-34s %-7s %12.3e %12.3e %12s  %s\n", gc.name, dml_isa_name(isa),
               frac(r.value_err, r.value_tol), frac(r.dx_err, r.dx_tol), dp,
               r.pass ? "PASS" : "FAIL");
        if (!r.pass)
            printf("  %s: |dL| %.3e (tol %.3e)  |dX| %.3e (tol %.3e)  |dP| %.3e (tol %.3e)\n",
                   gc.name, r.value_err, r.value_tol, r.dx_err, r.dx_tol, r.dp_err, r.dp_tol);
        r.pass ? passed++ : failed++;
        golden_free(&gc);
    }
    printf("golden %s: %d passed, %d failed\n", dml_isa_name(isa), passed, failed);
    return failed ? 1 : 0;
}
