/* check_fused.c — the fused proxy step against the unfused one and against the
 * scalar reference, for one ISA's kernels, on one and two threads.
 *
 * Free of Criterion, like the kernel checks: test_fused.c and the standalone
 * driver under qemu (make test-neon, make test-haswell) both walk
 * dml_loss_checks[].
 *
 * What must agree, at every odd size (M, C, D through 1, 3, 7, 15, 16, 17, 31,
 * 63, 65, 97, with C up to 1023 so that there are many blocks of proxies):
 * the loss, ∂L/∂X and ∂L/∂P of the fused step (this ISA) with the unfused step
 * (this ISA) and with the unfused reference, and the gradient statistics of
 * fused and unfused; gathering the statistics changes no bit of the step,
 * and the step with the in-step SGD update of P gives P − lr·∂L/∂P bit for
 * bit.  Tolerances are those of the golden cases
 * (tests/golden/README.md): 1e-5 relative on the loss, 1e-4 relative in norm
 * on each gradient — room for float32 reassociation (blocks sum ∂L/∂X̂ in
 * another order, Proxy-NCA's two-pass LSE rounds twice), not for a wrong term.
 * NormalizedSoftmax runs Proxy-NCA's body; SoftTriple (K centres a class, P
 * C·K rows) has a fused step of its own, checked at K = 1, 3 and 10 so that
 * blocks of whole classes end at every kind of boundary. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static float rand_normalish(void)
{
    float u = 0;
    for (int k = 0; k < 3; k++) {
        rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
        u += (float)((double)((rng_state * 0x2545F4914F6CDD1Dull) >> 40) / (double)(1u << 24)) - 0.5f;
    }
    return u;
}

typedef struct run {
    float L;
    float *dX, *dP;
    dml_gradstats gs;
} run;

typedef struct lcase {
    dml_params params;
    size_t M, C, D, classes; /* labels cycle over the first `classes` classes */
    int stats;               /* compare the gradient statistics too */
} lcase;

/* The loss's sharpness, for the messages: α of Proxy-Anchor, the scale of
 * Proxy-NCA, 1/τ of NormalizedSoftmax, λ of SoftTriple. */
static double lcase_scale(const lcase *c)
{
    switch (c->params.loss) {
    case DML_LOSS_PROXY_NCA: return c->params.u.nca.scale;
    case DML_LOSS_NORMALIZED_SOFTMAX: return 1.0 / c->params.u.ns.temperature;
    case DML_LOSS_SOFT_TRIPLE: return c->params.u.st.la;
    default: return c->params.u.pa.alpha;
    }
}

/* Rows of P (C, or C·K for SoftTriple). */
static size_t lcase_rows(const lcase *c) { return dml_proxy_rows(&c->params, c->C); }

/* One step of the case on (isa, threads, fused) into r; 0 or a message.
 * watch: the fused step gathers the gradient statistics during its sweep
 * (the unfused one reads them from its whole G after the step). */
static int run_case(const lcase *c, const float *X, const int32_t *y, const float *P, dml_isa isa,
                    int threads, int fused, int watch, run *r, char *why, size_t whylen)
{
    dml_status st;
    dml_ctx *ctx = dml_ctx_create_for(&c->params, c->M, c->C, c->D, isa, threads, &st);
    if (!ctx || dml_ctx_set_fused(ctx, fused) != DML_OK || dml_ctx_fused(ctx) != fused ||
        dml_ctx_set_gradstats(ctx, watch) != DML_OK) {
        snprintf(why, whylen, "context: %s", dml_last_error());
        dml_ctx_destroy(ctx);
        return 1;
    }
    st = dml_loss_step(ctx, &c->params, X, y, P, &r->L, r->dX, r->dP);
    if (st == DML_OK && (watch || !fused))
        st = dml_ctx_gradstats(ctx, r->dX, r->dP, &r->gs);
    dml_ctx_destroy(ctx);
    if (st != DML_OK) {
        snprintf(why, whylen, "step: %s", dml_last_error());
        return 1;
    }
    return 0;
}

