/* error.h — how the harness reports a failure: one line on stderr. */
#ifndef DML_CORE_ERROR_H
#define DML_CORE_ERROR_H

#include "dml.h"

/* Prints "dmlbench: <message>" on stderr; returns 1 (the exit code). */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The detail of the library's last error, or the code's fixed text. */
const char *lib_error(dml_status st);

#endif
