/* check_lse_exp.c — the exponentials: the vector exp of one ISA against a
 * double-precision exp (its special values, a dense sweep of the bit
 * patterns), and the LSE kernels' own exponentials to the same bound.
 * Tolerances: lse_check_util.c. */
#include <float.h>
#include <stdlib.h>

#include "lse_check_util.h"

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

int check_exp_special(const dml_kernels *k, char *why, size_t whylen)
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
int check_exp_sweep(const dml_kernels *k, char *why, size_t whylen)
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

/* The LSE kernels' own exponentials (not dml_exp: the SIMD kernels run a
 * variant that flushes would-be-subnormal results) held to the same ulp bound.
 * One plain side with z = s (a = 1, b = 0), every entry a member and the max
 * z = 0, so shift = 0, e_j = exp(s_j) and g_j = fl(e_j · scale) with
 * g_max = scale exactly: g_j / g_max is exp(s_j) within 2 ulp of the exp and
 * half an ulp of the product.  s_j ∈ [−80, 0] keeps every weight normal. */
static int lse_exp_accuracy_body(const dml_kernels *k, lse_bufs *b, char *why, size_t whylen)
{
    guarded gg;
    float *g = guarded_alloc(&gg, b->n * sizeof(float));
    if (!g) FAIL("out of memory");
    const size_t top = (b->n * 7) / 11;
    for (size_t j = 0; j < b->n; j++)
        b->s[j] = j == top ? 0.0f : rng_uniform(&b->st, -80.0f, 0.0f);
    dml_lse_side one = { 1.0f, 0.0f, -INFINITY, INFINITY, 1.0f, 0 };
    float out[2];
    size_t cnt = k->lse(b->s, b->n, NULL, -1, SIZE_MAX, NULL, &one, out, g);
    int rc = 0;
    if (cnt != b->n) {
        snprintf(why, whylen, "exp accuracy n=%zu: %zu members, expected %zu", b->n, cnt, b->n);
        rc = 1;
    }
    for (size_t j = 0; j < b->n && !rc; j++) {
        double want = exp((double)b->s[j]), got = (double)g[j] / (double)g[top];
        if (!(fabs(got - want) <= 3.0 * 0x1p-23 * want)) {
            snprintf(why, whylen, "exp accuracy n=%zu: g[%zu]/g[max] = %.9g, exp(%.9g) = %.9g "
                     "(%.2g relative, limit %.2g)", b->n, j, got, (double)b->s[j], want,
                     fabs(got - want) / want, 3.0 * 0x1p-23);
            rc = 1;
        }
    }
    guarded_free(&gg);
    return rc;
}

/* Name, first seed (fixed, so a failure reproduces), and the body fills s. */
LSE_SIZED_CHECK(lse_exp_accuracy, 1000, LSE_FILL_NONE)
