/* triplet_sorted.c — the all-triplet loss in O(M² log M): the same K, counts
 * and gradients as the enumeration in triplet.c, from the same distances.
 *
 * For anchor a with positives p and negatives n, the active set of p is a
 * prefix of the negatives sorted by distance and the positives that activate
 * n are a suffix of the sorted positives (triplet_internal.h says why the
 * float predicate is monotone).  So, per anchor: split the row into the two
 * sides, sort each, and walk them together like a merge:
 *     cnt_p = #active negatives of p (the prefix length, non-decreasing in p)
 *     c_n   = #positives from the first one that activates n to the last
 *     Σ v   = Σ_p cnt_p (d_ap + m) − Σ_n c_n d_an
 * The walk is O(M); the sort is an LSD radix sort on the distances' bits
 * (they are ≥ +0, so the unsigned bit patterns order them as the floats),
 * a comparison sort of every row being the cost to avoid at large M. */
#include <string.h>

#include "triplet_internal.h"

/* Sides up to SMALL members are insertion-sorted: below that a radix sort's
 * histogram clearing costs more than the moves it saves.  Digits are at most
 * MAX_W bits, so 32 bits take at most MAX_PASSES passes. */
enum { SMALL = 32, MAX_W = 12, MAX_PASSES = 8 };
#define HIST_WORDS ((size_t)2 << MAX_W) /* this pass's and the next pass's histogram */

/* A member of one side, packed so one 8-byte move sorts key and column
 * together: the distance's bits above, its column in the row below. */
static inline uint32_t key_of(uint64_t v) { return (uint32_t)(v >> 32); }
static inline uint32_t col_of(uint64_t v) { return (uint32_t)v; }
static inline float val_of(uint64_t v)
{
    uint32_t k = key_of(v);
    float f;
    memcpy(&f, &k, sizeof f);
    return f;
}

/* One thread's scratch, carved from its GEMM work buffer (unused between the
 * products): both sides, the radix sort's second buffer, its histograms. */
typedef struct scratch {
    uint64_t *pos, *neg, *tmp;
    uint32_t *hist;
} scratch;

static size_t scratch_bytes(size_t M)
{
    return 3 * M * sizeof(uint64_t) + HIST_WORDS * sizeof(uint32_t);
}

int dml_triplet_sorted_fits(size_t M)
{
    return M <= SIZE_MAX / 32 && scratch_bytes(M) <= DML_GEMM_WORK_FLOATS * sizeof(float);
}

static scratch carve(float *work, size_t M)
{
    uint64_t *w = (void *)work; /* 64-byte aligned */
    scratch s = { w, w + M, w + 2 * M, (void *)(w + 3 * M) };
    return s;
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* The digit width for n keys spanning `bits` bits: each pass moves n members
 * (about 4 units each: a read, a histogram lookup, a scattered write) and
 * clears and scans 2^w buckets (about 1 unit each); the cheapest total wins.
 * Fewer, wider passes for long sides, narrower ones for short sides (a side
 * of 127 positives would otherwise scan 2 × 2048 buckets). */
static void plan_passes(int bits, size_t n, int *passes, int *width)
{
    double best = -1;
    *passes = MAX_PASSES; /* always overwritten: p = 8 fits any 32-bit span */
    *width = (bits + MAX_PASSES - 1) / MAX_PASSES;
    for (int p = 1; p <= MAX_PASSES; p++) {
        int w = (bits + p - 1) / p;
        if (w > MAX_W)
            continue;
        double cost = p * (4.0 * (double)n + (double)((size_t)1 << w));
        if (best < 0 || cost < best) {
            best = cost;
            *passes = p;
            *width = w;
        }
    }
}

static void count_digit(const uint64_t *a, size_t n, uint32_t lo, int shift, uint32_t mask,
                        uint32_t *h, size_t buckets)
{
    memset(h, 0, buckets * sizeof *h);
    for (size_t i = 0; i < n; i++)
        h[((key_of(a[i]) - lo) >> shift) & mask]++;
}

/* One LSD pass by the digit at shift (h: its histogram, turned into offsets
 * here); counts the next pass's digit on the way when hn is not NULL, which
 * saves that pass a read of the data. */
static void scatter(const uint64_t *src, uint64_t *dst, size_t n, uint32_t lo, int shift, int w,
                    uint32_t *h, uint32_t *hn)
{
    const size_t buckets = (size_t)1 << w;
    const uint32_t mask = (uint32_t)buckets - 1;
    uint32_t run = 0;
    for (size_t b = 0; b < buckets; b++) {
        uint32_t c = h[b];
        h[b] = run;
        run += c;
    }
    if (!hn) {
        for (size_t i = 0; i < n; i++)
            dst[h[((key_of(src[i]) - lo) >> shift) & mask]++] = src[i];
        return;
    }
    memset(hn, 0, buckets * sizeof *hn);
    const int next = shift + w;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = key_of(src[i]) - lo;
        dst[h[(k >> shift) & mask]++] = src[i];
        hn[(k >> next) & mask]++;
    }
}

