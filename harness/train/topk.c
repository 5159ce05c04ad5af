/* topk.c — the K nearest of a row of N similarities, in O(N + K) expected:
 *  1. a histogram of the row over BINS equal ranges of [−1, 1];
 *  2. the highest bins that hold at least K items between them;
 *  3. a counting sort places the items of those bins by bin, highest first;
 *  4. an insertion sort on the full keys repairs order within each bin.
 * MAP@R needs the R nearest in order, R up to 6 999 of 35 000, so a full sort
 * of every row (or a quickselect then a sort) would dominate the evaluation. */
#include <string.h>

#include "topk.h"

#define BINS 4096

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

void topk_row(const float *s, size_t N, size_t self, size_t K, uint64_t *keys, uint32_t *bins)
{
    static _Thread_local uint32_t count[BINS];
    memset(count, 0, sizeof count);
#pragma omp simd
    for (size_t j = 0; j < N; j++) bins[j] = bin_of(s[j]);
    for (size_t j = 0; j < N; j++) count[bins[j]]++;
    count[bins[self]]--;  /* the query itself is not a neighbour */
    /* the lowest bin c such that bins c..BINS-1 hold >= K items */
    size_t c = BINS, have = 0;
    while (have < K && c > 0) have += count[--c];
    /* counting sort of the items in bins >= c, highest bin first.  The branch
     * is taken for about K of N items; measured cheaper than a branch-free
     * list of candidates, whose stores the loads of bins[] wait behind. */
    uint32_t at = 0;
    for (size_t b = BINS; b-- > c;) {
        uint32_t m = count[b];
        count[b] = at;
        at += m;
    }
    for (size_t j = 0; j < N; j++)
        if (bins[j] >= c && j != self) keys[count[bins[j]]++] = topk_key(s[j], (uint32_t)j);
    insertion_desc(keys, have);
}
