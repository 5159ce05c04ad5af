/* jsonread.c — see jsonread.h: a recursive-descent skipper that both checks
 * and finds, on RFC 8259 grammar (nesting bounded at 64). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonread.h"

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *skip_value(const char *p, int depth);

static const char *skip_string(const char *p)
{
    if (*p++ != '"') return NULL;
    for (; *p != '"'; p++) {
        if (!*p || (unsigned char)*p < 0x20) return NULL;
        if (*p != '\\') continue;
        p++;
        if (*p == 'u') {
            for (int i = 1; i <= 4; i++)
                if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL;
            p += 4;
        } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
            return NULL;
        }
    }
    return p + 1;
}

static const char *skip_number(const char *p)
{
    const char *s = p;
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return NULL;
    if (*p == '.') { p++; if (*p < '0' || *p > '9') return NULL; while (*p >= '0' && *p <= '9') p++; }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    return p > s ? p : NULL;
}

/* An object or array: members (key: value for an object) between c0 and c1. */
static const char *skip_compound(const char *p, int depth, char c1)
{
    p = ws(p + 1);
    if (*p == c1) return p + 1;
    for (;;) {
        if (c1 == '}') {
            p = skip_string(p);
            if (!p || *(p = ws(p)) != ':') return NULL;
            p = ws(p + 1);
        }
        p = skip_value(p, depth + 1);
        if (!p) return NULL;
        p = ws(p);
        if (*p == c1) return p + 1;
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
}

static const char *skip_value(const char *p, int depth)
{
    if (depth > 64) return NULL;
    p = ws(p);
    switch (*p) {
    case '{': return skip_compound(p, depth, '}');
    case '[': return skip_compound(p, depth, ']');
    case '"': return skip_string(p);
    case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
    case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
    case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
    default: return skip_number(p);
    }
}

int jr_check(const char *text, char *err, size_t errlen)
{
    const char *e = skip_value(text, 0);
    if (!e) {
        /* the furthest prefix that still parses is not tracked: say where the text ends */
        const char *t = text + strlen(text);
        while (t > text && strchr(" \t\r\n", t[-1])) t--;
        snprintf(err, errlen, "not valid JSON (%s)", t > text && t[-1] == '}' ? "a syntax error"
                 : "truncated: it does not end with its closing brace");
        return 1;
    }
    if (*ws(e)) {
        snprintf(err, errlen, "not valid JSON (text after the value, at byte %td)", ws(e) - text);
        return 1;
    }
    return 0;
}

const char *jr_end(const char *v) { return skip_value(v, 0); }

const char *jr_member(const char *obj, const char *key)
{
    const char *p = ws(obj);
    if (*p != '{') return NULL;
    p = ws(p + 1);
    size_t kl = strlen(key);
    while (*p == '"') {
        const char *k = p + 1, *e = skip_string(p);
        if (!e) return NULL;
        p = ws(ws(e) + 1); /* past ':' */
        if ((size_t)(e - 1 - k) == kl && !strncmp(k, key, kl)) return p;
        p = skip_value(p, 0);
        if (!p) return NULL;
        p = ws(p);
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
    return NULL;
}

int jr_string(const char *v, char *out, size_t len)
{
    const char *p = ws(v);
    if (*p != '"' || !len) return 1;
    size_t o = 0;
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            c = *++p;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
            if (c == 'u') { c = '?'; p += 4; }
        }
        if (o + 1 >= len) { /* never cut: a name cut short is another name */
            out[0] = 0;
            return 2;
        }
        out[o++] = c;
    }
    out[o] = 0;
    return 0;
}

int jr_number(const char *v, double *out)
{
    const char *p = ws(v), *e = skip_number(p);
    if (!e) return 1;
    *out = strtod(p, NULL);
    return 0;
}
