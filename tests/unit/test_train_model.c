/* test_train_model.c — the network's gradient by finite differences (through
 * each loss), AdamW against torch's first step, the class-balanced sampler,
 * and training on a small real subset: it learns, and it is reproducible. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "train/train.h"

/* ------------------------------------------------- finite differences */

typedef struct fd_problem {
    net nt;
    net_ws ws;
    dml_ctx *ctx;
    dml_params params;
    size_t M, C;
    float *X, *P, *dE, *dP;
    int32_t *y;
} fd_problem;

/* A network of shape sh (sh.h × sh.w inputs) on ISA isa. */
static void fd_setup_shape(fd_problem *f, dml_params params, const net_shape *sh, size_t M, size_t C,
                           dml_isa isa)
{
    char err[256];
    memset(f, 0, sizeof *f);
    size_t in = sh->h * sh->w, D = sh->D;
    f->params = params, f->M = M, f->C = C;
    cr_assert_eq(net_init_shape(&f->nt, sh, 3, err, sizeof err), 0, "%s", err);
    cr_assert_eq(net_ws_init(&f->ws, &f->nt, M, isa, 1, err, sizeof err), 0, "%s", err);
    dml_status st;
    f->ctx = dml_ctx_create_for(&params, M, C, D, isa, 1, &st);
    cr_assert(f->ctx, "%s", dml_last_error());
    size_t R = dml_proxy_rows(&params, C) > C ? dml_proxy_rows(&params, C) : C; /* SoftTriple: C·K */
    f->X = malloc(M * in * sizeof(float));
    f->P = malloc(R * D * sizeof(float));
    f->dE = malloc(M * D * sizeof(float));
    f->dP = malloc(R * D * sizeof(float));
    f->y = malloc(M * sizeof(int32_t));
    rng r;
    rng_seed(&r, 11);
    for (size_t i = 0; i < M * in; i++) f->X[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < R * D; i++) f->P[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < M; i++) f->y[i] = (int32_t)(i % C);
}

static void fd_setup(fd_problem *f, dml_params params, size_t in, size_t H, size_t D, size_t M,
                     size_t C)
{
    net_shape sh = { in, 1, 0, H, D };
    fd_setup_shape(f, params, &sh, M, C, DML_ISA_REF);
}

static void fd_free(fd_problem *f)
{
    net_free(&f->nt);
    net_ws_free(&f->ws);
    dml_ctx_destroy(f->ctx);
    free(f->X); free(f->P); free(f->dE); free(f->dP); free(f->y);
}

/* The loss of the whole model; with grad, also its gradient (network, proxies). */
static double model_loss(fd_problem *f, float *grad)
{
    float L;
    net_forward(&f->nt, &f->ws, f->X, f->M);
    int proxies = dml_ctx_proxy_rows(f->ctx) > 0;
    dml_status st = dml_loss_step(f->ctx, &f->params, f->ws.E, f->y, f->P, &L,
                                  grad ? f->dE : NULL, grad && proxies ? f->dP : NULL);
    cr_assert_eq(st, DML_OK, "%s", dml_last_error());
    if (grad) net_backward(&f->nt, &f->ws, f->X, f->dE, f->M, grad);
    return L;
}

/* Central differences over every network parameter and proxy coordinate;
 * returns ‖fd − analytic‖ / ‖analytic‖.  float32 with h = 1e-3 leaves about
 * 1e-4 (measured: 6e-5 to 4e-4); a wrong mask, transpose or bias term is O(1). */
static double fd_error(fd_problem *f)
{
    size_t np = f->nt.nparams, nq = dml_ctx_proxy_rows(f->ctx) * f->nt.D;
    float *g = malloc(np * sizeof(float));
    model_loss(f, g);
    double diff = 0, norm = 0, h = 1e-3;
    for (size_t i = 0; i < np + nq; i++) {
        float *p = i < np ? &f->nt.params[i] : &f->P[i - np];
        double an = i < np ? g[i] : f->dP[i - np];
        float keep = *p;
        *p = keep + (float)h;
        double up = model_loss(f, NULL);
        *p = keep - (float)h;
        double dn = model_loss(f, NULL);
        *p = keep;
        double fd = (up - dn) / (2 * h);
        diff += (fd - an) * (fd - an);
        norm += an * an;
    }
    free(g);
    return sqrt(diff) / sqrt(norm);
}

static void check_fd(dml_params params, size_t H)
{
    fd_problem f;
    fd_setup(&f, params, 7, H, 5, 12, 3);
    double e = fd_error(&f);
    cr_log_info("%s, H = %zu: relative gradient error %.3e", dml_loss_name(params.loss), H, e);
    cr_assert_lt(e, 2e-3, "%s, H = %zu: relative gradient error %.3e", dml_loss_name(params.loss),
                 H, e);
    fd_free(&f);
}

