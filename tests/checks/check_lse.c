/* check_lse.c — checks of the masked LSE⁺ kernel and the vector exp of one
 * ISA against the scalar reference (lse_ref.c) and a double-precision exp.
 *
 * Shared by the Criterion suite (test_lse.c) and the standalone driver that
 * runs under qemu, so: no Criterion here, every check returns 0 or writes one
 * line into why[].
 *
 * What "agrees" means (the tolerances, and why):
 *   exp     at most DML_CHECK_EXP_ULP (2) ulp from (float)exp((double)x),
 *           counting ulps as the distance of the bit patterns (so subnormal
 *           results and FLT_MAX-vs-inf are measured too); exactly +0 for
 *           −inf and x ≤ −104, exactly +inf for +inf and x ≥ 89, exactly 1
 *           for |x| < 2^−25, NaN for NaN.
 *   lse     member count identical to the reference and to the contract
 *           recomputed here; g exactly 0 at every non-member; every g[j]
 *           written, nothing outside [0, n) read or written (guard pages);
 *           out[k] within 1e-5 · max(1, |ref|) (the lse's absolute error is
 *           the relative error of the reassociated sum), −inf exactly where
 *           the reference gives −inf;
 *           g within |ref| · (1e-5 + ez) + 2 FLT_MIN (1 + |coef|), where
 *           ez = 2^−22 (|a·s| + |b| + |lse|) is the float32 rounding of
 *           z − lse: the SIMD kernels compute z with one FMA, the reference
 *           with a multiply and an add, and a weight's relative error is the
 *           absolute error of its exponent (at α = 200 that is ~1e-4).  The
 *           absolute term lets the SIMD kernels flush exponentials and
 *           weights that would be subnormal (x86 microcode assists; see
 *           kernels/lse/exp_poly.h) while the reference keeps them.
 *
 * Non-finite similarities: NaN is never a member (lo < s < hi is false for
 * NaN); ±inf is a member only when it lies strictly inside the bounds, which
 * it never does since the bounds are floats (hi = +inf excludes +inf). */
#define _GNU_SOURCE 1
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checks.h"
#include "dml_kernels.h"

/* Stride over the 2^32 bit patterns in the dense exp sweep: every input whose
 * pattern is ≡ 0 (mod stride), plus dense windows at the overflow, subnormal
 * and underflow edges.  97 (44M inputs) takes about 0.5 s natively; a NEON
 * build defaults to 997 (4.3M inputs, ~1.5 s under qemu-user, where the full
 * 97 takes ~14 s and the native 97 would suit real hardware).  Override
 * with -DDML_CHECK_EXP_STRIDE=k or, at run time, the environment variable
 * DML_CHECK_EXP_STRIDE (e.g. for an x86 build under qemu-x86_64). */
#ifndef DML_CHECK_EXP_STRIDE
#if defined(__aarch64__)
#define DML_CHECK_EXP_STRIDE 997u
#else
#define DML_CHECK_EXP_STRIDE 97u
#endif
#endif
#define DML_CHECK_EXP_ULP 2u

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return 1; } while (0)

/* ------------------------------------------------------------ helpers */

static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

