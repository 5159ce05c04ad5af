/* lse_check_util.h — what the lse/exp check files (check_lse_*.c) share: the
 * bit views, the seeded generator, guarded buffers, one masked-LSE case run
 * against the reference (lse_compare, tolerances in lse_check_util.c), the
 * loop over the sizes that runs a check's body (lse_each_size) and the
 * checks themselves, which check_lse.c lists in one table.  Test-only. */
#ifndef DML_LSE_CHECK_UTIL_H
#define DML_LSE_CHECK_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "dml_kernels.h"

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

static inline uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static inline float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

static inline uint64_t rng_next(uint64_t *st)
{ /* splitmix64 */
    uint64_t z = (*st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline float rng_uniform(uint64_t *st, float lo, float hi)
{
    return lo + (hi - lo) * (float)((rng_next(st) >> 40) * 0x1p-24);
}

/* Memory whose end touches an inaccessible page, so reading or writing past
 * the last element faults instead of passing silently. */
typedef struct guarded { void *base; size_t len; void *p; } guarded;
void *guarded_alloc(guarded *gm, size_t bytes);
void guarded_free(guarded *gm);

/* One call of the masked LSE: the inputs both the reference and k get. */
typedef struct lse_case {
    const char *tag;
    size_t n;
    const float *s;          /* n entries (guarded) */
    const int32_t *labels;   /* n entries (guarded) or NULL */
    int32_t c;
    size_t skip;
    const dml_lse_side *pos, *neg;
} lse_case;

/* Runs the reference and k on one case and compares (lse_check_util.c). */
int lse_compare(const dml_kernels *k, const lse_case *cs, char *why, size_t whylen);

/* Guarded s and labels for one size; fill them as a check needs.  st: the
 * generator lse_each_size seeded for this size (a body draws on from it). */
typedef struct lse_bufs { guarded gs, gl; float *s; int32_t *lab; size_t n; uint64_t st; } lse_bufs;
int bufs_alloc(lse_bufs *b, size_t n);
void bufs_free(lse_bufs *b);
void fill_s(float *s, size_t n, uint64_t *st);
void fill_labels(int32_t *lab, size_t n, int32_t C, uint64_t *st);

/* One size's share of a check: runs its cases on b (filled as lse_each_size
 * was told, the rest from b->st as it needs) and returns non-zero with why[]
 * written at the first that fails. */
typedef int (*lse_body)(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen);
/* What lse_each_size fills before the body: nothing (the body fills), s
 * alone, or (C > 0) s then labels of C classes, all from the generator. */
enum { LSE_FILL_NONE = -1, LSE_FILL_S = 0 };
/* Runs body on fresh guarded buffers for each size of DML_CHECK_SIZES, in
 * order, the generator seeded seed0 + the size's index; stops at the first
 * failure. */
int lse_each_size(const dml_kernels *k, uint64_t seed0, int32_t fill, lse_body body, char *why,
                  size_t whylen);
/* check_<name>, a check's entry: <name>_body at every size.  Each check file
 * ends with the table of its checks, one of these a line. */
#define LSE_SIZED_CHECK(name, seed0, fill)                                                      \
    int check_##name(const dml_kernels *k, char *why, size_t whylen)                            \
    {                                                                                           \
        return lse_each_size(k, seed0, fill, name##_body, why, whylen);                         \
    }

static const size_t sizes[] = DML_CHECK_SIZES;
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* Proxy-Anchor–like sides (α, δ) — the common case. */
static inline dml_lse_side pa_pos(float alpha, float delta, float coef)
{
    return (dml_lse_side){ -alpha, alpha * delta, -INFINITY, INFINITY, coef, 1 };
}
static inline dml_lse_side pa_neg(float alpha, float delta, float coef)
{
    return (dml_lse_side){ alpha, alpha * delta, -INFINITY, INFINITY, coef, 1 };
}

/* The checks, by file; check_lse.c holds their order. */
/* check_lse_exp.c: the vector exp and the LSE kernels' own exponentials. */
int check_exp_special(const dml_kernels *k, char *why, size_t whylen);
int check_exp_sweep(const dml_kernels *k, char *why, size_t whylen);
int check_lse_exp_accuracy(const dml_kernels *k, char *why, size_t whylen);
/* check_lse_masked.c: the masks and modes of the LSE on ordinary inputs. */
int check_lse_labels(const dml_kernels *k, char *why, size_t whylen);
int check_lse_labels_null(const dml_kernels *k, char *why, size_t whylen);
int check_lse_skip(const dml_kernels *k, char *why, size_t whylen);
int check_lse_null_side(const dml_kernels *k, char *why, size_t whylen);
int check_lse_plus_modes(const dml_kernels *k, char *why, size_t whylen);
int check_lse_large_alpha(const dml_kernels *k, char *why, size_t whylen);
/* check_lse_edges.c: mining bounds, empty sides, non-finite inputs. */
int check_lse_bounds(const dml_kernels *k, char *why, size_t whylen);
int check_lse_empty(const dml_kernels *k, char *why, size_t whylen);
int check_lse_nonfinite(const dml_kernels *k, char *why, size_t whylen);

#endif
