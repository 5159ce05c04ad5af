/* lse_copy_tail.h — the live lanes of a block for an ISA without masked
 * loads and stores that are safe at a page end (NEON has none; AVX2's
 * vmaskmovps faults on its masked-off lanes under qemu-user, which runs that
 * path with -cpu Haswell): the final partial vector (n mod LSE_W lanes) is
 * copied into a local vector, and only its valid lanes are copied back, so
 * nothing past n is read or written.
 *
 * The including file defines first LSE_W, lse_vf, lse_vi, lse_vm and
 * lse_loadu(p), lse_loadu_i(p), lse_storeu(p, v), lse_first(m) (lanes [0, m)
 * of an lse_vm set, m ≤ LSE_W). */
#ifndef DML_LSE_COPY_TAIL_H
#define DML_LSE_COPY_TAIL_H

#include <string.h>

/* Every lane (full), or the first m < LSE_W with lm = those lanes set. */
typedef struct lse_lanes {
    int full;
    size_t m;
    lse_vm lm;
} lse_lanes;

static inline lse_lanes lse_lanes_all(void) { return (lse_lanes){ 1, LSE_W, lse_first(LSE_W) }; }
static inline lse_lanes lse_lanes_tail(size_t m) { return (lse_lanes){ 0, m, lse_first(m) }; }

static inline lse_vf lse_load_fill(const float *p, lse_lanes L, float fill)
{
    if (L.full)
        return lse_loadu(p);
    float b[LSE_W];
    lse_storeu(b, lse_set1(fill));
    memcpy(b, p, L.m * sizeof(float));
    return lse_loadu(b);
}
static inline lse_vf lse_load(const float *p, lse_lanes L) { return lse_load_fill(p, L, 0.0f); }
static inline lse_vi lse_load_i(const int32_t *p, lse_lanes L)
{
    if (L.full)
        return lse_loadu_i(p);
    int32_t b[LSE_W] = { 0 };
    memcpy(b, p, L.m * sizeof(int32_t));
    return lse_loadu_i(b);
}
static inline void lse_store(float *p, lse_lanes L, lse_vf v)
{
    if (L.full) {
        lse_storeu(p, v);
        return;
    }
    float b[LSE_W];
    lse_storeu(b, v);
    memcpy(p, b, L.m * sizeof(float));
}

#endif
