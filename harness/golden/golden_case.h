/* golden_case.h — reading a golden case (format: tests/golden/README.md) and
 * checking the library against it.  Used by `dmlbench golden` and the tests. */
#ifndef DML_GOLDEN_CASE_H
#define DML_GOLDEN_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "dml.h"

typedef struct golden_case {
    char name[256];
    dml_params params;
    size_t M, C, D;
    int32_t *y;
    float *X, *P;          /* P only for proxy losses: R×D */
    size_t R;              /* rows of P as read: C, or C·K for SoftTriple */
    double value;
    double *dX, *dP;       /* reference gradients, float64 */
} golden_case;

typedef struct golden_result {
    float value;
    double value_err, value_tol;   /* |L − L*|,  1e-5·|L*| + 1e-6 */
    double dx_err, dx_tol;         /* ‖dX − dX*‖, 1e-4·‖dX*‖ + 1e-6 */
    double dp_err, dp_tol;         /* the same for dP; NaN for pair losses */
    double dx_ref_norm, dp_ref_norm;
    int pass;
} golden_result;

/* Returns 0, or 1 with "line N: what is wrong" in err. */
int golden_load(const char *path, golden_case *gc, char *err, size_t errlen);
/* The same from memory (text[len] is NUL; the text is split in place); name
 * is the case's file name.  golden_load reads the file (core/text.h) and
 * calls it.  Every record may be given once. */
int golden_parse(const char *name, char *text, size_t len, golden_case *gc, char *err, size_t errlen);
void golden_free(golden_case *gc);
/* Evaluates the case with one ISA and thread count.  Returns 0, or 1 with err set
 * when the library refused the case. */
int golden_eval(const golden_case *gc, dml_isa isa, int threads, golden_result *res, char *err,
                size_t errlen);

#endif
