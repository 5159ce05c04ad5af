/* buf.c — growable text and arrays (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void out_of_memory(void)
{
    fprintf(stderr, "dmlbench: out of memory\n");
    exit(1);
}

void sb_add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (w < 0) return;
        if ((size_t)w < room) { b->n += (size_t)w; return; }
        size_t cap = (b->cap + (size_t)w + 1) * 2;
        char *ns = realloc(b->s, cap);
        if (!ns) out_of_memory();
        b->s = ns;
        b->cap = cap;
    }
}

void *grow_slot(void *v_ptr, size_t *cap, size_t n, size_t size, size_t first)
{
    void **v = v_ptr;
    if (n >= *cap) {
        size_t c = *cap ? 2 * *cap : first;
        void *nv = realloc(*v, c * size);
        if (!nv) out_of_memory();
        *v = nv;
        *cap = c;
    }
    char *slot = (char *)*v + n * size;
    memset(slot, 0, size);
    return slot;
}
