/* csv.c — the CSV field reader (see csv.h). */
#include <string.h>

#include "core/csv.h"

size_t csv_count(const char *s)
{
    size_t n = 1;
    for (; *s && *s != '\n'; s++) n += *s == ',';
    return n;
}

int csv_split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n == max) return -1;
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) return n;
        *c = 0;
        p = c + 1;
    }
}

/* Where field i of the line at s starts, or NULL. */
static const char *field_start(const char *s, int i)
{
    for (int k = 0; k < i; k++) {
        size_t n = strcspn(s, ",\n");
        if (s[n] != ',') return NULL;
        s += n + 1;
    }
    return s;
}

int csv_get(const char *s, int i, char *out, size_t len)
{
    const char *p = i >= 0 ? field_start(s, i) : NULL;
    if (len) out[0] = 0;
    if (!p) return 1;
    size_t n = strcspn(p, ",\n");
    if (n >= len) return 2;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

int csv_find(const char *header, const char *name)
{
    size_t nl = strlen(name);
    int i = 0;
    for (const char *p = header; p; i++) {
        size_t n = strcspn(p, ",\n");
        if (n == nl && !strncmp(p, name, nl)) return i;
        p = p[n] == ',' ? p + n + 1 : NULL;
    }
    return -1;
}
