/* check_sampled.c — sampled proxies (proxy_sample r < 1) for one ISA's
 * kernels, fused and unfused, on one and two threads.
 *
 * Free of Criterion, like the other shared checks: test_sampled.c and the
 * standalone driver under qemu (make test-neon, make test-haswell) walk
 * dml_sample_checks[].
 *
 * What must hold, for Proxy-Anchor and Proxy-NCA (with and without the
 * positive in the denominator):
 *   - the sampled step is the library's step on the gathered sub-problem,
 *     bit for bit: the test gathers the sampled rows of P itself, renumbers
 *     the labels itself, runs a context made for those n classes, and wants
 *     the same loss, the same ∂L/∂X, those rows of ∂L/∂P and zero in every
 *     other row, and the same gradient statistics;
 *   - the loss equals the definition (docs/losses.md) evaluated in double over
 *     the sampled classes only, to the golden tolerance (1e-5 relative);
 *   - the sample holds every class of the batch, max(ceil(r·C), positives)
 *     classes, increasing, and is what dml_proxy_sample gives for its seed;
 *   - r = 1 is the unsampled step, and an r whose ceil(r·C) is C (every
 *     class sampled, through the gather and the scatter) gives its bits;
 *   - the in-step SGD update (dml_loss_step_sgd) is the step then P −= lr·dP,
 *     the rows not sampled untouched. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

typedef struct scase {
    dml_loss loss;
    int include_positive;
    size_t M, C, D, classes; /* labels over the first `classes` classes, spread */
    float r;
} scase;

typedef struct sbuf {
    float *X, *P, *dX, *dP, *P2, *dX2, *dP2;
    int32_t *y, *y2, *idx;
    unsigned char *mark;
} sbuf;

static float *ratio_of(dml_params *p)
{
    return p->loss == DML_LOSS_PROXY_NCA ? &p->u.nca.proxy_sample : &p->u.pa.proxy_sample;
}

static dml_params params_of(const scase *c, float r)
{
    dml_params p = dml_params_default(c->loss);
    if (c->loss == DML_LOSS_PROXY_NCA) p.u.nca.include_positive = c->include_positive;
    *ratio_of(&p) = r;
    return p;
}

static float noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(*s >> 40) / (double)(1u << 24)) - 0.5f;
}

static int sbuf_alloc(sbuf *b, const scase *c)
{
    size_t MD = c->M * c->D, CD = c->C * c->D;
    b->X = malloc(MD * 4), b->dX = malloc(MD * 4), b->dX2 = malloc(MD * 4);
    b->P = malloc(CD * 4), b->dP = malloc(CD * 4), b->P2 = malloc(CD * 4), b->dP2 = malloc(CD * 4);
    b->y = malloc(c->M * 4), b->y2 = malloc(c->M * 4), b->idx = malloc(c->C * 4);
    b->mark = malloc(c->C);
    if (!(b->X && b->dX && b->dX2 && b->P && b->dP && b->P2 && b->dP2 && b->y && b->y2 && b->idx && b->mark))
        return 1;
    uint64_t s = c->M * 31 + c->C * 7 + c->D;
    for (size_t i = 0; i < MD; i++) b->X[i] = noise(&s);
    for (size_t i = 0; i < CD; i++) b->P[i] = noise(&s), b->dP[i] = 7.0f; /* a zero row must be written */
    for (size_t i = 0; i < c->M; i++) b->y[i] = (int32_t)((i * 7 + 3) % c->classes * (c->C / c->classes));
    return 0;
}

static void sbuf_free(sbuf *b)
{
    free(b->X), free(b->dX), free(b->dX2), free(b->P), free(b->dP), free(b->P2), free(b->dP2);
    free(b->y), free(b->y2), free(b->idx), free(b->mark);
}

/* One step of params p on (C classes, P, y) into L, dX, dP and gs. */
static int step(const dml_kernels *k, const dml_params *p, size_t M, size_t C, size_t D,
                int threads, int fused, uint64_t seed, const float *P, const int32_t *y,
                const float *X, float *L, float *dX, float *dP, dml_gradstats *gs,
                int32_t *idx, size_t *n, uint64_t *used, char *why, size_t whylen)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create_for(p, M, C, D, k->isa, threads, &st);
    if (ctx && (st = dml_ctx_set_fused(ctx, fused)) == DML_OK && (st = dml_ctx_set_sample_seed(ctx, seed)) == DML_OK &&
        (st = dml_ctx_set_gradstats(ctx, 1)) == DML_OK && /* a fused step gathers them as it sweeps */
        (st = dml_loss_step(ctx, p, X, y, P, L, dX, dP)) == DML_OK)
        st = dml_ctx_gradstats(ctx, dX, dP, gs);
    if (st == DML_OK && idx) {
        const int32_t *got;
        *n = dml_ctx_sample(ctx, &got, used);
        memcpy(idx, got, *n * sizeof *got);
    }
    if (st != DML_OK) snprintf(why, whylen, "%s C=%zu: step: %s", dml_loss_name(p->loss), C, dml_last_error());
    dml_ctx_destroy(ctx);
    return st != DML_OK;
}

