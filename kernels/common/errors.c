/* errors.c — error codes, their text, and the per-thread detail message. */
#include <stdarg.h>
#include <stdio.h>

#include "dml_error.h"

static _Thread_local char last_error[512];

static const char *const messages[DML_STATUS_COUNT] = {
    [DML_OK] = "success",
    [DML_ERR_NULL] = "a required pointer is NULL",
    [DML_ERR_M_ZERO] = "batch size M is 0",
    [DML_ERR_C_ZERO] = "number of classes C is 0",
    [DML_ERR_D_ZERO] = "embedding dimension D is 0",
    [DML_ERR_LABEL] = "a label is outside [0, C)",
    [DML_ERR_PARAM] = "alpha, beta or scale must be positive and finite",
    [DML_ERR_MARGIN] = "delta, margin or epsilon must be non-negative and finite",
    [DML_ERR_NONFINITE] = "an input value is NaN or infinite",
    [DML_ERR_OVERFLOW] = "sizes too large: a size product overflows",
    [DML_ERR_NOMEM] = "out of memory",
    [DML_ERR_SHAPE] = "the call does not match the context's loss or shape",
    [DML_ERR_CLASSES] = "too few classes for this loss",
    [DML_ERR_ISA] = "instruction set not available on this machine or build",
    [DML_ERR_ARG] = "invalid argument",
};

const char *dml_strerror(dml_status s)
{
    if ((int)s < 0 || s >= DML_STATUS_COUNT)
        return "unknown error code";
    return messages[s];
}

const char *dml_last_error(void)
{
    return last_error;
}

dml_status dml_fail(dml_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

dml_status dml_ok(void)
{
    last_error[0] = '\0';
    return DML_OK;
}
