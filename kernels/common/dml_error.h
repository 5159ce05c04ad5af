/* dml_error.h — how every part of libdml reports an error: a status code
 * (dml.h) with a per-thread detail message for dml_last_error().  Kept apart
 * from the losses so that the dispatcher and the kernels' helpers can report
 * without including a loss header. */
#ifndef DML_ERROR_H
#define DML_ERROR_H

#include "dml.h"

/* Records a detail message for dml_last_error() and returns s. */
dml_status dml_fail(dml_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clears the detail message and returns DML_OK. */
dml_status dml_ok(void);

#endif
