/* check_lse.c — the table of checks of the masked LSE⁺ kernel and the vector
 * exp of one ISA against the scalar reference (lse_ref.c) and a
 * double-precision exp.
 *
 * Shared by the Criterion suite (test_lse.c) and the standalone driver that
 * runs under qemu, so: no Criterion here, every check returns 0 or writes one
 * line into why[].  The checks live by family: check_lse_exp.c (the
 * exponentials), check_lse_masked.c (masks and modes), check_lse_edges.c
 * (bounds, empty sides, non-finite inputs); what they share and what "agrees"
 * means is lse_check_util.{h,c}.  The order here is the order both runners
 * print. */
#include "lse_check_util.h"

const dml_check dml_lse_checks[] = {
    { "exp_special", check_exp_special },
    { "exp_sweep", check_exp_sweep },
    { "lse_labels", check_lse_labels },
    { "lse_labels_null", check_lse_labels_null },
    { "lse_skip", check_lse_skip },
    { "lse_null_side", check_lse_null_side },
    { "lse_plus_modes", check_lse_plus_modes },
    { "lse_large_alpha", check_lse_large_alpha },
    { "lse_bounds", check_lse_bounds },
    { "lse_empty", check_lse_empty },
    { "lse_nonfinite", check_lse_nonfinite },
    { "lse_exp_accuracy", check_lse_exp_accuracy },
    { NULL, NULL },
};