Test(model_gradient, proxy_anchor) { check_fd(dml_params_default(DML_LOSS_PROXY_ANCHOR), 6); }
Test(model_gradient, proxy_nca) { check_fd(dml_params_default(DML_LOSS_PROXY_NCA), 6); }
Test(model_gradient, normalized_softmax) { check_fd(dml_params_default(DML_LOSS_NORMALIZED_SOFTMAX), 6); }
Test(model_gradient, soft_triple)
{
    dml_params p = dml_params_default(DML_LOSS_SOFT_TRIPLE);
    p.u.st.centers_per_class = 2; /* P has 2C rows: every one of them differentiated */
    check_fd(p, 6);
}
Test(model_gradient, one_linear_layer) { check_fd(dml_params_default(DML_LOSS_PROXY_ANCHOR), 0); }
/* The mean over active triplets jumps when one enters or leaves (1/K), so the
 * check uses a margin above every possible d_an − d_ap (≤ 2): all active. */
Test(model_gradient, triplet_all_active)
{
    dml_params p = dml_params_default(DML_LOSS_TRIPLET);
    p.u.triplet.margin = 2.5f;
    check_fd(p, 6);
}

/* Mining selects pairs by thresholds: finite differences across a switch
 * are meaningless, so the check runs without it. */
Test(model_gradient, multi_similarity_unmined)
{
    dml_params p = dml_params_default(DML_LOSS_MS);
    p.u.ms.mine = 0;
    check_fd(p, 6);
}

/* The convolutional front end: a 7 × 6 image (odd, so the stride-2 windows
 * meet the padding on one side only) through conv(1 → 2) and conv(2 → 4),
 * then 16 -> 6 -> 5: every weight of every layer, by finite differences. */
static void check_fd_conv(dml_params params)
{
    fd_problem f;
    net_shape sh = { 7, 6, 2, 6, 5 };
    fd_setup_shape(&f, params, &sh, 12, 3, DML_ISA_REF);
    cr_assert_eq(f.nt.nconv, 2);
    cr_assert_eq(f.nt.in, 2 * 2 * 4, "conv output %zu", f.nt.in);
    double e = fd_error(&f);
    cr_log_info("%s, conv: relative gradient error %.3e", dml_loss_name(params.loss), e);
    cr_assert_lt(e, 2e-3, "%s, conv: relative gradient error %.3e", dml_loss_name(params.loss), e);
    fd_free(&f);
}
Test(model_gradient, conv_proxy_anchor) { check_fd_conv(dml_params_default(DML_LOSS_PROXY_ANCHOR)); }
Test(model_gradient, conv_proxy_nca) { check_fd_conv(dml_params_default(DML_LOSS_PROXY_NCA)); }

/* Every ISA's network (its GEMMs) gives the reference's loss and gradient,
 * convolutions included, to float rounding. */
Test(model_gradient, conv_every_isa_as_ref)
{
    net_shape sh = { 12, 10, 3, 8, 6 };
    fd_problem r;
    fd_setup_shape(&r, dml_params_default(DML_LOSS_PROXY_ANCHOR), &sh, 20, 4, DML_ISA_REF);
    float *gr = malloc(r.nt.nparams * sizeof(float)), *gi = malloc(r.nt.nparams * sizeof(float));
    double Lr = model_loss(&r, gr);
    dml_isa_init();
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (isa == DML_ISA_REF || !dml_isa_supported((dml_isa)isa)) continue;
        fd_problem f;
        fd_setup_shape(&f, r.params, &sh, 20, 4, (dml_isa)isa);
        double L = model_loss(&f, gi), diff = 0, norm = 0;
        for (size_t i = 0; i < r.nt.nparams; i++) {
            diff += (double)(gi[i] - gr[i]) * (gi[i] - gr[i]);
            norm += (double)gr[i] * gr[i];
        }
        cr_assert_float_eq(L, Lr, 1e-5 * fabs(Lr), "%s: loss %.8g, ref %.8g", dml_isa_name((dml_isa)isa), L, Lr);
        cr_assert_lt(sqrt(diff / norm), 1e-5, "%s: gradient differs from ref by %.3e", dml_isa_name((dml_isa)isa),
                     sqrt(diff / norm));
        fd_free(&f);
    }
    free(gr); free(gi);
    fd_free(&r);
}

/* The check itself must see a wrong gradient: drop the ReLU mask's effect by
 * corrupting one first-layer weight gradient. */
