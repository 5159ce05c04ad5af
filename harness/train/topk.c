/* topk.c — the K nearest of a row of N similarities, in about O(N + K):
 *  1. a threshold from a sample (every 8th item): a key a bit above the
 *     K/8-th largest of the sample, so that usually a little more than K
 *     items pass it;
 *  2. one branch-free pass keeps the items at or above it (when fewer than K
 *     pass, the pass is repeated with no threshold: exact either way);
 *  3. quickselect of the K largest among them;
 *  4. a bucket pass over the K (their keys lie in a narrow range) and an
 *     insertion sort that only repairs order within buckets.
 * MAP@R needs the R nearest in order with R up to 6 999 of 35 000, so a full
 * sort of every row would dominate the evaluation. */
#include <math.h>
#include <string.h>

#include "topk.h"

#define SAMPLE_STRIDE 8
#define BUCKETS 4096

static inline void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a; *a = *b; *b = t;
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

static void insertion_desc(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] < v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Sorts a[0..n) descending via tmp: a counting pass over BUCKETS ranges of the
 * similarity bits, then insertion sort (full 64-bit keys, so ties keep the
 * index rule); the result is in a. */
static void sort_desc(uint64_t *a, size_t n, uint64_t *tmp)
{
    if (n < 64) {
        insertion_desc(a, n);
        return;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)(a[i] >> 32);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    uint64_t span = (uint64_t)hi - lo + 1;
    static _Thread_local uint32_t count[BUCKETS + 1];
    memset(count, 0, sizeof count);
    /* bucket 0 holds the largest keys, so the placement is already descending */
#define BUCKET(k) (BUCKETS - 1 - (size_t)((((k) >> 32) - lo) * BUCKETS / span))
    for (size_t i = 0; i < n; i++) count[BUCKET(a[i]) + 1]++;
    for (size_t b = 0; b < BUCKETS; b++) count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) tmp[count[BUCKET(a[i])]++] = a[i];
#undef BUCKET
    memcpy(a, tmp, n * sizeof *a);
    insertion_desc(a, n);
}

/* Keys of s[j] >= t for j in [j0, j1), appended at keys + n; returns the new n. */
static size_t keep_at_least(const float *s, size_t j0, size_t j1, uint64_t t, uint64_t *keys,
                            size_t n)
{
    for (size_t j = j0; j < j1; j++) {
        uint64_t k = topk_key(s[j], (uint32_t)j);
        keys[n] = k;      /* written always, kept when it passes: no branch */
        n += k >= t;
    }
    return n;
}

/* A key that about K·(1 + margin) items of the row reach, from a sample; 0
 * (everything passes) when the sample is too small to say. */
static uint64_t threshold(const float *s, size_t N, size_t self, size_t K, uint64_t *tmp)
{
    size_t ns = 0;
    for (size_t j = 0; j < N; j += SAMPLE_STRIDE)
        if (j != self) tmp[ns++] = topk_key(s[j], (uint32_t)j);
    double want = (double)K / SAMPLE_STRIDE;
    size_t kk = (size_t)(want + 3 * sqrt(want) + 4);
    if (kk >= ns) return 0;
    select_top(tmp, ns, kk);
    uint64_t t = tmp[0];
    for (size_t i = 1; i < kk; i++) t = tmp[i] < t ? tmp[i] : t;
    return t;
}

void topk_row(const float *s, size_t N, size_t self, size_t K, uint64_t *keys, uint64_t *tmp)
{
    uint64_t t = threshold(s, N, self, K, tmp);
    size_t n = keep_at_least(s, 0, self, t, keys, 0);
    n = keep_at_least(s, self + 1, N, t, keys, n);
    if (n < K) {  /* the sample misjudged: take every item */
        n = keep_at_least(s, 0, self, 0, keys, 0);
        n = keep_at_least(s, self + 1, N, 0, keys, n);
    }
    if (K < n) select_top(keys, n, K);
    sort_desc(keys, K, tmp);
}
