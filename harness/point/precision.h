/* precision.h — the `precision` parameter (fp32 | bf16) in the harness: one
 * parameter of the table (point/params.c), so `run`, `train` and `bench` take
 * --precision and the studies a `precision` key with no code of their own.
 * Precision bf16 keeps P in float32 (the master copy the optimiser updates)
 * and a bf16 copy rounded from it, which the step reads (docs/scale.md). */
#ifndef DML_POINT_PRECISION_H
#define DML_POINT_PRECISION_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

/* 1 when p's loss has the parameter and it says bf16. */
int precision_is_bf16(const dml_params *p);
/* A bf16 copy of P (n floats) when p says bf16, else NULL; *err set and 1
 * returned when it cannot be made. */
int precision_copy(const dml_params *p, const float *P, size_t n, uint16_t **P16, char *err,
                   size_t errlen);
/* The step: dml_loss_step_bf16 on P16 when it is there, else dml_loss_step on P. */
dml_status precision_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                          const float *P, const uint16_t *P16, float *loss, float *dX, float *dP);

#endif
