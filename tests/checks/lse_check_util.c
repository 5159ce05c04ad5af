/* lse_check_util.c — the helpers of the lse/exp checks (check_lse_*.c), and
 * the one place that says what "agrees" means for them.
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
#include <float.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lse_check_util.h"

void *guarded_alloc(guarded *gm, size_t bytes)
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
void guarded_free(guarded *gm)
{
    if (gm->base)
        munmap(gm->base, gm->len);
    gm->base = NULL;
}

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
int lse_compare(const dml_kernels *k, const lse_case *cs, char *why, size_t whylen)
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

int bufs_alloc(lse_bufs *b, size_t n)
{
    b->n = n;
    b->s = guarded_alloc(&b->gs, n * sizeof(float));
    b->lab = guarded_alloc(&b->gl, n * sizeof(int32_t));
    return b->s && b->lab;
}
void bufs_free(lse_bufs *b)
{
    guarded_free(&b->gs);
    guarded_free(&b->gl);
}

int lse_each_size(const dml_kernels *k, uint64_t seed0, int32_t fill, lse_body body, char *why,
                  size_t whylen)
{
    for (size_t si = 0; si < NSIZES; si++) {
        lse_bufs b;
        if (!bufs_alloc(&b, sizes[si])) {
            bufs_free(&b);
            FAIL("out of memory");
        }
        b.st = seed0 + si;
        if (fill >= LSE_FILL_S)
            fill_s(b.s, b.n, &b.st);
        if (fill > LSE_FILL_S)
            fill_labels(b.lab, b.n, fill, &b.st);
        int rc = body(k, &b, why, whylen);
        bufs_free(&b);
        if (rc)
            return 1;
    }
    return 0;
}

/* Cosine-like similarities in [−1, 1], with a few exact ties. */
void fill_s(float *s, size_t n, uint64_t *st)
{
    for (size_t j = 0; j < n; j++)
        s[j] = rng_uniform(st, -1.0f, 1.0f);
    if (n > 4)
        s[n / 2] = s[n / 3] = s[1];
}
void fill_labels(int32_t *lab, size_t n, int32_t C, uint64_t *st)
{
    for (size_t j = 0; j < n; j++)
        lab[j] = (int32_t)(rng_next(st) % (uint64_t)C);
}