Test(model_gradient, detects_a_wrong_gradient)
{
    fd_problem f;
    fd_setup(&f, dml_params_default(DML_LOSS_PROXY_ANCHOR), 7, 6, 5, 12, 3);
    float *g = malloc(f.nt.nparams * sizeof(float));
    model_loss(&f, g);
    /* the same analytic gradient with the second layer's bias gradient
     * doubled must be far from the finite differences */
    double diff = 0, norm = 0, h = 1e-3;
    for (size_t i = 0; i < f.nt.nparams; i++) {
        int in_b2 = f.nt.b2 && &f.nt.params[i] >= f.nt.b2;
        double an = in_b2 ? 2 * g[i] : g[i];
        float keep = f.nt.params[i];
        f.nt.params[i] = keep + (float)h;
        double up = model_loss(&f, NULL);
        f.nt.params[i] = keep - (float)h;
        double dn = model_loss(&f, NULL);
        f.nt.params[i] = keep;
        diff += ((up - dn) / (2 * h) - an) * ((up - dn) / (2 * h) - an);
        norm += an * an;
    }
    cr_assert_gt(sqrt(diff / norm), 2e-3, "a doubled bias gradient passed the check");
    free(g);
    fd_free(&f);
}

/* --------------------------------------------------------------- AdamW */

/* torch.optim.AdamW's first step moves every coordinate by exactly lr against
 * its gradient's sign (m̂/√v̂ = ±1), after the decoupled decay p·(1 − lr·wd). */
Test(adamw, first_step_is_torchs)
{
    adamw a;
    char err[128];
    cr_assert_eq(adamw_init(&a, 3, 0.1f, 0.01f, err, sizeof err), 0, "%s", err);
    float p[3] = { 1.0f, -2.0f, 0.5f }, g[3] = { 0.5f, -3.0f, 1e-3f };
    adamw_step(&a, p, g);
    float want[3] = { 0.999f - 0.1f, -2.0f * 0.999f + 0.1f, 0.5f * 0.999f - 0.1f };
    for (int i = 0; i < 3; i++) cr_assert_float_eq(p[i], want[i], 2e-6, "p[%d] = %.8f", i, p[i]);
    /* second step, from the recurrences written out in double */
    float g2[3] = { -0.5f, 1.0f, 2.0f }, p1[3];
    memcpy(p1, p, sizeof p);
    adamw_step(&a, p, g2);
    for (int i = 0; i < 3; i++) {
        double m = 0.9 * 0.1 * g[i] + 0.1 * g2[i], v = 0.999 * 0.001 * g[i] * g[i] + 0.001 * g2[i] * g2[i];
        double w = p1[i] * (1 - 0.001) - 0.1 / (1 - 0.81) * m / (sqrt(v) / sqrt(1 - 0.998001) + 1e-8);
        cr_assert_float_eq(p[i], w, 1e-5, "step 2, p[%d] = %.8f, want %.8f", i, p[i], w);
    }
    adamw_free(&a);
}

/* ------------------------------------------------------------- sampler */

Test(sampler, class_balanced_batches)
{
    size_t n = 100;
    int32_t y[100], lab[180];
    size_t idx[180];
    for (size_t i = 0; i < n; i++) y[i] = (int32_t)(i * 7 % 10);
    char err[128];
    sampler s;
    cr_assert_eq(sampler_init(&s, y, n, 10, 180, 5, err, sizeof err), 0, "%s", err);
    for (int b = 0; b < 3; b++) {
        size_t count[10] = { 0 };
        sampler_next(&s, y, idx, lab);
        for (size_t i = 0; i < 180; i++) {
            cr_assert_eq(lab[i], y[idx[i]]);
            count[lab[i]]++;
        }
        for (int c = 0; c < 10; c++) cr_assert_eq(count[c], 18u, "class %d: %zu", c, count[c]);
    }
    sampler_free(&s);
    /* M = 7 over 3 classes: 3 + 2 + 2 */
    cr_assert_eq(sampler_init(&s, y, n, 3, 7, 5, err, sizeof err), 1, "classes 3..9 exist: labels must be < 3");
    for (size_t i = 0; i < n; i++) y[i] = (int32_t)(i % 3);
    cr_assert_eq(sampler_init(&s, y, n, 3, 7, 5, err, sizeof err), 0, "%s", err);
    size_t count[3] = { 0 };
    sampler_next(&s, y, idx, lab);
    for (size_t i = 0; i < 7; i++) count[lab[i]]++;
    size_t threes = 0;
    for (int c = 0; c < 3; c++) {
        cr_assert(count[c] == 2 || count[c] == 3);
        threes += count[c] == 3;
    }
    cr_assert_eq(threes, 1u);
    sampler_free(&s);
}
