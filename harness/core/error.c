/* error.c — the one-line error report of every command. */
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"

int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmlbench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

const char *lib_error(dml_status st)
{
    const char *d = dml_last_error();
    return d && *d ? d : dml_strerror(st);
}
