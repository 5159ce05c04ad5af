/* check_lse_bits.c — the masked LSE kernel and the vector exp of each ISA,
 * pinned bit for bit.
 *
 * check_lse.c holds every ISA to the reference within a tolerance; that
 * cannot see a refactor that moves a result by one ulp.  Here each group of
 * cases (sizes with every tail, plain LSE, mining bounds, one side, large α
 * with its flushed underflows, non-finite inputs, the exp sweep) is reduced to
 * one FNV-1a hash over every output bit (count, out[2], g) and compared with
 * the hash the kernels gave when they were pinned (the three-copies code
 * before the one LSE driver, kernels/lse/lse_driver.h).  The hashes are per
 * ISA (the lane count changes the order of the sums) and per architecture
 * (the reference calls the C library's expf, whose code the two differ in).  A deliberate change of
 * the kernels' arithmetic re-pins them: the failing line prints the new
 * hashes of the ISA in the table's own form. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "dml_kernels.h"

enum { G_SIZES, G_PLAIN, G_BOUNDS, G_ONESIDE, G_ALPHA, G_SPECIAL, G_EXP, N_GROUPS };
static const char *const group_names[N_GROUPS] = { "sizes",  "plain",   "bounds", "oneside",
                                                   "alpha", "special", "exp" };

/* Recorded from the kernels before the driver (commit 8a9890d), by this file. */
static const struct {
    const char *isa;
    uint64_t h[N_GROUPS];
} pinned[] = {
    { "x86_64 ref",
      { 0xdf47714060b6ab9d, 0x9d456737cfd14622, 0xe8d046f4a98ab92f, 0x8ebc82e978821569,
        0x44b7330a3a41f487, 0xec0412c1a0755220, 0xf104d20d5e84bb02 } },
    { "x86_64 avx2",
      { 0x70596f2ad84fcc1b, 0x7097ca3454fcb1ec, 0x3caad34f1d654b88, 0xe8cc03913ca770ec,
        0x1afddc5dd697269f, 0x8b379caa9dd89144, 0x627bff08fead9ae9 } },
    { "x86_64 avx512",
      { 0x659eda38eb34de23, 0x43dd8612eda593af, 0x99b236b8a12f7f05, 0xc03fa8ee0acf6f76,
        0xfa097d4d20a09f7f, 0x9ed34547001521f5, 0x627bff08fead9ae9 } },
    { "aarch64 ref",
      { 0xdf47714060b6ab9d, 0x9d456737cfd14622, 0xe8d046f4a98ab92f, 0x8ebc82e978821569,
        0x44b7330a3a41f487, 0x7b65c237018bafa0, 0xf104d20d5e84bb02 } },
    { "aarch64 neon",
      { 0x93a4c97d051180fa, 0x47f589892a04e865, 0x7d01c521c31e7242, 0x9e7589bb30de7624,
        0xb1fc14cad7167084, 0x6a183bf3017cd4d4, 0x627bff08fead9ae9 } },
};

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 0x100000001B3ull;
}

static uint64_t rng = 0x243F6A8885A308D3ull;
static float uniform(float lo, float hi)
{ /* xorshift64*: deterministic, so the inputs are the same at every run */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return lo + (hi - lo) * (float)((double)((rng * 0x2545F4914F6CDD1Dull) >> 40) * 0x1p-24);
}

/* One LSE call on s[0..n) (labels in [0, 4), or NULL: labels[j] = j), its
 * outputs folded into *h. */
static void hash_lse(const dml_kernels *k, uint64_t *h, const float *s, size_t n,
                     const int32_t *labels, int32_t c, size_t skip, const dml_lse_side *pos,
                     const dml_lse_side *neg, float *g)
{
    float out[2] = { 0.0f, 0.0f };
    uint64_t count = k->lse(s, n, labels, c, skip, pos, neg, out, g);
    fnv(h, &count, sizeof count);
    fnv(h, out, sizeof out);
    fnv(h, g, n * sizeof *g);
}

typedef struct lse_buf {
    float *s, *g;
    int32_t *lab;
} lse_buf;

static void fill(lse_buf *b, size_t n, float amp)
{
    for (size_t j = 0; j < n; j++) {
        b->s[j] = uniform(-amp, amp);
        b->lab[j] = (int32_t)(uniform(0.0f, 4.0f)) & 3;
    }
}

/* Every size 1..70 and the long ones, both sides LSE⁺ (Proxy-Anchor's form). */
static void group_sizes(const dml_kernels *k, lse_buf *b, uint64_t *h, float a, int plus,
                        int use_labels)
{
    static const size_t longs[] = { 97, 255, 1000, 1023 };
    dml_lse_side pos = { -a, a * 0.1f, -INFINITY, INFINITY, 1.0f, plus };
    dml_lse_side neg = { a, a * 0.1f, -INFINITY, INFINITY, -0.5f, plus };
    for (size_t i = 0; i < 70 + 4; i++) {
        size_t n = i < 70 ? i + 1 : longs[i - 70];
        fill(b, n, 1.0f);
        int32_t c = use_labels ? 1 : (int32_t)(n / 3);
        hash_lse(k, h, b->s, n, use_labels ? b->lab : NULL, c, use_labels ? n / 2 : (size_t)c,
                 &pos, &neg, b->g);
    }
}

static void group_bounds(const dml_kernels *k, lse_buf *b, uint64_t *h)
{ /* Multi-Similarity's mining: members only inside (lo, hi) */
    dml_lse_side pos = { -2.0f, 1.0f, -INFINITY, 0.4f, 0.5f, 1 };
    dml_lse_side neg = { 40.0f, -20.0f, -0.3f, INFINITY, 0.025f, 1 };
    for (size_t n = 1; n <= 70; n++) {
        fill(b, n, 1.0f);
        hash_lse(k, h, b->s, n, b->lab, 2, n - 1, &pos, &neg, b->g);
    }
}