static double norm_diff(const float *a, const float *b, size_t n, double *ref_norm)
{
    double d = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        r += (double)b[i] * b[i];
    }
    *ref_norm = sqrt(r);
    return sqrt(d);
}

/* got against want (named); 0 when within the golden tolerances. */
static int compare(const lcase *c, const run *got, const run *want, const char *what, char *why,
                   size_t whylen)
{
    double nx, np, ex = norm_diff(got->dX, want->dX, c->M * c->D, &nx);
    double ep = norm_diff(got->dP, want->dP, lcase_rows(c) * c->D, &np);
    double el = fabs((double)got->L - want->L);
    const char *bad = NULL;
    if (!(el <= 1e-5 * fabs((double)want->L) + 1e-6)) bad = "loss";
    else if (!(ex <= 1e-4 * nx + 1e-6)) bad = "dX";
    else if (!(ep <= 1e-4 * np + 1e-6)) bad = "dP";
    if (!bad)
        return 0;
    snprintf(why, whylen, "%s %s M=%zu C=%zu D=%zu scale %g: %s differs (L %.9g vs %.9g, |dX| err %.3g of %.3g, |dP| err %.3g of %.3g)",
             dml_loss_name(c->params.loss), what, c->M, c->C, c->D, lcase_scale(c), bad, got->L,
             want->L, ex, nx, ep, np);
    return 1;
}

static int close_stat(double a, double b, double tol)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= tol * (fabs(b) + 1e-12);
}

/* The fused step gathers the gradient statistics block by block during its
 * sweep (it never holds G whole); the unfused step reads them from its
 * whole G: they must match.  Not at α or scale
 * 128, where most weights underflow and whether one lands at 0 or on a
 * subnormal depends on the kernel's flush (the reference keeps subnormals,
 * the SIMD kernels flush them) and on the order of the rounding. */
static int compare_stats(const lcase *c, const dml_gradstats *f, const dml_gradstats *u,
                         char *why, size_t whylen)
{
    const double tol = 1e-4;
    int ok = close_stat(f->grad_x_mean, u->grad_x_mean, tol) &&
             close_stat(f->grad_p_mean, u->grad_p_mean, tol) &&
             close_stat(f->pos_top1_share, u->pos_top1_share, tol) &&
             close_stat(f->pos_eff_n, u->pos_eff_n, tol) &&
             close_stat(f->neg_top1_share, u->neg_top1_share, tol) &&
             close_stat(f->neg_eff_n, u->neg_eff_n, tol) &&
             close_stat(f->proxy_pos_eff_n, u->proxy_pos_eff_n, tol) &&
             fabs(f->active_frac - u->active_frac) <= 1e-9 && f->pos_anchors == u->pos_anchors &&
             f->neg_anchors == u->neg_anchors;
    if (ok)
        return 0;
    snprintf(why, whylen, "%s M=%zu C=%zu D=%zu scale %g: gradstats fused vs unfused differ (active %.9g vs %.9g, pos_eff_n %.9g vs %.9g, neg_eff_n %.9g vs %.9g)",
             dml_loss_name(c->params.loss), c->M, c->C, c->D, lcase_scale(c), f->active_frac, u->active_frac,
             f->pos_eff_n, u->pos_eff_n, f->neg_eff_n, u->neg_eff_n);
    return 1;
}

/* The step with the in-step SGD update of P (dml_loss_step_sgd, statistics
 * not gathered) on P0's copy: the same loss and ∂L/∂X bits as the plain
 * fused step r (which gathered them), and P0 − lr·dP, bit for bit, whatever
 * the blocks and threads: so neither gathering the statistics nor the
 * update changes a bit of the step. */
