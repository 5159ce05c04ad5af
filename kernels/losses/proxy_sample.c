/* proxy_sample.c — the draw of sampled proxies, Partial FC's rule (An et al.,
 * 2021): every class with a positive in the batch, plus a uniform draw
 * without replacement of the other classes, n = max(ceil(r·C), positives)
 * in all, in increasing order.  O(C) time (one pass over C bytes of marks)
 * and O(n) random draws; the step on the sample is proxy_sample_step.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loss_table.h"

/* splitmix64: a whole 64-bit state, one multiply-xorshift per draw. */
static uint64_t next64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1, exactly: Lemire's multiply, with the rejection
 * that removes the bias of 2⁶⁴ mod n. */
static uint64_t below(uint64_t *s, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)next64(s) * n;
    if ((uint64_t)m < n) {
        uint64_t floor = (0 - n) % n;
        while ((uint64_t)m < floor)
            m = (unsigned __int128)next64(s) * n;
    }
    return (uint64_t)(m >> 64);
}

size_t dml_proxy_sample_count(size_t C, float r)
{
    if (!(r > 0.0f && r <= 1.0f) || C == 0)
        return 0;
    /* r holds a decimal ratio to 2⁻²⁴ relative: take that excess out before
     * the ceiling, so r·C that is whole in decimal stays whole. */
    double n = ceil((double)r * (double)C * (1.0 - 0x1p-23));
    return n < 1 ? 1 : n > (double)C ? C : (size_t)n;
}

/* Floyd's draw of k ranks out of N, marked with bit 2 of mark[rank]: k
 * draws, each uniform, and the set uniform over all k-subsets. */
static void floyd(unsigned char *mark, size_t N, size_t k, uint64_t *s)
{
    for (size_t j = N - k; j < N; j++) {
        size_t t = (size_t)below(s, (uint64_t)j + 1);
        if (mark[t] & 2)
            t = j;
        mark[t] |= 2;
    }
}

size_t dml_proxy_sample(const int32_t *y, size_t M, size_t C, float r, uint64_t seed,
                        unsigned char *mark, int32_t *idx)
{
    size_t want = dml_proxy_sample_count(C, r);
    if (!want) {
        dml_check_ratio("proxy_sample", r);
        return 0;
    }
    memset(mark, 0, C);
    size_t npos = 0;
    for (size_t i = 0; i < M; i++) {
        if (y[i] < 0 || (size_t)y[i] >= C) {
            dml_fail(DML_ERR_LABEL, "label %d at index %zu is outside [0, %zu)", (int)y[i], i, C);
            return 0;
        }
        npos += !(mark[y[i]] & 1);
        mark[y[i]] |= 1;
    }
    size_t n = want > npos ? want : npos;
    uint64_t s = seed;
    floyd(mark, C - npos, n - npos, &s); /* ranks among the classes without a positive */
    size_t out = 0, rank = 0;
    for (size_t c = 0; c < C; c++) {
        if (mark[c] & 1)
            idx[out++] = (int32_t)c;
        else if (mark[rank++] & 2) /* rank <= c: bit 2 of a byte is read after its draw */
            idx[out++] = (int32_t)c;
    }
    dml_ok();
    return out;
}

uint64_t dml_sample_step_seed(uint64_t seed, uint64_t t)
{
    uint64_t s = seed ^ (t * 0xD1B54A32D192ED03ull);
    return next64(&s);
}

/* The most classes a step can sample: ceil(r·C), or the batch's classes. */
size_t dml_sample_rows_max(size_t M, size_t C, float r)
{
    size_t want = dml_proxy_sample_count(C, r), pos = M < C ? M : C;
    return want > pos ? want : pos;
}
