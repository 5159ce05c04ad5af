/* jsonread.h — just enough JSON reading for `dmlbench merge`: a strict
 * check that a text is one complete JSON value, and the members of an object
 * found in place (no tree is built). */
#ifndef DML_CORE_JSONREAD_H
#define DML_CORE_JSONREAD_H

#include <stddef.h>

/* 0 when text is exactly one JSON value (surrounded by whitespace at most);
 * otherwise 1 with err saying what is wrong and at which byte. */
int jr_check(const char *text, char *err, size_t errlen);
/* The value of member key of the object that starts at obj (after
 * whitespace), or NULL (obj not an object, or no such key).  The text must
 * have passed jr_check. */
const char *jr_member(const char *obj, const char *key);
/* The end of the value that starts at v (after whitespace). */
const char *jr_end(const char *v);
/* A string value (simple escapes decoded, \u as '?') into out: 0, 1 when v
 * is not a string, 2 when it does not fit in len (out is then ""). */
int jr_string(const char *v, char *out, size_t len);
/* A number value: 0, or 1 when v is not a number. */
int jr_number(const char *v, double *out);

#endif
