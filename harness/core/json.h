/* json.h — the JSON writers of every report: strings and numbers. */
#ifndef DML_CORE_JSON_H
#define DML_CORE_JSON_H

#include <stdio.h>

/* s as a JSON string (quotes, escapes; NULL writes ""). */
void json_str(FILE *f, const char *s);
/* `before` as is (a key, punctuation), then s as a JSON string. */
void json_kv(FILE *f, const char *before, const char *s);
/* v with `digits` significant digits, or null when it is NaN or infinite. */
void json_num(FILE *f, double v, int digits);

#endif
