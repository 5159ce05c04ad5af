/* error.c — the one-line error report of every command. */
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"
#include "core/text.h"

static FILE *sink;

void error_sink(FILE *f) { sink = f; }

int vdie(const char *fmt, va_list ap)
{
    char msg[6144], shown[4 * 6144 + 1];
    vsnprintf(msg, sizeof msg, fmt, ap);
    FILE *f = sink ? sink : stderr;
    fprintf(f, "dmlbench: %s\n", text_printable(msg, shown, sizeof shown));
    return 1;
}

int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie(fmt, ap);
    va_end(ap);
    return 1;
}

const char *lib_error(dml_status st)
{
    const char *d = dml_last_error();
    return d && *d ? d : dml_strerror(st);
}