static int check_sgd(const lcase *c, const float *X, const int32_t *y, const float *P0,
                     dml_isa isa, int threads, const run *r, char *why, size_t whylen)
{
    const size_t n = lcase_rows(c) * c->D;
    const float lr = 0.375f;
    float *P = malloc(n * sizeof(float)), *dX = malloc(c->M * c->D * sizeof(float)), L;
    dml_ctx *ctx = dml_ctx_create_for(&c->params, c->M, c->C, c->D, isa, threads, NULL);
    int bad = !P || !dX || !ctx || dml_ctx_set_fused(ctx, 1) != DML_OK;
    if (!bad) {
        memcpy(P, P0, n * sizeof(float));
        bad = dml_loss_step_sgd(ctx, &c->params, X, y, P, lr, &L, dX) != DML_OK;
    }
    size_t e = 0;
    if (!bad && memcmp(&L, &r->L, sizeof L) == 0 &&
        memcmp(dX, r->dX, c->M * c->D * sizeof(float)) == 0)
        for (; e < n; e++) {
            float want = P0[e] - lr * r->dP[e];
            if (memcmp(&P[e], &want, sizeof want) != 0)
                break;
        }
    if (bad || e < n || e == 0)
        snprintf(why, whylen, "%s M=%zu C=%zu D=%zu, %d thread(s): the step with the in-step SGD update %s",
                 dml_loss_name(c->params.loss), c->M, c->C, c->D, threads,
                 bad ? dml_last_error() : "differs from the step (gathering its statistics), then P -= lr dP");
    dml_ctx_destroy(ctx);
    free(P), free(dX);
    return bad || e < n || e == 0;
}

static int alloc_run(run *r, const lcase *c)
{
    r->dX = malloc(c->M * c->D * sizeof(float));
    r->dP = malloc(lcase_rows(c) * c->D * sizeof(float));
    return r->dX && r->dP;
}

/* The losses whose fused step may keep its first weights (proxy_fused.c),
 * at a C where that changes anything: past one block of proxies (at most
 * 384 rows, DML_FUSED_BLOCK in fused_sweep.c), so that sweep 2 has blocks
 * other than the one left in its buffers. */
static int two_pass(const lcase *c)
{
    return (c->params.loss == DML_LOSS_PROXY_NCA || c->params.loss == DML_LOSS_NORMALIZED_SOFTMAX) &&
           lcase_rows(c) > 384;
}

/* A two-pass loss's fused step with its first weights computed again in
 * sweep 2 (DML_FUSED_KEEP=0, as above the cap) against f, where the small
 * case kept them: the same loss, ∂L/∂X and ∂L/∂P bits. */
static int check_recompute(const lcase *c, const float *X, const int32_t *y, const float *P,
                           dml_isa isa, int threads, const run *f, char *why, size_t whylen)
{
    run r;
    if (!alloc_run(&r, c)) {
        snprintf(why, whylen, "out of memory");
        free(r.dX), free(r.dP);
        return 1;
    }
    setenv("DML_FUSED_KEEP", "0", 1);
    int bad = run_case(c, X, y, P, isa, threads, 1, 1, &r, why, whylen);
    unsetenv("DML_FUSED_KEEP");
    if (!bad && (memcmp(&r.L, &f->L, sizeof r.L) != 0 ||
                 memcmp(r.dX, f->dX, c->M * c->D * sizeof(float)) != 0 ||
                 memcmp(r.dP, f->dP, lcase_rows(c) * c->D * sizeof(float)) != 0)) {
        snprintf(why, whylen, "%s M=%zu C=%zu D=%zu, %d thread(s): the fused step computing its "
                 "weights again in sweep 2 differs from the one that kept them",
                 dml_loss_name(c->params.loss), c->M, c->C, c->D, threads);
        bad = 1;
    }
    free(r.dX), free(r.dP);
    return bad;
}

/* One case: fused and unfused on this ISA with 1 and 2 threads, each against
 * the unfused reference on one thread. */
