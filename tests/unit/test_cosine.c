/* test_cosine.c — Criterion wrapper around dml_cosine_checks[]: one test per
 * ISA, every check in it.  The reference runs too (trivially equal to itself,
 * but it exercises the checks' own bookkeeping).  An ISA this build lacks or
 * this CPU cannot run is reported, not silently passed over. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>

#include "checks.h"
#include "dml_kernels.h"

ParameterizedTestParameters(cosine, every_check)
{
#define COSINE_ISA(name, id, parent, feature) id,
    static dml_isa isas[] = { DML_ISA_ROWS(COSINE_ISA) };
    return cr_make_param_array(dml_isa, isas, sizeof isas / sizeof isas[0]);
}

ParameterizedTest(dml_isa *isa, cosine, every_check)
{
    const char *name = dml_isa_name(*isa);
    if (!dml_isa_supported(*isa)) {
        cr_log_info("cosine checks for %s not run: %s", name,
                    dml_isa_compiled(*isa) ? "this CPU cannot run it"
                                           : "this build does not contain it");
        return;
    }
    const dml_kernels *kern = dml_kernels_for(*isa);
    cr_assert_not_null(kern, "no kernel table for %s", name);
    for (const dml_check *check = dml_cosine_checks; check->name; check++) {
        char why[512] = "";
        int status = check->fn(kern, why, sizeof why);
        cr_expect(status == 0, "cosine %s [%s]: %s", check->name, name, why);
    }
}