/* The loss over the sampled classes, in double, from its definition. */
static double loss_on(const scase *c, const sbuf *b, const int32_t *idx, size_t n)
{
    const size_t M = c->M, D = c->D;
    double *S = malloc(M * n * sizeof *S), L = 0;
    if (!S) return NAN;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < n; j++) {
            const float *x = b->X + i * D, *p = b->P + (size_t)idx[j] * D;
            double xx = 0, pp = 0, xp = 0;
            for (size_t d = 0; d < D; d++) xx += (double)x[d] * x[d], pp += (double)p[d] * p[d], xp += (double)x[d] * p[d];
            S[i * n + j] = xp / (fmax(sqrt(xx), 1e-12) * fmax(sqrt(pp), 1e-12));
        }
    dml_params q = params_of(c, 1);
    if (c->loss == DML_LOSS_PROXY_ANCHOR) {
        double a = q.u.pa.alpha, dl = q.u.pa.delta, pos = 0, neg = 0;
        size_t npos = 0;
        for (size_t j = 0; j < n; j++) {
            double sp = 0, sn = 0;
            int has = 0;
            for (size_t i = 0; i < M; i++) {
                if (b->y[i] == idx[j]) sp += exp(-a * (S[i * n + j] - dl)), has = 1;
                else sn += exp(a * (S[i * n + j] + dl));
            }
            pos += has ? log1p(sp) : 0, npos += (size_t)has, neg += log1p(sn);
        }
        L = pos / (double)npos + neg / (double)n;
    } else {
        double s = q.u.nca.scale;
        for (size_t i = 0; i < M; i++) {
            double sum = 0, sy = 0;
            for (size_t j = 0; j < n; j++) {
                if (idx[j] == b->y[i]) sy = S[i * n + j];
                if (idx[j] != b->y[i] || c->include_positive) sum += exp(s * S[i * n + j]);
            }
            L += (-s * sy + log(sum)) / (double)M;
        }
    }
    free(S);
    return L;
}

/* The sample against the rule: increasing, every class of y, its size, and
 * dml_proxy_sample's draw for the seed the step used. */
static int check_rule(const scase *c, sbuf *b, const int32_t *idx, size_t n, uint64_t used,
                      char *why, size_t whylen)
{
    size_t want = dml_proxy_sample_count(c->C, c->r), npos = 0;
    memset(b->mark, 0, c->C);
    for (size_t i = 0; i < c->M; i++) npos += !b->mark[b->y[i]], b->mark[b->y[i]] = 1;
    for (size_t j = 0; j < n; j++) b->mark[idx[j]] = b->mark[idx[j]] ? 2 : 3;
    int bad = n != (want > npos ? want : npos);
    for (size_t j = 1; j < n; j++) bad |= idx[j] <= idx[j - 1];
    for (size_t q = 0; q < c->C; q++) bad |= b->mark[q] == 1; /* a positive left out */
    int32_t *again = malloc(c->C * sizeof *again);
    size_t n2 = again ? dml_proxy_sample(b->y, c->M, c->C, c->r, used, b->mark, again) : 0;
    bad |= n2 != n || (n && memcmp(again, idx, n * sizeof *idx));
    free(again);
    if (bad) snprintf(why, whylen, "%s C=%zu r=%g: sample of %zu breaks the rule (want %zu, %zu positives, redrawn %zu)",
                      dml_loss_name(c->loss), c->C, (double)c->r, n, want, npos, n2);
    return bad;
}

/* The sub-problem gathered by hand: rows idx of P into P2, labels renumbered. */
static void gather(const scase *c, sbuf *b, const int32_t *idx, size_t n)
{
    for (size_t j = 0; j < n; j++)
        memcpy(b->P2 + j * c->D, b->P + (size_t)idx[j] * c->D, c->D * sizeof(float));
    for (size_t i = 0; i < c->M; i++)
        for (size_t j = 0; j < n; j++)
            if (idx[j] == b->y[i]) b->y2[i] = (int32_t)j;
}