static int check_case(const dml_kernels *k, const lcase *c, char *why, size_t whylen)
{
    float *X = malloc(c->M * c->D * sizeof(float)), *P = malloc(lcase_rows(c) * c->D * sizeof(float));
    int32_t *y = malloc(c->M * sizeof(int32_t));
    run ref, f, u;
    int status = 1;
    if (!X || !P || !y || !alloc_run(&ref, c) || !alloc_run(&f, c) || !alloc_run(&u, c)) {
        snprintf(why, whylen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->M * c->D; i++) X[i] = rand_normalish();
    for (size_t i = 0; i < lcase_rows(c) * c->D; i++) P[i] = rand_normalish();
    for (size_t i = 0; i < c->M; i++) y[i] = (int32_t)((i * 7 + 3) % c->classes);
    if (run_case(c, X, y, P, DML_ISA_REF, 1, 0, 0, &ref, why, whylen))
        goto done;
    for (int threads = 1; threads <= 2; threads++) {
        if (run_case(c, X, y, P, k->isa, threads, 1, 1, &f, why, whylen) ||
            run_case(c, X, y, P, k->isa, threads, 0, 0, &u, why, whylen) ||
            check_sgd(c, X, y, P, k->isa, threads, &f, why, whylen) ||
            (two_pass(c) && check_recompute(c, X, y, P, k->isa, threads, &f, why, whylen)))
            goto done;
        const char *fw = threads == 1 ? "fused (1 thread) vs ref" : "fused (2 threads) vs ref";
        const char *uw = threads == 1 ? "fused (1 thread) vs unfused" : "fused (2 threads) vs unfused";
        if (compare(c, &f, &ref, fw, why, whylen) || compare(c, &f, &u, uw, why, whylen) ||
            (c->stats && compare_stats(c, &f.gs, &u.gs, why, whylen)))
            goto done;
    }
    status = 0;
done:
    free(X), free(P), free(y);
    free(ref.dX), free(ref.dP), free(f.dX), free(f.dP), free(u.dX), free(u.dP);
    return status;
}

static lcase make_lcase(dml_loss loss, size_t M, size_t C, size_t D, size_t classes)
{
    lcase c = { dml_params_default(loss), M, C, D, classes < 1 ? 1 : classes > C ? C : classes, 1 };
    return c;
}

/* Each size in each dimension, the others odd; some classes absent. */
static int sweep_sizes(const dml_kernels *k, dml_loss loss, int include_positive, char *why,
                       size_t whylen)
{
    static const size_t sizes[] = { 1, 3, 7, 15, 16, 17, 31, 63, 65, 97 };
    const size_t n = sizeof sizes / sizeof sizes[0];
    for (size_t s = 0; s < 3 * n; s++) {
        size_t z = sizes[s % n], dim = s / n;
        size_t M = dim == 0 ? z : 17, C = dim == 1 ? z : 31, D = dim == 2 ? z : 15;
        lcase c = make_lcase(loss, M, C, D, C > 3 ? C - 2 : C);
        if (loss == DML_LOSS_PROXY_NCA) /* only its params have the flag */
            c.params.u.nca.include_positive = include_positive;
        if (loss == DML_LOSS_PROXY_NCA && !include_positive && C < 2)
            continue; /* that loss needs C >= 2 (an error, tested elsewhere) */
        if (check_case(k, &c, why, whylen))
            return 1;
    }
    return 0;
}

static int check_pa_sizes(const dml_kernels *k, char *why, size_t whylen)
{
    return sweep_sizes(k, DML_LOSS_PROXY_ANCHOR, 0, why, whylen);
}

static int check_nca_sizes(const dml_kernels *k, char *why, size_t whylen)
{
    return sweep_sizes(k, DML_LOSS_PROXY_NCA, 0, why, whylen) ||
           sweep_sizes(k, DML_LOSS_PROXY_NCA, 1, why, whylen);
}

/* Many blocks of proxies (C well past one block, odd, with a short last
 * block; at C = 4999 thirteen blocks on one thread, seven a thread on two,
 * so that sweep 2 computes most blocks again and the statistics are
 * gathered over many blocks), most classes absent from the batch, and
 * α = 128 / scale = 128 where float32 exp overflows without the shift. */
static int check_blocks_and_extremes(const dml_kernels *k, char *why, size_t whylen)
{
    const size_t shapes[][4] = { { 65, 1023, 17, 40 }, { 97, 1000, 63, 97 }, { 16, 385, 31, 16 },
                                 { 1, 193, 7, 1 },     { 31, 2, 1, 2 },      { 3, 1, 5, 1 },
                                 { 33, 4999, 5, 900 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int l = 0; l < 2; l++) {
            lcase c = make_lcase(l ? DML_LOSS_PROXY_NCA : DML_LOSS_PROXY_ANCHOR, shapes[s][0],
                                 shapes[s][1], shapes[s][2], shapes[s][3]);
            if (l && c.C < 2)
                c.params.u.nca.include_positive = 1;
            if (check_case(k, &c, why, whylen))
                return 1;
            if (l) c.params.u.nca.scale = 128.0f;
            else c.params.u.pa.alpha = 128.0f;
            c.stats = 0;
            if (check_case(k, &c, why, whylen))
                return 1;
        }
    }
    return 0;
}

/* NormalizedSoftmax at its default τ and at τ = 1/128 (where float32 exp
 * overflows without the shift), over many blocks (its body is Proxy-NCA's
 * with the positive included, whose odd sizes are swept above). */
static int check_ns(const dml_kernels *k, char *why, size_t whylen)
{
    lcase c = make_lcase(DML_LOSS_NORMALIZED_SOFTMAX, 65, 1023, 17, 40);
    if (check_case(k, &c, why, whylen))
        return 1;
    c.params.u.ns.temperature = 1.0f / 128.0f;
    c.stats = 0;
    return check_case(k, &c, why, whylen);
}

/* SoftTriple with K = 1, 3 and 10 centres a class: blocks of whole classes
 * (at K = 3, 128 classes a block; at K = 10, 38), odd sizes in M and C, then
 * C = 300 at K = 3 (three blocks on one thread, two a thread on two, the
 * last short) at the defaults and at λ = 128, γ = 0.01 (both softmaxes far
 * past float32 exp without the shift), and C = 501 at K = 10 (fourteen
 * blocks of 38 classes on one thread). */
static int check_st(const dml_kernels *k, char *why, size_t whylen)
{
    static const size_t sizes[] = { 1, 7, 17, 97 };
    static const int Ks[] = { 1, 3, 10 };
    for (size_t q = 0; q < 3; q++)
        for (size_t s = 0; s < 2 * sizeof sizes / sizeof *sizes; s++) {
            size_t z = sizes[s % 4], dim = s / 4;
            lcase c = make_lcase(DML_LOSS_SOFT_TRIPLE, dim ? 17 : z, dim ? z : 31, 15, 29);
            c.params.u.st.centers_per_class = Ks[q];
            if (check_case(k, &c, why, whylen))
                return 1;
        }
    lcase m = make_lcase(DML_LOSS_SOFT_TRIPLE, 17, 501, 5, 17);
    m.params.u.st.centers_per_class = 10;
    if (check_case(k, &m, why, whylen))
        return 1;
    lcase c = make_lcase(DML_LOSS_SOFT_TRIPLE, 17, 300, 7, 60);
    if (check_case(k, &c, why, whylen))
        return 1;
    c.params.u.st = (dml_soft_triple_params){ 3, 128.0f, 0.01f, 0.2f };
    c.stats = 0;
    return check_case(k, &c, why, whylen);
}

const dml_check dml_loss_checks[] = {
    { "fused_proxy_anchor_sizes", check_pa_sizes },
    { "fused_proxy_nca_sizes", check_nca_sizes },
    { "fused_blocks_and_extremes", check_blocks_and_extremes },
    { "fused_normalized_softmax", check_ns },
    { "fused_soft_triple", check_st },
    { NULL, NULL },
};
