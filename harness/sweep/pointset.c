/* pointset.c — the points of a study by key: an open-addressing hash table
 * of point indices, so that the duplicate check of a study and --resume's
 * matching of rows to points take time linear in the points. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "sweep/study.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t slot_of(const study *st, const char *key)
{
    size_t mask = st->hcap - 1, i = (size_t)fnv1a(key) & mask;
    while (st->hash[i] && strcmp(st->pts[st->hash[i] - 1].key, key)) i = (i + 1) & mask;
    return i;
}

int pointset_build(study *st, size_t *first, size_t *again)
{
    size_t cap = 64;
    while (cap < 2 * st->n) cap *= 2;
    free(st->hash);
    st->hash = calloc(cap, sizeof *st->hash);
    if (!st->hash) { die("out of memory"); exit(1); }
    st->hcap = cap;
    for (size_t i = 0; i < st->n; i++) {
        size_t s = slot_of(st, st->pts[i].key);
        if (st->hash[s]) {
            *first = st->hash[s] - 1;
            *again = i;
            return 1;
        }
        st->hash[s] = i + 1;
    }
    return 0;
}

size_t pointset_find(const study *st, const char *key)
{
    if (!st->hcap) return SIZE_MAX;
    size_t s = slot_of(st, key);
    return st->hash[s] ? st->hash[s] - 1 : SIZE_MAX;
}
