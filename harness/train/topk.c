/* topk.c — the K nearest of a row of N similarities, in O(N + K):
 *  1. a threshold t from a sample of the row (SAMPLE items, one at a random
 *     place in each of equal strides) that, but for a chance of about 1 in
 *     1000, leaves at least K items at or above it, and not many more
 *     (about 1.2 K for K = 6 999 of 35 000, 1.5 K for 999 of 22 400);
 *  2. the indices of the items >= t gathered without a branch, in index
 *     order; fewer than K of them (an unlucky sample): every item instead,
 *     so the result never depends on the sample, only the time;
 *  3. their keys sorted by an LSD radix sort over the similarity bits in
 *     which they differ (two or three passes), nearest first.
 * The sample replaced a histogram of all N items (a float bin and a counter
 * increment an item: half the old time of a row; four interleaved
 * histograms, against the same counter hit twice in a row, measured no
 * faster).  MAP@R needs the R nearest in order, R up to 6 999 of 35 000, for
 * every query of an evaluation. */
#include <math.h>
#include <string.h>

#include "train/topk.h"

#define SAMPLE 1024        /* items in the threshold's sample, at most */
#define SAMPLE_BINS 512    /* histogram of the sample */
#define SAMPLE_Z 3.0       /* the margin, in standard deviations of a binomial count */
#define RADIX_MAX_BITS 12  /* 4096 counters: two passes cover a binade's 23 bits */
#define RADIX_PASSES 3     /* 32 bits in digits of at most RADIX_MAX_BITS */
#define INSERTION_MAX 32

/* Which of the sample's bins 0..top from lo (scale bins a unit) x falls in:
 * non-decreasing in x, NaN (from infinite lo) and x below lo in bin 0. */
static inline uint32_t bin_of(float x, float lo, float scale, uint32_t top)
{
    float y = (x - lo) * scale;
    return y >= (float)top ? top : y > 0 ? (uint32_t)y : 0;
}

/* 1 / the width of each of `bins` bins over [lo, hi]; 0 if none fits. */
static float bin_scale(float lo, float hi, uint32_t bins)
{
    float w = hi - lo;
    return w > 0 && isfinite(w) ? (float)bins / w : 0;
}

/* A threshold that leaves, with a probability of about 0.999, at least K + 1
 * of the row's items (the query may be one) at or above it: the lower edge of
 * the sample histogram's bin holding its q-th largest item, q the expected
 * count of the K + 1 nearest in the sample plus SAMPLE_Z deviations.  The
 * sample goes through buf (SAMPLE floats); -inf when the margin covers it all. */