/* dP of the sampled step: rows idx are dP2's, every other row zero. */
static int dp_scattered(const scase *c, const sbuf *b, const int32_t *idx, size_t n)
{
    size_t j = 0;
    for (size_t q = 0; q < c->C; q++) {
        const float *row = b->dP + q * c->D;
        if (j < n && (size_t)idx[j] == q) {
            if (memcmp(row, b->dP2 + j++ * c->D, c->D * sizeof(float))) return 0;
        } else
            for (size_t d = 0; d < c->D; d++)
                if (row[d] != 0.0f || signbit(row[d])) return 0;
    }
    return 1;
}

static int check_one(const dml_kernels *k, const scase *c, int threads, int fused, char *why,
                     size_t whylen)
{
    sbuf b;
    int bad = 1;
    memset(&b, 0, sizeof b);
    if (sbuf_alloc(&b, c)) { snprintf(why, whylen, "out of memory"); goto done; }
    dml_params p = params_of(c, c->r), full = params_of(c, 1);
    dml_gradstats g1, g2;
    float L1, L2;
    size_t n = 0, n2;
    uint64_t used = 0, seed = 1000003u * c->C + (uint64_t)threads;
    if (step(k, &p, c->M, c->C, c->D, threads, fused, seed, b.P, b.y, b.X, &L1, b.dX, b.dP, &g1,
             b.idx, &n, &used, why, whylen) ||
        check_rule(c, &b, b.idx, n, used, why, whylen))
        goto done;
    gather(c, &b, b.idx, n);
    if (step(k, &full, c->M, n, c->D, threads, fused, 0, b.P2, b.y2, b.X, &L2, b.dX2, b.dP2, &g2,
             NULL, &n2, NULL, why, whylen))
        goto done;
    double def = loss_on(c, &b, b.idx, n);
    const char *what = memcmp(&L1, &L2, sizeof L1) ? "loss"
                       : memcmp(b.dX, b.dX2, c->M * c->D * sizeof(float)) ? "dX"
                       : !dp_scattered(c, &b, b.idx, n) ? "dP"
                       : memcmp(&g1, &g2, sizeof g1) ? "gradient statistics"
                       : !(fabs(L1 - def) <= 1e-5 * fabs(def) + 1e-6) ? "loss against its definition" : NULL;
    bad = what != NULL;
    if (bad)
        snprintf(why, whylen, "%s%s M=%zu C=%zu D=%zu r=%g n=%zu %s, %d thread(s): %s is not the sub-problem's (L %.9g, sub-problem %.9g, definition %.9g)",
                 dml_loss_name(c->loss), c->include_positive ? " (include_positive)" : "", c->M, c->C, c->D,
                 (double)c->r, n, fused ? "fused" : "unfused", threads, what, L1, L2, def);
done:
    sbuf_free(&b);
    return bad;
}

/* Shapes: many blocks at r = 0.1 and 0.3, the batch's classes over ceil(r·C)
 * (n follows the positives), tails in D, M = 1, every class (r = 0.99 at C = 31). */
static const scase cases[] = {
    { DML_LOSS_PROXY_ANCHOR, 0, 65, 1023, 17, 40, 0.1f },  { DML_LOSS_PROXY_ANCHOR, 0, 17, 300, 15, 29, 0.3f },
    { DML_LOSS_PROXY_ANCHOR, 0, 97, 200, 7, 97, 0.05f },   { DML_LOSS_PROXY_ANCHOR, 0, 1, 77, 3, 1, 0.5f },
    { DML_LOSS_PROXY_ANCHOR, 0, 31, 31, 16, 5, 0.99f },    { DML_LOSS_PROXY_NCA, 0, 65, 1023, 17, 40, 0.1f },
    { DML_LOSS_PROXY_NCA, 0, 17, 300, 15, 29, 0.3f },      { DML_LOSS_PROXY_NCA, 1, 97, 200, 7, 97, 0.05f },
    { DML_LOSS_PROXY_NCA, 0, 1, 77, 3, 1, 0.5f },          { DML_LOSS_PROXY_NCA, 1, 31, 31, 16, 5, 0.99f },
};

static int check_sub_problem(const dml_kernels *k, char *why, size_t whylen)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int threads = 1; threads <= 2; threads++)
            for (int fused = 0; fused <= 1; fused++)
                if (check_one(k, &cases[i], threads, fused, why, whylen))
                    return 1;
    return 0;
}

/* r = 1 (the parameter given) and the default give the same bits, and the
 * default is 1: four shapes of the table, each loss with and without the
 * positive, several blocks (kept few: qemu runs this too). */
