/* error.h — how the harness reports a failure: one line on stderr, every
 * control byte and every byte that is not UTF-8 shown as \xNN (a message
 * quotes what it was given, which may be anything). */
#ifndef DML_CORE_ERROR_H
#define DML_CORE_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "dml.h"

/* Prints "dmlbench: <message>" on stderr; returns 1 (the exit code). */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vdie(const char *fmt, va_list ap);

/* Where die() writes (stderr; the fuzzers send it to /dev/null). */
void error_sink(FILE *f);

/* The detail of the library's last error, or the code's fixed text. */
const char *lib_error(dml_status st);

#endif