static float sample_threshold(const float *s, size_t N, size_t K, float *buf)
{
    size_t stride = N / SAMPLE > 1 ? N / SAMPLE : 1, m = N / stride;
    double p = (double)(K + 1) / (double)N, mean = p * (double)m;
    size_t q = (size_t)ceil(mean + SAMPLE_Z * sqrt(mean * (1 - p))) + 1;
    if (q >= m) return -__builtin_inff();
    float lo = __builtin_inff(), hi = -__builtin_inff();
    for (size_t i = 0; i < m; i++) {
        /* a fixed random offset inside stride i: no period in the data lines up with it */
        uint32_t h = (uint32_t)(i + 1) * 0x9E3779B1u;
        h ^= h >> 15;
        float v = s[i * stride + (size_t)(((uint64_t)h * stride) >> 32)];
        buf[i] = v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    uint32_t count[SAMPLE_BINS] = { 0 };
    float scale = bin_scale(lo, hi, SAMPLE_BINS);
    for (size_t i = 0; i < m; i++) count[bin_of(buf[i], lo, scale, SAMPLE_BINS - 1)]++;
    uint32_t c = SAMPLE_BINS;
    size_t have = 0;
    while (have < q && c > 0) have += count[--c];
    /* the bin's lower edge; rounding can move it, which only costs speed */
    return c == 0 || scale == 0 ? -__builtin_inff() : lo + (float)c / scale;
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

/* Every pass's digit counts in one read of a[0..n); a loop of its own for
 * each number of passes, so that the counters' loop is not one more. */
static void count_digits(const uint64_t *a, size_t n, unsigned passes, unsigned width, uint32_t mask,
                         uint32_t start[][1u << RADIX_MAX_BITS])
{
    unsigned w1 = 32 + width, w2 = 32 + 2 * width;
    if (passes == 1)
        for (size_t i = 0; i < n; i++) start[0][(a[i] >> 32) & mask]++;
    else if (passes == 2)
        for (size_t i = 0; i < n; i++) start[0][(a[i] >> 32) & mask]++, start[1][(a[i] >> w1) & mask]++;
    else
        for (size_t i = 0; i < n; i++)
            start[0][(a[i] >> 32) & mask]++, start[1][(a[i] >> w1) & mask]++, start[2][(a[i] >> w2) & mask]++;
}

/* Sorts a[0..n) descending, through tmp (n entries), given the smallest
 * and largest similarity half of its keys (lo, hi).  The keys' index halves
 * are increasing ~j for a[] in index order, and an LSD radix sort is
 * stable, so sorting on the similarity half alone orders ties by lower
 * index, as the full keys do.  Only the bits in which the keys differ are
 * passed over, in equal digits of at most RADIX_MAX_BITS, every digit's
 * counts taken in one read. */
static void radix_desc(uint64_t *a, size_t n, uint32_t lo, uint32_t hi, uint64_t *tmp)
{
    if (n <= INSERTION_MAX) {
        insertion_desc(a, n);
        return;
    }
    if (lo == hi) return; /* all tied: index order is the order */
    unsigned bits = 32u - (unsigned)__builtin_clz(lo ^ hi);
    unsigned passes = (bits + RADIX_MAX_BITS - 1) / RADIX_MAX_BITS, width = (bits + passes - 1) / passes;
    uint32_t mask = (1u << width) - 1;
    static _Thread_local uint32_t start[RADIX_PASSES][1u << RADIX_MAX_BITS];
    for (unsigned p = 0; p < passes; p++) memset(start[p], 0, (mask + 1) * sizeof **start);
    count_digits(a, n, passes, width, mask, start);
    for (unsigned p = 0; p < passes; p++) {
        uint32_t at = 0; /* the highest digit first: descending */
        for (size_t d = mask + 1; d-- > 0;) {
            uint32_t m = start[p][d];
            start[p][d] = at;
            at += m;
        }
    }
    uint64_t *from = a, *to = tmp;
    for (unsigned p = 0; p < passes; p++) {
        unsigned shift = 32 + p * width;
        uint32_t *st = start[p];
        for (size_t i = 0; i < n; i++) to[st[(from[i] >> shift) & mask]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != a) memcpy(a, from, n * sizeof *a);
}

/* The indices of the items at or above t, in index order, without a branch
 * (a taken-or-not branch here was wrong a fifth of the time); how many.
 * cand: N entries. */
static size_t above(const float *s, size_t N, float t, uint32_t *cand)
{
    size_t n = 0, j = 0;
    for (; j + 4 <= N; j += 4) { /* four at once, their places apart from n's chain */
        size_t a = s[j] >= t, b = s[j + 1] >= t, c = s[j + 2] >= t, d = s[j + 3] >= t;
        cand[n] = (uint32_t)j;
        cand[n + a] = (uint32_t)j + 1;
        cand[n + a + b] = (uint32_t)j + 2;
        cand[n + a + b + c] = (uint32_t)j + 3;
        n += a + b + c + d;
    }
    for (; j < N; j++) {
        cand[n] = (uint32_t)j;
        n += s[j] >= t;
    }
    return n;
}

void topk_row_from(const float *s, size_t N, size_t self, size_t K, float t, uint64_t *keys,
                   uint32_t *scratch)
{
    uint32_t *cand = scratch;
    size_t n = above(s, N, t, cand);
    if (n - (s[self] >= t) < K) /* the exact fall-back: t was too high, every item is taken */
        for (n = 0; n < N; n++) cand[n] = (uint32_t)n;
    uint32_t lo = UINT32_MAX, hi = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t j = cand[i];
        uint64_t key = topk_key(s[j], j);
        uint32_t u = (uint32_t)(key >> 32), other = j != self;
        keys[m] = key;
        m += other;
        lo = u < lo && other ? u : lo;
        hi = u > hi && other ? u : hi;
    }
    /* cand[] is done with: 2N uint32 = N keys of scratch */
    radix_desc(keys, m, lo, hi, (uint64_t *)(void *)scratch);
}

void topk_row(const float *s, size_t N, size_t self, size_t K, uint64_t *keys, uint32_t *scratch)
{
    /* keys is free until the gather: the sample goes there */
    topk_row_from(s, N, self, K, sample_threshold(s, N, K, (float *)(void *)keys), keys, scratch);
}
