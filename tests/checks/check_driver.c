/* check_driver.c — the shared kernel checks (tests/checks/checks.h) without Criterion.
 *
 * Criterion's runner hangs under qemu-user, so the emulated runs (`make
 * test-neon` under qemu-aarch64, `make test-haswell` under qemu-x86_64 -cpu
 * Haswell) use this small program instead: every check of dml_cosine_checks[],
 * dml_lse_checks[], dml_bf16_checks[] and dml_triplet_checks[] (the same tables the Criterion suite runs; the cases
 * are written once, in tests/checks/check_*.c) for the reference and one SIMD ISA.
 *
 *   check_driver [--only] ISA [SUBSTRING]
 *       ref and ISA (ISA alone with --only); only the checks whose
 *       "family/name" contains SUBSTRING
 *
 * --only is for qemu's Haswell model: there the reference is the very
 * x86-64 code `make test` already checked natively, and running it again
 * under emulation doubled the time of the step for nothing.
 *
 * One line per check, then exactly "N passed, N failed"; exit status 1 when
 * anything failed, including an ISA missing from the build or not runnable. */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "dml.h"

/* Seconds on the library's clock. */
static double now_s(void) { return dml_now_ns() * 1e-9; }

int main(int argc, char **argv)
{
    dml_isa isas[2] = { DML_ISA_REF, DML_ISA_REF };
    int only = argc > 1 && strcmp(argv[1], "--only") == 0;
    argv += only;
    argc -= only;
    if (argc < 2 || argc > 3 || dml_isa_parse(argv[1], &isas[1]) != DML_OK || isas[1] == DML_ISA_AUTO) {
        fprintf(stderr, "usage: check_driver [--only] ref|avx2|avx512|neon|avx512bf16 [SUBSTRING]\n");
        return 2;
    }
    const char *filter = argc > 2 ? argv[2] : NULL;
    size_t n_isas = isas[1] == DML_ISA_REF ? 1 : 2, first = only ? n_isas - 1 : 0;
    static const struct {
        const char *name;
        const dml_check *checks;
    } families[] = { { "cosine", dml_cosine_checks },
                     { "lse", dml_lse_checks },
                     { "bf16", dml_bf16_checks },
                     { "lse", dml_lse_bits_checks },
                     { "triplet", dml_triplet_checks },
                     { "losses", dml_loss_checks },
                     { "losses", dml_sample_checks } };
    int passed = 0, failed = 0;

    setvbuf(stdout, NULL, _IOLBF, 0); /* progress stays visible if a timeout kills us */
    for (size_t i = first; i < n_isas; i++) {
        const char *isa = dml_isa_name(isas[i]);
        const dml_kernels *k = dml_kernels_for(isas[i]);
        if (!k || !dml_isa_supported(isas[i])) {
            printf("FAIL %-6s all checks: %s\n", isa,
                   k ? "this CPU cannot run it" : "not compiled into this build");
            failed++;
            continue;
        }
        for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
            for (const dml_check *c = families[f].checks; c->name; c++) {
                char full[256];
                snprintf(full, sizeof full, "%s/%s", families[f].name, c->name);
                if (filter && !strstr(full, filter))
                    continue;
                char why[512] = "";
                double t0 = now_s();
                int bad = c->fn(k, why, sizeof why);
                double t = now_s() - t0;
                if (bad) {
                    printf("FAIL %-6s %-40s %7.2f s  %s\n", isa, full, t, why[0] ? why : "(no reason given)");
                    failed++;
                } else {
                    printf("ok   %-6s %-40s %7.2f s\n", isa, full, t);
                    passed++;
                }
            }
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    if (passed + failed == 0)
        fprintf(stderr, "check_driver: no check's name contains \"%s\"\n", filter ? filter : "");
    return failed || passed == 0 ? 1 : 0;
}