static int check_ratio_one(const dml_kernels *k, char *why, size_t whylen)
{
    static const size_t some[] = { 1, 4, 6, 9 };
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
        scase c = cases[some[i]];
        sbuf b;
        memset(&b, 0, sizeof b);
        dml_params d = dml_params_default(c.loss), p = params_of(&c, 1.0f);
        if (c.loss == DML_LOSS_PROXY_NCA) d.u.nca.include_positive = c.include_positive;
        dml_gradstats g1, g2;
        float L1, L2;
        int bad = sbuf_alloc(&b, &c) || *ratio_of(&d) != 1.0f ||
                  step(k, &d, c.M, c.C, c.D, 2, 1, 0, b.P, b.y, b.X, &L1, b.dX, b.dP, &g1, NULL, NULL, NULL, why, whylen) ||
                  step(k, &p, c.M, c.C, c.D, 2, 1, 5, b.P, b.y, b.X, &L2, b.dX2, b.dP2, &g2, NULL, NULL, NULL, why, whylen) ||
                  memcmp(&L1, &L2, sizeof L1) || memcmp(b.dX, b.dX2, c.M * c.D * 4) ||
                  memcmp(b.dP, b.dP2, c.C * c.D * 4);
        sbuf_free(&b);
        if (bad) {
            if (!why[0]) snprintf(why, whylen, "%s: proxy_sample = 1 is not the unsampled step", dml_loss_name(c.loss));
            return 1;
        }
    }
    return 0;
}

/* The in-step SGD update of a sampled step (dml_loss_step_sgd) against the
 * sampled step then P −= lr·dP on every row, bit for bit: the same loss and
 * ∂L/∂X, the sampled rows updated, every other row as it was (the step never
 * writes them).  The same seed: the same sample. */
static int check_sgd_one(const dml_kernels *k, const scase *c, int threads, char *why, size_t whylen)
{
    sbuf b;
    memset(&b, 0, sizeof b);
    const float lr = 0.375f;
    dml_params p = params_of(c, c->r);
    dml_gradstats g;
    float L1, L2 = NAN;
    uint64_t seed = 77u + c->C;
    int bad = sbuf_alloc(&b, c) ||
              step(k, &p, c->M, c->C, c->D, threads, 1, seed, b.P, b.y, b.X, &L1, b.dX, b.dP, &g, NULL, NULL, NULL, why, whylen);
    dml_ctx *ctx = bad ? NULL : dml_ctx_create_for(&p, c->M, c->C, c->D, k->isa, threads, NULL);
    if (!bad) {
        memcpy(b.P2, b.P, c->C * c->D * sizeof(float));
        bad = !ctx || dml_ctx_set_fused(ctx, 1) != DML_OK || dml_ctx_set_sample_seed(ctx, seed) != DML_OK ||
              dml_loss_step_sgd(ctx, &p, b.X, b.y, b.P2, lr, &L2, b.dX2) != DML_OK;
    }
    size_t e = 0, CD = c->C * c->D;
    const char *what = bad ? NULL : memcmp(&L1, &L2, sizeof L1) ? "loss"
                       : memcmp(b.dX, b.dX2, c->M * c->D * sizeof(float)) ? "dX" : NULL;
    for (; !bad && !what && e < CD; e++) {
        float want = b.P[e] - lr * b.dP[e];
        if (memcmp(&b.P2[e], &want, sizeof want)) what = "P";
    }
    if (what)
        snprintf(why, whylen, "%s M=%zu C=%zu D=%zu r=%g, %d thread(s): the in-step SGD update is not the "
                 "sampled step then P -= lr dP: %s differs", dml_loss_name(c->loss), c->M, c->C, c->D,
                 (double)c->r, threads, what);
    else if (bad && !why[0])
        snprintf(why, whylen, "%s: the sampled in-step SGD update: %s", dml_loss_name(c->loss), dml_last_error());
    dml_ctx_destroy(ctx);
    sbuf_free(&b);
    return bad || what;
}

static int check_sgd(const dml_kernels *k, char *why, size_t whylen)
{
    static const size_t some[] = { 0, 2, 5, 7 };
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
        for (int threads = 1; threads <= 2; threads++)
            if (check_sgd_one(k, &cases[some[i]], threads, why, whylen)) return 1;
    return 0;
}

const dml_check dml_sample_checks[] = {
    { "sampled_is_its_sub_problem", check_sub_problem },
    { "sampled_ratio_one_is_unsampled", check_ratio_one },
    { "sampled_sgd_updates_its_rows", check_sgd },
    { NULL, NULL },
};
