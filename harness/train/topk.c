/* topk.c — the K nearest of a row of N similarities, in O(N + K):
 *  1. a histogram of the row over BINS equal ranges of [−1, 1] (no bin kept);
 *  2. the highest bins that hold at least K items between them: their items
 *     are the candidates (K and the part of the lowest bin beyond them);
 *  3. the candidates' indices gathered without a branch, in index order;
 *  4. their keys sorted by an LSD radix sort over the similarity bits in
 *     which they differ (two or three passes), nearest first.
 * MAP@R needs the R nearest in order, R up to 6 999 of 35 000, so a
 * comparison sort of every row would dominate the evaluation; so did a
 * branch per item in step 3 (taken for a fifth of them, at random). */
#include <string.h>

#include "train/topk.h"

#define BINS 4096
#define RADIX_MAX_BITS 11

/* The bin of a similarity: monotone in s, so a higher bin never holds a
 * smaller similarity.  (Cosines can leave [−1, 1] by a rounding; clamped.) */
static inline uint32_t bin_of(float s)
{
    float f = (s + 1.0f) * (BINS / 2);
    int b = (int)f;
    return f < 0 ? 0 : b > BINS - 1 ? BINS - 1 : (uint32_t)b;
}

static void insertion_desc(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] < v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Sorts a[0..n) descending, through tmp (n entries).  The keys' index
 * halves are increasing ~j for a[] in index order, and an LSD radix sort is
 * stable, so sorting on the similarity half alone orders ties by lower index,
 * as the full keys do.  Only the bits in which the keys differ are passed
 * over, in equal digits of at most RADIX_MAX_BITS. */
static void radix_desc(uint64_t *a, size_t n, uint64_t *tmp)
{
    if (n <= 32) {
        insertion_desc(a, n);
        return;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)(a[i] >> 32);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    if (lo == hi) return; /* all tied: index order is the order */
    unsigned bits = 32u - (unsigned)__builtin_clz(lo ^ hi);
    unsigned passes = (bits + RADIX_MAX_BITS - 1) / RADIX_MAX_BITS, width = (bits + passes - 1) / passes;
    uint32_t mask = (1u << width) - 1;
    static _Thread_local uint32_t start[1u << RADIX_MAX_BITS];
    uint64_t *from = a, *to = tmp;
    for (unsigned p = 0; p < passes; p++) {
        unsigned shift = 32 + p * width;
        memset(start, 0, (mask + 1) * sizeof *start);
        for (size_t i = 0; i < n; i++) start[(from[i] >> shift) & mask]++;
        uint32_t at = 0; /* the highest digit first: descending */
        for (size_t d = mask + 1; d-- > 0;) {
            uint32_t m = start[d];
            start[d] = at;
            at += m;
        }
        for (size_t i = 0; i < n; i++) to[start[(from[i] >> shift) & mask]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != a) memcpy(a, from, n * sizeof *a);
}

void topk_row(const float *s, size_t N, size_t self, size_t K, uint64_t *keys, uint32_t *cand)
{
    static _Thread_local uint32_t count[BINS];
    memset(count, 0, sizeof count);
    for (size_t j = 0; j < N; j++) count[bin_of(s[j])]++;
    count[bin_of(s[self])]--;  /* the query itself is not a neighbour */
    /* the lowest bin c such that bins c..BINS-1 hold >= K items */
    uint32_t c = BINS;
    size_t have = 0;
    while (have < K && c > 0) have += count[--c];
    /* the candidates' indices, in index order, without a branch: bin_of(s)
     * >= c is f >= c for bin_of's f (c = 0: every item, clamped ones too) */
    float cf = c ? (float)c : -__builtin_inff();
    size_t n = 0;
    for (size_t j = 0; j < N; j++) {
        cand[n] = (uint32_t)j;
        n += (s[j] + 1.0f) * (BINS / 2) >= cf;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (cand[i] != self) keys[m++] = topk_key(s[cand[i]], cand[i]);
    /* cand[] is done with: 2N uint32 = N keys of scratch */
    radix_desc(keys, m, (uint64_t *)(void *)cand);
}
