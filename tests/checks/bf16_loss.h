/* bf16_loss.h — a bf16 step against the float32 step on one problem, and the
 * bound its error must stay under (check_bf16_loss.c; docs/scale.md, "bf16
 * proxies", derives it).  Used by the golden test (test_bf16.c) and by the
 * random problems of dml_bf16_checks[] that check_driver runs under qemu. */
#ifndef DML_BF16_LOSS_H
#define DML_BF16_LOSS_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

typedef struct bf16_err {
    double value_rel, dx_rel, dp_rel; /* |ΔL|/|L|, ‖ΔdX‖/‖dX‖, ‖ΔdP‖/‖dP‖ (Frobenius) */
    double value_ratio;               /* |ΔL| over its bound (<= 1: within) */
    double dx_ratio, dp_ratio;        /* the largest ‖ΔdX_i‖, ‖ΔdP_c‖ over its bound */
} bf16_err;

/* Runs the fused float32 step and the bf16 step (P rounded by dml_bf16_round;
 * coarse > 0 rounds P to 7 − coarse bits of fraction instead, to show that
 * the bound bites) on one ISA.  Returns 0, or 1 with why[] set when a step
 * was refused. */
int dml_bf16_loss_errors(const dml_params *p, size_t M, size_t C, size_t D, const float *X,
                         const int32_t *y, const float *P, dml_isa isa, int threads, int coarse,
                         bf16_err *out, char *why, size_t whylen);

#endif