static uint64_t rng_next(uint64_t *st)
{ /* splitmix64 */
    uint64_t z = (*st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static float rng_uniform(uint64_t *st, float lo, float hi)
{
    return lo + (hi - lo) * (float)((rng_next(st) >> 40) * 0x1p-24);
}

/* The reference exp: exp in double, rounded once to float. */
static float exp_oracle(float x) { return (float)exp((double)x); }

/* ulp distance between a result and the oracle; UINT64_MAX when not comparable
 * (NaN on one side only, a negative result). */
static uint64_t ulp_dist(float y, float r)
{
    if (isnan(r) || isnan(y))
        return isnan(r) && isnan(y) ? 0 : UINT64_MAX;
    if (signbit(y) != signbit(r))
        return UINT64_MAX;
    uint32_t a = bits_of(y) & 0x7FFFFFFFu, b = bits_of(r) & 0x7FFFFFFFu;
    return a > b ? a - b : b - a;
}

/* Memory whose end touches an inaccessible page, so reading or writing past
 * the last element faults instead of passing silently. */
typedef struct guarded { void *base; size_t len; void *p; } guarded;

static void *guarded_alloc(guarded *gm, size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (bytes + page - 1) / page * page;
    gm->len = data + page;
    gm->base = mmap(NULL, gm->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (gm->base == MAP_FAILED) {
        gm->base = NULL;
        return NULL;
    }
    if (mprotect((char *)gm->base + data, page, PROT_NONE) != 0) {
        munmap(gm->base, gm->len);
        gm->base = NULL;
        return NULL;
    }
    gm->p = (char *)gm->base + data - bytes;
    return gm->p;
}
static void guarded_free(guarded *gm)
{
    if (gm->base)
        munmap(gm->base, gm->len);
    gm->base = NULL;
}

/* ------------------------------------------------------------ exp */

/* Runs k->exp on x[0..n) into guarded output, checks every result with pred. */
typedef int (*exp_pred)(float x, float y, char *why, size_t whylen);

static int exp_run(const dml_kernels *k, const float *xs, size_t n, exp_pred pred, char *why,
                   size_t whylen)
{
    guarded gx, gy;
    float *x = guarded_alloc(&gx, n * sizeof(float));
    float *y = guarded_alloc(&gy, n * sizeof(float));
    if (!x || !y) {
        guarded_free(&gx);
        guarded_free(&gy);
        FAIL("out of memory");
    }
    memcpy(x, xs, n * sizeof(float));
    for (size_t j = 0; j < n; j++)
        y[j] = float_of(0x7FC0DEADu); /* "not written" marker */
    k->exp(x, n, y);
    int rc = 0;
    for (size_t j = 0; j < n && !rc; j++)
        rc = pred(x[j], y[j], why, whylen);
    guarded_free(&gx);
    guarded_free(&gy);
    return rc;
}

static int pred_oracle(float x, float y, char *why, size_t whylen)
{
    float r = exp_oracle(x);
    uint64_t d = ulp_dist(y, r);
    if (d > DML_CHECK_EXP_ULP)
        FAIL("exp(%a) = %a, expected %a (%llu ulp)", (double)x, (double)y, (double)r,
             d == UINT64_MAX ? 0ull : (unsigned long long)d);
    return 0;
}

/* The values the contract pins exactly, then the ones that must be close. */
static int pred_special(float x, float y, char *why, size_t whylen)
{
    if (isnan(x)) {
        if (!isnan(y))
            FAIL("exp(NaN 0x%08x) = %a, expected NaN", bits_of(x), (double)y);
        return 0;
    }
    if (x <= -104.0f) {
        if (bits_of(y) != 0)
            FAIL("exp(%a) = %a, expected exactly +0", (double)x, (double)y);
        return 0;
    }
    if (x >= 89.0f) {
        if (!(isinf(y) && y > 0))
            FAIL("exp(%a) = %a, expected +inf", (double)x, (double)y);
        return 0;
    }
    if (fabsf(x) < 0x1p-25f) {
        if (y != 1.0f)
            FAIL("exp(%a) = %a, expected exactly 1", (double)x, (double)y);
        return 0;
    }
    return pred_oracle(x, y, why, whylen);
}

static int check_exp_special(const dml_kernels *k, char *why, size_t whylen)
{
    float v[160];
    size_t n = 0;
    const float fixed[] = {
        -INFINITY, INFINITY, NAN, -NAN, float_of(0x7FC12345u), float_of(0xFFC00001u),
        float_of(0x7FA00000u) /* signalling */, 0.0f, -0.0f, 0x1p-149f, -0x1p-149f,
        0x1p-126f, -0x1p-126f, 1e-30f, -1e-30f, 0x1p-26f, -0x1p-26f, 0x1p-24f, -0x1p-24f,
        1.0f, -1.0f, 0.5f, -0.5f, 0.34657359f, -0.34657359f, 10.0f, -10.0f,
        88.0f, 88.5f, 88.72f, 88.7228f, 88.72284f, 88.7229f, 88.8f, 89.0f, 100.0f, 1e30f,
        FLT_MAX, -FLT_MAX, -1e30f, -200.0f, -105.0f, -104.0f, -103.99f, -103.97f,
        -103.96f, -103.5f, -103.28f, -102.0f, -100.0f, -95.0f, -90.0f, -88.0f, -87.34f,
        -87.33f, -87.3f, -87.0f, -86.0f,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        v[n++] = fixed[i];

    /* The edges found from the oracle: the largest x with a finite exp and the
     * next float (+inf), the last x whose exp rounds to a non-zero subnormal
     * and the next one down (0), and the normal/subnormal boundary — each
     * with its neighbours. */
    float x_ovf = 88.0f;
    while (isfinite(exp_oracle(nextafterf(x_ovf, INFINITY))))
        x_ovf = nextafterf(x_ovf, INFINITY);
    float x_unf = -100.0f;
    while (exp_oracle(nextafterf(x_unf, -INFINITY)) != 0.0f)
        x_unf = nextafterf(x_unf, -INFINITY);
    float x_sub = -80.0f;
    while (exp_oracle(x_sub) >= 0x1p-126f)
        x_sub = nextafterf(x_sub, -INFINITY);
    const float edges[] = { x_ovf, x_unf, x_sub };
    for (size_t i = 0; i < 3; i++) {
        float e = edges[i];
        for (int d = 0; d < 3; d++) e = nextafterf(e, -INFINITY);
        for (int d = 0; d < 7; d++, e = nextafterf(e, INFINITY))
            v[n++] = e;
    }
    /* Pin the two edges that the contract makes exact. */
    if (!isinf(exp_oracle(nextafterf(x_ovf, INFINITY))))
        FAIL("oracle: overflow edge not found");

    /* Run the list at every prefix length so each value passes through the
     * vector body and through every lane of a partial tail. */
    for (size_t len = 1; len <= n; len++) {
        if (exp_run(k, v + n - len, len, pred_special, why, whylen))
            return 1;
    }
    /* A few results that are exact or nearly so and easy to get wrong. */
    float y[4], x4[4] = { 0.0f, 1.0f, x_ovf, nextafterf(x_ovf, INFINITY) };
    k->exp(x4, 4, y);
    if (y[0] != 1.0f)
        FAIL("exp(0) = %a, expected 1", (double)y[0]);
    if (!isfinite(y[2]))
        FAIL("exp(%a) = %a, expected finite (largest x below overflow)", (double)x4[2],
             (double)y[2]);
    if (!isinf(y[3]))
        FAIL("exp(%a) = %a, expected +inf (first x above overflow)", (double)x4[3], (double)y[3]);
    /* In-place use (y == x). */
    float z[5] = { -INFINITY, 0.0f, 1.0f, -100.0f, NAN };
    k->exp(z, 5, z);
    if (z[0] != 0.0f || z[1] != 1.0f || ulp_dist(z[2], exp_oracle(1.0f)) > DML_CHECK_EXP_ULP ||
        ulp_dist(z[3], exp_oracle(-100.0f)) > DML_CHECK_EXP_ULP || !isnan(z[4]))
        FAIL("exp in place (y == x) gives %a %a %a %a %a", (double)z[0], (double)z[1],
             (double)z[2], (double)z[3], (double)z[4]);
    return 0;
}

/* Dense sweep: every DML_CHECK_EXP_STRIDE-th bit pattern over all 2^32 (the
 * whole finite range, both signs, subnormal inputs, inf and NaN), plus every
 * pattern near the overflow and underflow thresholds. */
static int check_exp_sweep(const dml_kernels *k, char *why, size_t whylen)
{
    enum { CHUNK = 4096 };
    static float x[CHUNK], y[CHUNK];
    uint64_t worst = 0;
    float worst_x = 0.0f;
    size_t m = 0;
    /* Dense windows around the thresholds, then the strided sweep. */
    const uint32_t windows[][2] = {
        { bits_of(88.70f), bits_of(88.76f) },     /* overflow edge */
        { bits_of(-87.30f), bits_of(-87.40f) },   /* normal -> subnormal results */
        { bits_of(-103.90f), bits_of(-104.05f) }, /* underflow to 0 */
    };
    uint64_t total = 0, stride = DML_CHECK_EXP_STRIDE;
    const char *env = getenv("DML_CHECK_EXP_STRIDE");
    if (env && strtoull(env, NULL, 10) > 0)
        stride = strtoull(env, NULL, 10);
    for (int w = -1; w < 3; w++) {
        uint64_t b0 = w < 0 ? 0 : windows[w][0], b1 = w < 0 ? 0x100000000ull : windows[w][1] + 1ull;
        uint64_t step = w < 0 ? stride : (b1 - b0) / 20000 + 1;
        for (uint64_t b = b0; b < b1; b += step) {
            x[m++] = float_of((uint32_t)b);
            if (m == CHUNK || b + step >= b1) {
                k->exp(x, m, y);
                for (size_t j = 0; j < m; j++) {
                    uint64_t d = ulp_dist(y[j], exp_oracle(x[j]));
                    if (d > worst) {
                        worst = d;
                        worst_x = x[j];
                    }
                }
                total += m;
                m = 0;
            }
        }
    }
    if (worst > DML_CHECK_EXP_ULP) {
        float yw, r = exp_oracle(worst_x);
        k->exp(&worst_x, 1, &yw);
        if (worst == UINT64_MAX)
            FAIL("exp(%a) = %a, expected %a (sweep of %llu inputs)", (double)worst_x, (double)yw,
                 (double)r, (unsigned long long)total);
        FAIL("exp(%a) = %a: %llu ulp from %a (max over a sweep of %llu inputs; limit %u)",
             (double)worst_x, (double)yw, (unsigned long long)worst, (double)r,
             (unsigned long long)total, DML_CHECK_EXP_ULP);
    }
    return 0;
}

/* ------------------------------------------------------------ lse */

typedef struct lse_case {
    const char *tag;
    size_t n;
    const float *s;          /* n entries (guarded) */
    const int32_t *labels;   /* n entries (guarded) or NULL */
    int32_t c;
    size_t skip;
    const dml_lse_side *pos, *neg;
} lse_case;

/* The contract, recomputed: 1 positive, 2 negative, 0 none. */
static int side_of(const lse_case *cs, size_t j)
{
    int32_t lab = cs->labels ? cs->labels[j] : (int32_t)j;
    int k = lab == cs->c ? (j == cs->skip ? 0 : 1) : 2;
    const dml_lse_side *sd = k == 1 ? cs->pos : k == 2 ? cs->neg : NULL;
    if (!sd || !(sd->lo < cs->s[j] && cs->s[j] < sd->hi))
        return 0;
    return k;
}

static int out_close(float o, float r)
{
    if (isnan(r))
        return isnan(o);
    if (isinf(r))
        return o == r;
    return fabsf(o - r) <= 1e-5f * fmaxf(1.0f, fabsf(r));
}

/* Runs the reference and k on one case and compares (see the header). */
static int lse_compare(const dml_kernels *k, const lse_case *cs, char *why, size_t whylen)
{
    const size_t n = cs->n;
    guarded gg;
    float *g = guarded_alloc(&gg, n * sizeof(float));
    float *gr = malloc(n * sizeof(float));
    if (!g || !gr) {
        guarded_free(&gg);
        free(gr);
        FAIL("out of memory");
    }
    for (size_t j = 0; j < n; j++) {
        g[j] = float_of(0x7FC0DEADu); /* "not written" */
        gr[j] = float_of(0x7FC0DEADu);
    }
    float out[2] = { 12345.0f, 12345.0f }, outr[2] = { 12345.0f, 12345.0f };
    size_t cnt_r = dml_lse_f32_ref(cs->s, n, cs->labels, cs->c, cs->skip, cs->pos, cs->neg, outr, gr);
    size_t cnt = k->lse(cs->s, n, cs->labels, cs->c, cs->skip, cs->pos, cs->neg, out, g);

    size_t cnt_e = 0;
    int rc = 1;
    for (size_t j = 0; j < n; j++)
        cnt_e += side_of(cs, j) != 0;
#define LFAIL(...) do { snprintf(why, whylen, __VA_ARGS__); goto done; } while (0)
    if (cnt != cnt_r || cnt != cnt_e)
        LFAIL("%s n=%zu: %s returns %zu members, ref %zu, contract %zu", cs->tag, n,
              dml_isa_name(k->isa), cnt, cnt_r, cnt_e);
    const dml_lse_side *sd[2] = { cs->pos, cs->neg };
    for (int s = 0; s < 2; s++) {
        if (!out_close(out[s], outr[s]))
            LFAIL("%s n=%zu: out[%d] = %.9g, ref %.9g", cs->tag, n, s, (double)out[s],
                  (double)outr[s]);
    }
    for (size_t j = 0; j < n; j++) {
        int m = side_of(cs, j);
        if (!m) {
            if (bits_of(g[j]) != 0 && g[j] != 0.0f)
                LFAIL("%s n=%zu: g[%zu] = %g for a non-member (s = %g), expected 0", cs->tag, n, j,
                      (double)g[j], (double)cs->s[j]);
            continue;
        }
        const dml_lse_side *d = sd[m - 1];
        float r = gr[j];
        if (isnan(r) || isnan(g[j])) {
            if (isnan(r) != isnan(g[j]))
                LFAIL("%s n=%zu: g[%zu] = %g, ref %g", cs->tag, n, j, (double)g[j], (double)r);
            continue;
        }
        double ez = 0x1p-22 * (fabs((double)d->a * cs->s[j]) + fabs((double)d->b) +
                               (isfinite(outr[m - 1]) ? fabs((double)outr[m - 1]) : 0.0));
        double tol = fabs((double)r) * (1e-5 + ez) + 2.0 * FLT_MIN * (1.0 + fabs((double)d->coef));
        if (!(fabs((double)g[j] - (double)r) <= tol))
            LFAIL("%s n=%zu: g[%zu] = %.9g, ref %.9g (tol %.3g; s = %.9g, side %d)", cs->tag, n, j,
                  (double)g[j], (double)r, tol, (double)cs->s[j], m);
    }
    rc = 0;
done:
#undef LFAIL
    guarded_free(&gg);
    free(gr);
    return rc;
}

/* Guarded s and labels for one size; fill them as a check needs. */
typedef struct lse_bufs { guarded gs, gl; float *s; int32_t *lab; size_t n; } lse_bufs;

static int bufs_alloc(lse_bufs *b, size_t n)
{
    b->n = n;
    b->s = guarded_alloc(&b->gs, n * sizeof(float));
    b->lab = guarded_alloc(&b->gl, n * sizeof(int32_t));
    return b->s && b->lab;
}
static void bufs_free(lse_bufs *b)
{
    guarded_free(&b->gs);
    guarded_free(&b->gl);
}

/* Cosine-like similarities in [−1, 1], with a few exact ties. */
static void fill_s(float *s, size_t n, uint64_t *st)
{
    for (size_t j = 0; j < n; j++)
        s[j] = rng_uniform(st, -1.0f, 1.0f);
    if (n > 4)
        s[n / 2] = s[n / 3] = s[1];
}
static void fill_labels(int32_t *lab, size_t n, int32_t C, uint64_t *st)
{
    for (size_t j = 0; j < n; j++)
        lab[j] = (int32_t)(rng_next(st) % (uint64_t)C);
}

static const size_t sizes[] = DML_CHECK_SIZES;
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* Proxy-Anchor–like sides (α, δ) — the common case. */
static dml_lse_side pa_pos(float alpha, float delta, float coef)
{
    return (dml_lse_side){ -alpha, alpha * delta, -INFINITY, INFINITY, coef, 1 };
}
static dml_lse_side pa_neg(float alpha, float delta, float coef)
{
    return (dml_lse_side){ alpha, alpha * delta, -INFINITY, INFINITY, coef, 1 };
}

/* Labels from a C-class batch, both sides LSE⁺. */
static int check_lse_labels(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 100 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        const int32_t Cs[] = { 1, 2, 5, 100 };
        int rc = 0;
        for (int ci = 0; ci < 4 && !rc; ci++) {
            fill_s(b.s, b.n, &st);
            fill_labels(b.lab, b.n, Cs[ci], &st);
            dml_lse_side p = pa_pos(32.0f, 0.1f, -0.5f), q = pa_neg(32.0f, 0.1f, 0.25f);
            lse_case cs = { "labels", b.n, b.s, b.lab, b.lab[b.n / 2], SIZE_MAX, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
            cs.c = Cs[ci]; /* a class absent from the row: no positives */
            if (!rc) { cs.tag = "labels, absent class"; rc = lse_compare(k, &cs, why, whylen); }
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* labels == NULL: label(j) = j (Proxy-NCA's rows: one positive, the rest negative). */
static int check_lse_labels_null(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 200 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        dml_lse_side all = { 32.0f, 0.0f, -INFINITY, INFINITY, 1.0f / 7.0f, 0 };
        dml_lse_side p = pa_pos(16.0f, 0.2f, -1.0f), q = pa_neg(16.0f, 0.2f, 1.0f);
        const int32_t cs_c[] = { 0, (int32_t)(b.n / 2), (int32_t)b.n - 1, (int32_t)b.n, -1 };
        int rc = 0;
        for (int i = 0; i < 5 && !rc; i++) {
            lse_case nca = { "labels NULL, plain LSE, pos NULL", b.n, b.s, NULL, cs_c[i], SIZE_MAX,
                             NULL, &all };
            rc = lse_compare(k, &nca, why, whylen);
            lse_case two = { "labels NULL, two sides", b.n, b.s, NULL, cs_c[i], SIZE_MAX, &p, &q };
            if (!rc) rc = lse_compare(k, &two, why, whylen);
            lse_case inc = { "labels NULL, one plain side over all", b.n, b.s, NULL, cs_c[i],
                             SIZE_MAX, &all, &all };
            if (!rc) rc = lse_compare(k, &inc, why, whylen);
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* skip: at the first, middle and last index, past the row, SIZE_MAX, and at a
 * negative's index (where it must change nothing). */
static int check_lse_skip(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 300 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 4, &st);
        const size_t n = b.n;
        const size_t skips[] = { 0, n / 2, n - 1, n - 1 - n / 3, n, n + 5, SIZE_MAX };
        dml_lse_side p = { -2.0f, 1.0f, -INFINITY, INFINITY, -1.0f / 64, 1 };
        dml_lse_side q = { 50.0f, -25.0f, -INFINITY, INFINITY, 1.0f / 64, 1 };
        int rc = 0;
        for (int i = 0; i < 7 && !rc; i++) {
            size_t sk = skips[i];
            /* Make the skipped index a positive, as in Multi-Similarity. */
            int32_t c = sk < n ? b.lab[sk] : b.lab[0];
            lse_case cs = { "skip (MS row)", n, b.s, b.lab, c, sk, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
            if (!rc && sk < n) { /* skip at a negative: no effect */
                cs.tag = "skip at a negative";
                cs.c = b.lab[sk] + 1;
                rc = lse_compare(k, &cs, why, whylen);
            }
            if (!rc && sk < n) { /* labels NULL, skip = the positive itself */
                lse_case nl = { "skip the only positive, labels NULL", n, b.s, NULL, (int32_t)sk, sk,
                                &p, &q };
                rc = lse_compare(k, &nl, why, whylen);
            }
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* One side NULL, or both. */
static int check_lse_null_side(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 400 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 3, &st);
        dml_lse_side p = pa_pos(32.0f, 0.1f, -0.3f), q = pa_neg(32.0f, 0.1f, 0.3f);
        dml_lse_side pp = p, qq = q;
        pp.plus = 0;
        qq.plus = 0;
        const dml_lse_side *P[] = { NULL, &p, NULL, NULL, &pp, NULL };
        const dml_lse_side *Q[] = { &q, NULL, NULL, &qq, NULL, NULL };
        int rc = 0;
        for (int i = 0; i < 6 && !rc; i++) {
            lse_case cs = { "NULL side", b.n, b.s, b.lab, 1, SIZE_MAX, P[i], Q[i] };
            rc = lse_compare(k, &cs, why, whylen);
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* plus = 0 and 1 on either side, with z mostly below and mostly above 0 (the
 * shift is max(0, max z) only for LSE⁺), and with every z below −88, where
 * LSE⁺ ≈ 0 and shifting by max z instead of 0 would overflow exp(−shift). */
static int check_lse_plus_modes(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 500 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 5, &st);
        int rc = 0;
        const float offs[] = { -40.0f, 0.0f, 30.0f, -150.0f };
        for (int m = 0; m < 4 && !rc; m++) {
            for (int o = 0; o < 4 && !rc; o++) {
                dml_lse_side p = { -8.0f, offs[o], -INFINITY, INFINITY, -0.125f, m & 1 };
                dml_lse_side q = { 12.0f, offs[o], -INFINITY, INFINITY, 0.5f, (m >> 1) & 1 };
                lse_case cs = { "plus modes", b.n, b.s, b.lab, b.lab[0], SIZE_MAX, &p, &q };
                rc = lse_compare(k, &cs, why, whylen);
            }
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* Scales up to α = 200: z reaches ~220 and a naive float exp overflows. */
static int check_lse_large_alpha(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 600 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 4, &st);
        b.s[0] = 1.0f;
        b.s[b.n - 1] = -1.0f;
        int rc = 0;
        const float alphas[] = { 64.0f, 128.0f, 200.0f };
        for (int ai = 0; ai < 3 && !rc; ai++) {
            for (int plus = 0; plus <= 1 && !rc; plus++) {
                float al = alphas[ai];
                dml_lse_side p = pa_pos(al, 0.1f, -al / 10), q = pa_neg(al, 0.1f, al / 4);
                p.plus = q.plus = plus;
                lse_case cs = { "large alpha (Proxy-Anchor)", b.n, b.s, b.lab, b.lab[0], SIZE_MAX,
                                &p, &q };
                rc = lse_compare(k, &cs, why, whylen);
                /* Multi-Similarity with β = α: z = β (s − λ). */
                dml_lse_side mp = { -al, al * 0.5f, -INFINITY, INFINITY, -0.01f, plus };
                dml_lse_side mq = { al, -al * 0.5f, -INFINITY, INFINITY, 0.01f, plus };
                lse_case ms = { "large alpha (MS)", b.n, b.s, b.lab, b.lab[1 % b.n], 1, &mp, &mq };
                if (!rc) rc = lse_compare(k, &ms, why, whylen);
            }
        }
        /* Every output finite at α = 200 (nothing overflowed). */
        if (!rc) {
            dml_lse_side p = pa_pos(200.0f, 0.1f, -1.0f), q = pa_neg(200.0f, 0.1f, 1.0f);
            float out[2];
            guarded gg;
            float *g = guarded_alloc(&gg, b.n * sizeof(float));
            if (!g) { bufs_free(&b); FAIL("out of memory"); }
            k->lse(b.s, b.n, b.lab, b.lab[0], SIZE_MAX, &p, &q, out, g);
            for (size_t j = 0; j < b.n && !rc; j++) {
                if (!isfinite(g[j])) {
                    snprintf(why, whylen, "alpha 200 n=%zu: g[%zu] = %g (overflow)", b.n, j,
                             (double)g[j]);
                    rc = 1;
                }
            }
            if (!rc && !(isfinite(out[0]) && isfinite(out[1]))) {
                snprintf(why, whylen, "alpha 200 n=%zu: out = %g %g (overflow)", b.n,
                         (double)out[0], (double)out[1]);
                rc = 1;
            }
            guarded_free(&gg);
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* Multi-Similarity mining: lo < s < hi with finite bounds, including entries
 * exactly at a bound (strict: not members). */
static int check_lse_bounds(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 700 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 3, &st);
        int rc = 0;
        for (int t = 0; t < 6 && !rc; t++) {
            float lo_p = -INFINITY, hi_p = rng_uniform(&st, -0.5f, 1.0f);
            float lo_n = rng_uniform(&st, -1.0f, 0.5f), hi_n = INFINITY;
            if (t >= 3) { /* both bounds finite on both sides */
                lo_p = rng_uniform(&st, -1.0f, 0.0f);
                hi_n = rng_uniform(&st, 0.0f, 1.0f);
            }
            for (size_t j = 0; j < b.n; j += 5) /* entries sitting on the bounds */
                b.s[j] = (j / 5) % 4 == 0 ? lo_p : (j / 5) % 4 == 1 ? hi_p
                       : (j / 5) % 4 == 2 ? lo_n : hi_n;
            for (size_t j = 0; j < b.n; j++)
                if (isinf(b.s[j])) b.s[j] = 0.25f;
            dml_lse_side p = { -2.0f, 1.0f, lo_p, hi_p, -0.1f, 1 };
            dml_lse_side q = { 50.0f, -25.0f, lo_n, hi_n, 0.1f, t & 1 };
            lse_case cs = { "mining bounds", b.n, b.s, b.lab, b.lab[b.n - 1], b.n - 1, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
        }
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* Rows with no member on a side: LSE⁺ gives 0, plain LSE −inf, weights 0. */
static int check_lse_empty(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 800 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        for (size_t j = 0; j < b.n; j++) b.lab[j] = 3;
        guarded gg;
        float *g = guarded_alloc(&gg, b.n * sizeof(float));
        if (!g) { bufs_free(&b); FAIL("out of memory"); }
        int rc = 0;
        for (int plus = 0; plus <= 1 && !rc; plus++) {
            const float want = plus ? 0.0f : -INFINITY;
            dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
            p.plus = q.plus = plus;
            /* (a) no label equals c: the positive side is empty */
            lse_case cs = { "no positives", b.n, b.s, b.lab, 2, SIZE_MAX, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
            float out[2] = { 7.0f, 7.0f };
            size_t cnt = rc ? 0 : k->lse(b.s, b.n, b.lab, 2, SIZE_MAX, &p, &q, out, g);
            if (!rc && (cnt != b.n || out[0] != want))
                { snprintf(why, whylen, "no positives, plus=%d n=%zu: out[0] = %g, count %zu", plus,
                           b.n, (double)out[0], cnt); rc = 1; }
            /* (b) the bounds exclude every entry: both sides empty */
            dml_lse_side pe = p, qe = q;
            pe.lo = qe.lo = 2.0f;
            pe.hi = qe.hi = 3.0f;
            lse_case ce = { "bounds exclude all", b.n, b.s, b.lab, 3, SIZE_MAX, &pe, &qe };
            if (!rc) rc = lse_compare(k, &ce, why, whylen);
            for (size_t j = 0; j < b.n; j++) g[j] = NAN;
            out[0] = out[1] = 7.0f;
            cnt = rc ? 0 : k->lse(b.s, b.n, b.lab, 3, SIZE_MAX, &pe, &qe, out, g);
            if (!rc && (cnt != 0 || out[0] != want || out[1] != want))
                { snprintf(why, whylen, "fully masked, plus=%d n=%zu: out = %g %g, count %zu", plus,
                           b.n, (double)out[0], (double)out[1], cnt); rc = 1; }
            for (size_t j = 0; j < b.n && !rc; j++)
                if (g[j] != 0.0f)
                    { snprintf(why, whylen, "fully masked n=%zu: g[%zu] = %g", b.n, j, (double)g[j]);
                      rc = 1; }
            /* (c) the only positive is skipped, and labels == c everywhere else is absent */
            lse_case cs1 = { "only positive skipped", b.n, b.s, b.lab, 3, b.n / 2, &p, NULL };
            for (size_t j = 0; j < b.n; j++) b.lab[j] = j == b.n / 2 ? 3 : 4;
            if (!rc) rc = lse_compare(k, &cs1, why, whylen);
            for (size_t j = 0; j < b.n; j++) b.lab[j] = 3;
        }
        /* (d) an empty row, n = 0 */
        if (!rc) {
            dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
            q.plus = 0;
            float out[2] = { 7.0f, 7.0f };
            size_t cnt = k->lse(b.s, 0, b.lab, 3, SIZE_MAX, &p, &q, out, g);
            if (cnt != 0 || out[0] != 0.0f || out[1] != -INFINITY)
                { snprintf(why, whylen, "n = 0: out = %g %g (want 0 -inf), count %zu",
                           (double)out[0], (double)out[1], cnt); rc = 1; }
        }
        guarded_free(&gg);
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* ±inf and NaN similarities: never members (NaN fails lo < s < hi; ±inf is
 * not strictly inside the bounds, infinite or not); the rest of the row is
 * unaffected. */
static int check_lse_nonfinite(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 900 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        fill_s(b.s, b.n, &st);
        fill_labels(b.lab, b.n, 3, &st);
        const float bad[] = { NAN, INFINITY, -INFINITY, -NAN };
        for (size_t j = 0; j < b.n; j++)
            if (j % 7 == 3 || j == 0) b.s[j] = bad[(j / 7) % 4];
        int rc = 0;
        for (int t = 0; t < 4 && !rc; t++) {
            dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
            p.plus = t & 1;
            if (t >= 2) { p.hi = 0.9f; q.lo = -0.9f; }
            lse_case cs = { "non-finite s", b.n, b.s, b.lab, b.lab[b.n - 1], SIZE_MAX, &p, &q };
            rc = lse_compare(k, &cs, why, whylen);
            lse_case cn = { "non-finite s, labels NULL", b.n, b.s, NULL, (int32_t)(b.n / 2),
                            SIZE_MAX, &p, &q };
            if (!rc) rc = lse_compare(k, &cn, why, whylen);
        }
        /* A row of nothing but NaN and inf: no member at all. */
        for (size_t j = 0; j < b.n && !rc; j++) b.s[j] = bad[j % 4];
        dml_lse_side p = pa_pos(32.0f, 0.1f, -1.0f), q = pa_neg(32.0f, 0.1f, 1.0f);
        q.plus = 0;
        lse_case ca = { "all non-finite", b.n, b.s, b.lab, 1, SIZE_MAX, &p, &q };
        if (!rc) rc = lse_compare(k, &ca, why, whylen);
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

/* The LSE kernels' own exponentials (not dml_exp: the SIMD kernels run a
 * variant that flushes would-be-subnormal results) held to the same ulp bound.
 * One plain side with z = s (a = 1, b = 0), every entry a member and the max
 * z = 0, so shift = 0, e_j = exp(s_j) and g_j = fl(e_j · scale) with
 * g_max = scale exactly: g_j / g_max is exp(s_j) within 2 ulp of the exp and
 * half an ulp of the product.  s_j ∈ [−80, 0] keeps every weight normal. */
static int check_lse_exp_accuracy(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        uint64_t st = 1000 + si;
        if (!bufs_alloc(&b, sizes[si])) { bufs_free(&b); FAIL("out of memory"); }
        guarded gg;
        float *g = guarded_alloc(&gg, b.n * sizeof(float));
        if (!g) { bufs_free(&b); FAIL("out of memory"); }
        const size_t top = (b.n * 7) / 11;
        for (size_t j = 0; j < b.n; j++)
            b.s[j] = j == top ? 0.0f : rng_uniform(&st, -80.0f, 0.0f);
        dml_lse_side one = { 1.0f, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
        float out[2];
        size_t cnt = k->lse(b.s, b.n, NULL, -1, SIZE_MAX, NULL, &one, out, g);
        int rc = 0;
        if (cnt != b.n) {
            snprintf(why, whylen, "exp accuracy n=%zu: %zu members, expected %zu", b.n, cnt, b.n);
            rc = 1;
        }
        for (size_t j = 0; j < b.n && !rc; j++) {
            double want = exp((double)b.s[j]), got = (double)g[j] / (double)g[top];
            if (!(fabs(got - want) <= 3.0 * 0x1p-23 * want)) {
                snprintf(why, whylen, "exp accuracy n=%zu: g[%zu]/g[max] = %.9g, exp(%.9g) = %.9g "
                         "(%.2g relative, limit %.2g)", b.n, j, got, (double)b.s[j], want,
                         fabs(got - want) / want, 3.0 * 0x1p-23);
                rc = 1;
            }
        }
        guarded_free(&gg);
        bufs_free(&b);
        if (rc) return 1;
    }
    return 0;
}

const dml_check dml_lse_checks[] = {
    { "exp_special", check_exp_special },
    { "exp_sweep", check_exp_sweep },
    { "lse_labels", check_lse_labels },
    { "lse_labels_null", check_lse_labels_null },
    { "lse_skip", check_lse_skip },
    { "lse_null_side", check_lse_null_side },
    { "lse_plus_modes", check_lse_plus_modes },
    { "lse_large_alpha", check_lse_large_alpha },
    { "lse_bounds", check_lse_bounds },
    { "lse_empty", check_lse_empty },
    { "lse_nonfinite", check_lse_nonfinite },
    { "lse_exp_accuracy", check_lse_exp_accuracy },
    { NULL, NULL },
};
