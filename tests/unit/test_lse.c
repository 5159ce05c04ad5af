/* test_lse.c — the Criterion wrapper of the lse/exp checks (check_lse.c):
 * every check against every ISA from DML_ISA_REF to DML_ISA_NEON that this
 * build and CPU can run.  An ISA that cannot run here is reported, not
 * silently passed over.  One test per ISA, so `--jobs 2` runs them side by
 * side; every failing check of an ISA is reported, not just the first. */
#include <criterion/criterion.h>

#include "checks.h"
#include "dml_kernels.h"

static void run_lse_checks(dml_isa isa)
{
    const char *name = dml_isa_name(isa);
    if (!dml_isa_supported(isa)) {
        cr_log_info("lse: ISA %s not checked: %s", name,
                    dml_isa_compiled(isa) ? "this CPU cannot run it"
                                          : "this build does not contain it");
        return;
    }
    const dml_kernels *k = dml_kernels_for(isa);
    cr_assert_not_null(k, "lse: no kernel table for supported ISA %s", name);
    cr_assert_eq(k->isa, isa, "lse: the table for %s says it is %s", name, dml_isa_name(k->isa));
    int run = 0;
    const dml_check *tables[] = { dml_lse_checks, dml_lse_bits_checks };
    for (size_t t = 0; t < 2; t++) {
        for (const dml_check *c = tables[t]; c->name; c++, run++) {
            char why[512] = "";
            int rc = c->fn(k, why, sizeof why);
            cr_expect_eq(rc, 0, "lse check %s on %s: %s", c->name, name, why);
        }
    }
    cr_assert_gt(run, 0, "the lse check table is empty");
}

/* One test per row of DML_ISA_ROWS (dml_kernels.h). */
#define LSE_TEST(name, id, parent, feature) Test(lse, name) { run_lse_checks(id); }
DML_ISA_ROWS(LSE_TEST)
