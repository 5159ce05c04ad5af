/* topk.c — the K nearest of a row of N similarities, in O(N + K log K):
 *  1. a histogram of the row over BINS equal ranges of [−1, 1];
 *  2. the highest bins that hold at least K items between them;
 *  3. a counting sort places the items of those bins by bin, highest first;
 *  4. each bin sorted on the full keys (a second counting sort over the
 *     bin's own range when it is crowded, as near 1 after training), and of
 *     the lowest bin only the part the K need (quickselect first).
 * MAP@R needs the R nearest in order, R up to 6 999 of 35 000, so a full sort
 * of every row would dominate the evaluation. */
#include <string.h>

#include "train/topk.h"

#define BINS 4096

/* The bin of a similarity: monotone in s, so a higher bin never holds a
 * smaller similarity.  (Cosines can leave [−1, 1] by a rounding; clamped.) */
static inline uint32_t bin_of(float s)
{
    float f = (s + 1.0f) * (BINS / 2);
    int b = (int)f;
    return f < 0 ? 0 : b > BINS - 1 ? BINS - 1 : (uint32_t)b;
}

static inline void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a; *a = *b; *b = t;
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

/* Hoare partition of a[lo..hi) (hi - lo >= 2) around a median of three:
 * returns j with lo <= j < hi - 1, a[lo..j] >= pivot >= a[j+1..hi). */
static size_t partition_desc(uint64_t *a, size_t lo, size_t hi)
{
    size_t mid = lo + (hi - lo - 1) / 2;
    if (a[lo] < a[mid]) swap64(&a[lo], &a[mid]);
    if (a[mid] < a[hi - 1]) swap64(&a[mid], &a[hi - 1]);
    if (a[lo] < a[mid]) swap64(&a[lo], &a[mid]);
    uint64_t p = a[mid];
    size_t i = lo - 1, j = hi;  /* lo - 1 wraps for lo = 0; the first ++ undoes it */
    for (;;) {
        do i++; while (a[i] > p);
        do j--; while (a[j] < p);
        if (i >= j) return j;
        swap64(&a[i], &a[j]);
    }
}

/* Quickselect: afterwards the k largest keys (1 <= k < n) are in a[0..k). */
static void select_top(uint64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n;  /* invariant: lo < k <= hi, a[0..lo) >= a[lo..hi) >= a[hi..n) */
    while (hi - lo > 1) {
        size_t j = partition_desc(a, lo, hi);
        if (k <= j + 1) hi = j + 1;
        else lo = j + 1;
    }
}

/* Quicksort, descending (the smaller side first), insertion sort below 24. */
static void sort_desc(uint64_t *a, size_t n)
{
    while (n > 24) {
        size_t left = partition_desc(a, 0, n) + 1;  /* a[0..left) >= a[left..n) */
        if (left < n - left) { sort_desc(a, left); a += left; n -= left; }
        else { sort_desc(a + left, n - left); n = left; }
    }
    insertion_desc(a, n);
}

/* Sorts a[0..n) descending through tmp (n entries): a second counting sort
 * over min(n, BINS) equal ranges of the keys' similarity bits, which spreads
 * a crowded bin (7 000 trained similarities in one bin near 1) to about one
 * an entry, then each range sorted on the full keys. */
static void refine_sort(uint64_t *a, size_t n, uint64_t *tmp)
{
    if (n <= 64) {
        sort_desc(a, n);
        return;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)(a[i] >> 32);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    uint64_t span = (uint64_t)hi - lo + 1, nb = n < BINS ? n : BINS;
    static _Thread_local uint32_t start[BINS + 1];
    memset(start, 0, (nb + 1) * sizeof *start);
    /* range 0 holds the largest keys, so the placement is already descending */
#define RANGE(k) (nb - 1 - (size_t)((((k) >> 32) - lo) * nb / span))
    for (size_t i = 0; i < n; i++) start[RANGE(a[i]) + 1]++;
    for (size_t b = 0; b < nb; b++) start[b + 1] += start[b];
    for (size_t i = 0; i < n; i++) tmp[start[RANGE(a[i])]++] = a[i];
#undef RANGE
    memcpy(a, tmp, n * sizeof *a);
    for (size_t b = 0, from = 0; b < nb; b++) {  /* start[b] is now the end of range b */
        sort_desc(a + from, start[b] - from);
        from = start[b];
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
    /* bins are in order; sort within each (count[b] is now the end of bin b),
     * and of the lowest, bin c, only the part the K need */
    uint64_t *tmp = (uint64_t *)(void *)bins;  /* bins[] is done with: 2N uint32 = N keys */
    size_t start = 0;
    for (size_t b = BINS; b-- > c + 1;) {
        refine_sort(keys + start, count[b] - start, tmp);
        start = count[b];
    }
    size_t len = count[c] - start, need = K - start;
    if (need < len) select_top(keys + start, len, need);
    refine_sort(keys + start, need < len ? need : len, tmp);
}