/* Sorts a[0..n) by key (columns break ties, which nothing relies on) and
 * returns the buffer holding the result, a or tmp.  Digits are taken of
 * key − min over only as many bits as the keys span: distances of one row
 * usually share their exponent, which saves a pass. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *tmp, size_t n, uint32_t *hist)
{
    if (n <= SMALL) {
        insertion_sort(a, n);
        return a;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = key_of(a[i]);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    int bits = 0;
    while (bits < 32 && ((hi - lo) >> bits) != 0)
        bits++;
    if (bits == 0)
        return a; /* all keys equal */
    int passes, w;
    plan_passes(bits, n, &passes, &w);
    const size_t buckets = (size_t)1 << w;
    const uint32_t mask = (uint32_t)buckets - 1;
    uint32_t *h = hist, *hn = hist + buckets;
    uint64_t *src = a, *dst = tmp;
    count_digit(src, n, lo, 0, mask, h, buckets);
    for (int p = 0; p < passes; p++) {
        const int shift = p * w, last = p + 1 == passes;
        if (h[((key_of(src[0]) - lo) >> shift) & mask] == n) {
            /* one bucket holds them all: the pass would move nothing */
            if (!last)
                count_digit(src, n, lo, shift + w, mask, hn, buckets);
        } else {
            scatter(src, dst, n, lo, shift, w, h, last ? NULL : hn);
            uint64_t *t = src;
            src = dst;
            dst = t;
        }
        uint32_t *t = h;
        h = hn;
        hn = t;
    }
    return src;
}

/* Row a into its positives (same label, not a) and negatives, branch-free:
 * each member is written to both sides and only one side's end advances. */
static void split_row(const float *da, const int32_t *y, size_t M, size_t a, scratch *s,
                      size_t *np, size_t *nn)
{
    const int32_t ya = y[a];
    size_t p = 0, n = 0;
    for (size_t j = 0; j < M; j++) {
        uint32_t k;
        memcpy(&k, &da[j], sizeof k);
        uint64_t v = (uint64_t)k << 32 | (uint32_t)j;
        int same = y[j] == ya;
        s->pos[p] = v;
        s->neg[n] = v;
        p += (size_t)(same & (j != a));
        n += (size_t)!same;
    }
    *np = p;
    *nn = n;
}

/* The merge walk over the sorted positives P and negatives N of one row.
 * Writes the row's counts into ca and adds K and Σ v of this anchor. */
static void walk(const uint64_t *P, size_t np, const uint64_t *N, size_t nn, float m, float *ca,
                 double *active, double *sum)
{
    size_t j = 0;
    double act = 0, s = 0;
    for (size_t i = 0; i < np; i++) {
        const float dp = val_of(P[i]);
        const size_t j0 = j;
        /* Blocks of 8 first: by monotonicity, if the block's last negative is
         * active, so is every one before it. */
        while (j + 8 <= nn && dml_triplet_active(dp, val_of(N[j + 7]), m))
            j += 8;
        while (j < nn && dml_triplet_active(dp, val_of(N[j]), m))
            j++;
        /* Negatives j0..j−1 turn active at positive i and stay active for
         * every later (farther) positive: np − i of them. */
        const float c = (float)(np - i);
        double seg0 = 0, seg1 = 0; /* two chains: the adds are latency-bound */
        size_t t = j0;
        for (; t + 2 <= j; t += 2) {
            ca[col_of(N[t])] = -c;
            ca[col_of(N[t + 1])] = -c;
            seg0 += val_of(N[t]);
            seg1 += val_of(N[t + 1]);
        }
        for (; t < j; t++) {
            ca[col_of(N[t])] = -c;
            seg0 += val_of(N[t]);
        }
        ca[col_of(P[i])] = (float)j;
        act += (double)j;
        s += (double)j * ((double)dp + (double)m) - (double)c * (seg0 + seg1);
    }
    for (; j < nn; j++) /* active with no positive: far enough from every one */
        ca[col_of(N[j])] = 0.0f;
    *active += act;
    *sum += s;
}

static void anchor(const float *dist, const int32_t *y, size_t M, size_t a, float m, scratch *s,
                   float *cnt, dml_triplet_tally *t)
{
    size_t np, nn;
    split_row(dist + a * M, y, M, a, s, &np, &nn);
    const uint64_t *P = radix_sort(s->pos, s->tmp, np, s->hist);
    if (P == s->tmp) { /* keep tmp free for the negatives */
        memcpy(s->pos, s->tmp, np * sizeof *P);
        P = s->pos;
    }
    const uint64_t *N = radix_sort(s->neg, s->tmp, nn, s->hist);
    float *ca = cnt + a * M;
    ca[a] = 0.0f;
    walk(P, np, N, nn, m, ca, &t->active, &t->sum);
    t->total += (double)np * (double)nn;
}

dml_triplet_tally dml_triplet_sorted_counts(dml_ctx *ctx, const float *dist, float m, float *cnt)
{
    const size_t M = ctx->M;
    const int nt = ctx->threads;
    double total = 0, active = 0, sum = 0;
    /* One slice of anchors a thread, each with its own scratch: rows are
     * independent and every row costs about the same. */
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1) reduction(+ : total, active, sum)
    for (int th = 0; th < nt; th++) {
        scratch s = carve(ctx->work + (size_t)th * DML_GEMM_WORK_FLOATS, M);
        dml_triplet_tally t = { 0, 0, 0 };
        size_t lo = M * (size_t)th / (size_t)nt, hi = M * (size_t)(th + 1) / (size_t)nt;
        for (size_t a = lo; a < hi; a++)
            anchor(dist, ctx->y, M, a, m, &s, cnt, &t);
        total += t.total;
        active += t.active;
        sum += t.sum;
    }
    dml_triplet_tally r = { total, active, sum };
    return r;
}