static void group_oneside(const dml_kernels *k, lse_buf *b, uint64_t *h)
{
    dml_lse_side sd = { 16.0f, -1.0f, -INFINITY, INFINITY, 1.0f, 0 };
    for (size_t n = 1; n <= 70; n++) {
        fill(b, n, 1.0f);
        hash_lse(k, h, b->s, n, b->lab, 0, (size_t)-1, &sd, NULL, b->g);
        hash_lse(k, h, b->s, n, b->lab, 3, 0, NULL, &sd, b->g);
    }
}

/* Non-finite similarities, rows where nothing is a member, skip in the tail. */
static void group_special(const dml_kernels *k, lse_buf *b, uint64_t *h)
{
    static const float odd[] = { NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-40f, 3.0e38f };
    dml_lse_side pos = { 32.0f, -3.2f, -INFINITY, INFINITY, 1.0f, 1 };
    dml_lse_side neg = { 32.0f, 3.2f, -INFINITY, INFINITY, 1.0f, 0 };
    for (size_t n = 1; n <= 40; n++) {
        fill(b, n, 1.0f);
        for (size_t j = n % 3; j < n; j += 5)
            b->s[j] = odd[(j + n) % 7];
        hash_lse(k, h, b->s, n, b->lab, 1, n - 1, &pos, &neg, b->g);
        hash_lse(k, h, b->s, n, b->lab, 7, 0, &pos, &neg, b->g); /* no positive */
        for (size_t j = 0; j < n; j++)
            b->lab[j] = 1;
        hash_lse(k, h, b->s, n, b->lab, 1, n / 2, &pos, &neg, b->g); /* no negative */
    }
}

/* The exp kernel over every 9973rd bit pattern, in calls of odd lengths. */
static void group_exp(const dml_kernels *k, uint64_t *h, float *x, float *y)
{
    uint32_t u = 0;
    size_t len = 1;
    while (u < 0xFFFFFFFFu - 1024u * 9973u) {
        for (size_t j = 0; j < len; j++, u += 9973u)
            memcpy(&x[j], &u, sizeof u);
        k->exp(x, len, y);
        fnv(h, y, len * sizeof *y);
        len = len % 1000 + 7; /* 7 … 1006, every tail length */
    }
}

static void hash_all(const dml_kernels *k, uint64_t h[N_GROUPS], lse_buf *b, float *y)
{
    for (int i = 0; i < N_GROUPS; i++)
        h[i] = 0xCBF29CE484222325ull;
    rng = 0x243F6A8885A308D3ull;
    group_sizes(k, b, &h[G_SIZES], 16.0f, 1, 1);
    group_sizes(k, b, &h[G_PLAIN], 10.0f, 0, 0);
    group_bounds(k, b, &h[G_BOUNDS]);
    group_oneside(k, b, &h[G_ONESIDE]);
    group_sizes(k, b, &h[G_ALPHA], 200.0f, 1, 1);
    group_sizes(k, b, &h[G_ALPHA], 64.0f, 0, 1);
    group_special(k, b, &h[G_SPECIAL]);
    group_exp(k, &h[G_EXP], b->s, y);
}

static int check_lse_bits(const dml_kernels *k, char *why, size_t whylen)
{
#if defined(__x86_64__)
    const char *arch = "x86_64";
#elif defined(__aarch64__)
    const char *arch = "aarch64";
#else
    const char *arch = "other";
#endif
    /* An ISA that inherits its LSE from a parent row (dml_kernels.h) has the
     * parent's bits: pinned under the first ISA whose table holds this lse. */
    dml_isa owner = k->isa;
    for (int i = DML_ISA_COUNT - 1; i >= 0; i--) {
        const dml_kernels *o = dml_kernels_for((dml_isa)i);
        if (o && o->lse == k->lse && o->exp == k->exp)
            owner = (dml_isa)i;
    }
    char isa[64];
    snprintf(isa, sizeof isa, "%s %s", arch, dml_isa_name(owner));
    lse_buf b = { malloc(1024 * sizeof(float)), malloc(1024 * sizeof(float)),
                  malloc(1024 * sizeof(int32_t)) };
    float *y = malloc(1024 * sizeof(float));
    uint64_t h[N_GROUPS];
    int bad = !b.s || !b.g || !b.lab || !y;
    if (!bad)
        hash_all(k, h, &b, y);
    free(b.s), free(b.g), free(b.lab), free(y);
    if (bad) {
        snprintf(why, whylen, "out of memory");
        return 1;
    }
    for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
        if (strcmp(pinned[i].isa, isa) != 0)
            continue;
        for (int gi = 0; gi < N_GROUPS; gi++) {
            if (h[gi] == pinned[i].h[gi])
                continue;
            snprintf(why, whylen,
                     "%s: group %s differs from its pinned bits; this build's: { \"%s\", { "
                     "0x%016llx, 0x%016llx, 0x%016llx, 0x%016llx, 0x%016llx, 0x%016llx, "
                     "0x%016llx } }",
                     isa, group_names[gi], isa, (unsigned long long)h[0],
                     (unsigned long long)h[1], (unsigned long long)h[2],
                     (unsigned long long)h[3], (unsigned long long)h[4],
                     (unsigned long long)h[5], (unsigned long long)h[6]);
            return 1;
        }
        return 0;
    }
    snprintf(why, whylen, "%s: no pinned bits for this ISA (add its row)", isa);
    return 1;
}

const dml_check dml_lse_bits_checks[] = {
    { "bits_pinned", check_lse_bits },
    { NULL, NULL },
};
