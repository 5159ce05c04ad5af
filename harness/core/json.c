/* json.c — JSON strings (always valid UTF-8: a byte that is not is written
 * as U+FFFD) and numbers. */
#include <math.h>
#include <string.h>

#include "core/json.h"
#include "core/text.h"

void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    size_t n = s ? strlen(s) : 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t k = utf8_len(u + i, n - i);
        if (k == 0) { fputs("\\ufffd", f); i++; continue; }
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
        else fwrite(u + i, 1, k, f);
        i += k;
    }
    fputc('"', f);
}

void json_kv(FILE *f, const char *before, const char *s)
{
    fputs(before, f);
    json_str(f, s);
}

void json_num(FILE *f, double v, int digits)
{
    if (isfinite(v)) fprintf(f, "%.*g", digits, v);
    else fputs("null", f);
}
