/* topk.h — the K nearest of one similarity row (knn.c's selection). */
#ifndef DML_TOPK_H
#define DML_TOPK_H

#include <stddef.h>
#include <stdint.h>

/* A similarity and an index in one sortable integer (larger = nearer; equal
 * similarities: the lower index first, as FAISS's exact search returns them). */
static inline uint64_t topk_key(float s, uint32_t j)
{
    uint32_t u;
    __builtin_memcpy(&u, &s, sizeof u);
    u ^= (uint32_t)((int32_t)u >> 31) | 0x80000000u;  /* order-preserving, branch-free */
    return (uint64_t)u << 32 | (uint32_t)~j;
}

/* The similarity a key was made from, bit for bit. */
static inline float topk_sim(uint64_t key)
{
    uint32_t u = (uint32_t)(key >> 32);
    u ^= (uint32_t)((int32_t)~u >> 31) | 0x80000000u;  /* topk_key's map undone */
    float s;
    __builtin_memcpy(&s, &u, sizeof s);
    return s;
}

static inline uint32_t topk_index(uint64_t key)
{
    return ~(uint32_t)key;
}

/* The K (1 <= K <= N - 1) largest keys of row s[0..N) without item `self`,
 * sorted nearest first, into keys[0..K) (what follows is unspecified).
 * keys: N entries; scratch: 2N entries (64-bit aligned).  NaN-free rows;
 * infinities and values outside [-1, 1] are ordered like any other. */
void topk_row(const float *s, size_t N, size_t self, size_t K, uint64_t *keys, uint32_t *scratch);

/* The same from the items at or above a threshold t of the caller's, which
 * may be any float: too high (fewer than K items other than self at or
 * above it), and every item is taken instead; the result never depends on
 * t, only the time.  topk_row is this with t from a sample of the row; the
 * tests give it thresholds of their own. */
void topk_row_from(const float *s, size_t N, size_t self, size_t K, float t,
                   uint64_t *keys, uint32_t *scratch);

#endif
