/* test_losses.c — the losses: finite-difference gradients, invariances, edge
 * cases (golden cases: test_golden.c; bad input: test_loss_errors.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dml.h"
#include "loss_problem.h"

static double rel_diff(const float *a, const float *b, size_t n);

static float loss_at(const problem *p)
{
    float L = NAN;
    cr_assert_eq(step(p, DML_ISA_REF, 1, &L, NULL, NULL), DML_OK, "%s", dml_last_error());
    return L;
}


/* ------------------------------------------------- finite differences
 *
 * Directional derivatives: for a random unit direction v over (X, P), the
 * analytic ⟨∇L, v⟩ against a Richardson-extrapolated central difference
 * R = (4 D(h/2) − D(h)) / 3, D(h) = (L(θ + hv) − L(θ − hv)) / 2h, whose
 * truncation error is O(h⁴).  The losses are evaluated in float32, so the
 * rounding error of D is about ε|L|/h ≈ 6e-8·|L|/h; with h = 1e-2 on inputs of
 * norm ~√D that is ≈ 1e-5·|L|, and the tolerance below, 2e-3·(|⟨∇L,v⟩| + |L|)
 * + 1e-4, leaves a margin of ~100 over it while a wrong term, mask or divisor
 * shifts the derivative by O(1) of its size.  The parameters are moderate
 * (α = 4, s = 4, MS without mining) so that the loss is smooth at scale h;
 * mining and hinges are discontinuous and are covered by the golden cases. */

static double directional_fd(problem *p, const float *v, double h)
{
    size_t nx = p->M * p->D, np = proxy_floats(p);
    float *X0 = malloc(nx * sizeof(float)), *P0 = malloc((np + 1) * sizeof(float));
    memcpy(X0, p->X, nx * sizeof(float));
    memcpy(P0, p->P, np * sizeof(float));
    double Lpm[2];
    for (int s = 0; s < 2; s++) {
        double sign = s ? -1.0 : 1.0;
        for (size_t i = 0; i < nx; i++) p->X[i] = (float)(X0[i] + sign * h * v[i]);
        for (size_t i = 0; i < np; i++) p->P[i] = (float)(P0[i] + sign * h * v[nx + i]);
        Lpm[s] = loss_at(p);
    }
    memcpy(p->X, X0, nx * sizeof(float));
    memcpy(p->P, P0, np * sizeof(float));
    free(X0);
    free(P0);
    return (Lpm[0] - Lpm[1]) / (2 * h);
}

static void check_gradient(problem *p, uint64_t seed)
{
    size_t nx = p->M * p->D, np = proxy_floats(p);
    float *dX = malloc(nx * sizeof(float)), *dP = malloc((np + 1) * sizeof(float));
    float *v = malloc((nx + np) * sizeof(float));
    float L;
    cr_assert_eq(step(p, DML_ISA_REF, 1, &L, dX, np ? dP : NULL), DML_OK, "%s", dml_last_error());
    rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 3; trial++) {
        double nv = 0, an = 0;
        for (size_t i = 0; i < nx + np; i++) {
            v[i] = (float)rng_normal(&r);
            nv += (double)v[i] * v[i];
        }
        nv = sqrt(nv);
        for (size_t i = 0; i < nx + np; i++) {
            v[i] = (float)(v[i] / nv);
            an += (double)v[i] * (i < nx ? dX[i] : dP[i - nx]);
        }
        double h = 1e-2;
        double rich = (4 * directional_fd(p, v, h / 2) - directional_fd(p, v, h)) / 3;
        double tol = 2e-3 * (fabs(an) + fabs(L)) + 1e-4;
        cr_expect(fabs(rich - an) <= tol, "%s trial %d: analytic %.6g, finite difference %.6g (tol %.2g)",
                  dml_loss_name(p->params.loss), trial, an, rich, tol);
    }
    free(dX); free(dP); free(v);
}

Test(gradients, proxy_anchor_fd)
{
    problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 12, 5, 7, 4, 11);
    p.params.u.pa.alpha = 4.0f;
    check_gradient(&p, 101);
    free_problem(&p);
}

Test(gradients, proxy_nca_fd)
{
    for (int inc = 0; inc <= 1; inc++) {
        problem p = make_problem(DML_LOSS_PROXY_NCA, 12, 5, 7, 4, 12);
        p.params.u.nca.scale = 4.0f;
        p.params.u.nca.include_positive = inc;
        check_gradient(&p, 102);
        free_problem(&p);
    }
}

Test(gradients, multi_similarity_fd)
{
    problem p = make_problem(DML_LOSS_MS, 12, 5, 7, 4, 13);
    p.params.u.ms.mine = 0;
    p.params.u.ms.beta = 10.0f;
    check_gradient(&p, 103);
    free_problem(&p);
}

Test(gradients, triplet_fd)
{
    /* Piecewise linear in d: a seed whose hinges sit well away from 0 at h. */
    problem p = make_problem(DML_LOSS_TRIPLET, 10, 5, 6, 3, 14);
    p.params.u.triplet.margin = 0.3f;
    check_gradient(&p, 104);
    free_problem(&p);
}

/* K = 3 centres a class, so P has C·K rows; λ and 1/γ moderate (as α = 4
 * above) so that the loss is smooth at the scale h of the differences. */
Test(gradients, soft_triple_fd)
{
    dml_params prm = dml_params_default(DML_LOSS_SOFT_TRIPLE);
    prm.u.st = (dml_soft_triple_params){ 3, 4.0f, 0.5f, 0.1f };
    problem p = make_problem_for(prm, 12, 5, 7, 4, 15);
    check_gradient(&p, 105);
    free_problem(&p);
}

Test(gradients, normalized_softmax_fd)
{
    problem p = make_problem(DML_LOSS_NORMALIZED_SOFTMAX, 12, 5, 7, 4, 16);
    p.params.u.ns.temperature = 0.25f;
    check_gradient(&p, 106);
    free_problem(&p);
}

/* Three losses that are one at these parameters: SoftTriple with one centre
 * a class and no margin, NormalizedSoftmax at τ = 1/λ, and Proxy-NCA at scale
 * λ with the positive in the denominator (LOSSES.md, last section). */
Test(invariance, one_centre_soft_triple_is_normalized_softmax)
{
    dml_params st = dml_params_default(DML_LOSS_SOFT_TRIPLE), ns = dml_params_default(DML_LOSS_NORMALIZED_SOFTMAX),
               nca = dml_params_default(DML_LOSS_PROXY_NCA);
    st.u.st = (dml_soft_triple_params){ 1, 8.0f, 0.1f, 0.0f };
    ns.u.ns.temperature = 0.125f;
    nca.u.nca = (dml_proxy_nca_params){ 8.0f, 1, 1.0f, DML_PRECISION_FP32 };
    dml_params all[3] = { st, ns, nca };
    float L[3], dX[3][16 * 9], dP[3][6 * 9];
    for (int k = 0; k < 3; k++) {
        problem p = make_problem_for(all[k], 16, 6, 9, 4, 17);
        cr_assert_eq(step(&p, DML_ISA_REF, 1, &L[k], dX[k], dP[k]), DML_OK, "%s", dml_last_error());
        free_problem(&p);
    }
    for (int k = 1; k < 3; k++) {
        cr_expect(fabs(L[k] - L[0]) <= 1e-5 * fabs(L[0]) + 1e-6, "%s: %.9g vs soft_triple %.9g",
                  dml_loss_name(all[k].loss), L[k], L[0]);
        cr_expect(rel_diff(dX[k], dX[0], 16 * 9) < 1e-4 && rel_diff(dP[k], dP[0], 6 * 9) < 1e-4,
                  "%s: gradients differ from soft_triple's", dml_loss_name(all[k].loss));
    }
}

/* The check must fail for a wrong gradient: flip the sign of one loss term by
 * comparing against a different loss's gradient. */
Test(gradients, fd_check_detects_a_wrong_gradient)
{
    problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 12, 5, 7, 4, 11);
    p.params.u.pa.alpha = 4.0f;
    float L, *dX = malloc(p.M * p.D * sizeof(float)), *dP = malloc(p.C * p.D * sizeof(float));
    cr_assert_eq(step(&p, DML_ISA_REF, 1, &L, dX, dP), DML_OK);
    float *v = calloc(p.M * p.D + p.C * p.D, sizeof(float));
    v[0] = 1.0f; /* the derivative along X[0][0] */
    double fd = (4 * directional_fd(&p, v, 5e-3) - directional_fd(&p, v, 1e-2)) / 3;
    cr_expect(fabs(fd - dX[0]) <= 2e-3 * (fabs(dX[0]) + fabs(L)) + 1e-4, "fd %.6g vs dX %.6g", fd, dX[0]);
    /* Half the gradient must not pass the same tolerance. */
    cr_expect(fabs(fd - 0.5 * dX[0]) > 2e-3 * (fabs(dX[0]) + fabs(L)) + 1e-4,
              "tolerance too loose: fd %.6g vs half of dX %.6g", fd, 0.5 * dX[0]);
    free(dX); free(dP); free(v);
    free_problem(&p);
}

/* ------------------------------------------------------------ invariances */

static double rel_diff(const float *a, const float *b, size_t n)
{
    double e = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        r += (double)b[i] * b[i];
    }
    return sqrt(e) / (sqrt(r) + 1e-30);
}

/* Scaling a row of X (or P) by c leaves L unchanged and divides that row's
 * gradient by c (L is invariant to the row's norm). */
Test(invariance, row_scaling)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        problem p = make_problem((dml_loss)l, 16, 6, 9, 4, 21 + l);
        size_t nx = p.M * p.D, np = proxy_floats(&p) + 1;
        float L0, L1, *dX0 = malloc(nx * 4), *dX1 = malloc(nx * 4), *dP0 = malloc(np * 4),
                     *dP1 = malloc(np * 4);
        int prox = has_proxies(&p);
        cr_assert_eq(step(&p, DML_ISA_REF, 1, &L0, dX0, prox ? dP0 : NULL), DML_OK);
        const float c = 3.75f;
        for (size_t k = 0; k < p.D; k++) p.X[3 * p.D + k] *= c;
        if (prox)
            for (size_t k = 0; k < p.D; k++) p.P[2 * p.D + k] *= c;
        cr_assert_eq(step(&p, DML_ISA_REF, 1, &L1, dX1, prox ? dP1 : NULL), DML_OK);
        cr_expect(fabs(L1 - L0) <= 1e-5 * fabs(L0) + 1e-6, "%s: loss %.9g became %.9g",
                  dml_loss_name(p.params.loss), L0, L1);
        for (size_t k = 0; k < p.D; k++) dX1[3 * p.D + k] *= c;
        cr_expect(rel_diff(dX1, dX0, nx) < 1e-4, "%s: dX changed by %.3g",
                  dml_loss_name(p.params.loss), rel_diff(dX1, dX0, nx));
        if (prox) {
            for (size_t k = 0; k < p.D; k++) dP1[2 * p.D + k] *= c;
            cr_expect(rel_diff(dP1, dP0, np) < 1e-4, "%s: dP changed", dml_loss_name(p.params.loss));
        }
        free(dX0); free(dX1); free(dP0); free(dP1);
        free_problem(&p);
    }
}

/* Permuting the batch permutes ∂L/∂X and leaves L (and ∂L/∂P) unchanged. */
Test(invariance, batch_permutation)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        problem p = make_problem((dml_loss)l, 16, 6, 9, 4, 31 + l);
        problem q = make_problem((dml_loss)l, 16, 6, 9, 4, 31 + l);
        size_t M = p.M, D = p.D, nx = M * D, np = proxy_floats(&p) + 1;
        int prox = has_proxies(&p);
        size_t perm[16];
        for (size_t i = 0; i < M; i++) perm[i] = (i * 7 + 3) % M; /* 7 is prime to 16 */
        for (size_t i = 0; i < M; i++) {
            memcpy(q.X + i * D, p.X + perm[i] * D, D * sizeof(float));
            q.y[i] = p.y[perm[i]];
        }
        float Lp, Lq, *dXp = malloc(nx * 4), *dXq = malloc(nx * 4), *dPp = malloc(np * 4),
                     *dPq = malloc(np * 4), *dXpp = malloc(nx * 4);
        cr_assert_eq(step(&p, DML_ISA_REF, 1, &Lp, dXp, prox ? dPp : NULL), DML_OK);
        cr_assert_eq(step(&q, DML_ISA_REF, 1, &Lq, dXq, prox ? dPq : NULL), DML_OK);
        cr_expect(fabs(Lp - Lq) <= 1e-5 * fabs(Lp) + 1e-6, "%s: %.9g vs %.9g",
                  dml_loss_name(p.params.loss), Lp, Lq);
        for (size_t i = 0; i < M; i++)
            memcpy(dXpp + i * D, dXp + perm[i] * D, D * sizeof(float));
        cr_expect(rel_diff(dXq, dXpp, nx) < 1e-4, "%s: dX not permuted (%.3g)",
                  dml_loss_name(p.params.loss), rel_diff(dXq, dXpp, nx));
        if (prox)
            cr_expect(rel_diff(dPq, dPp, np) < 1e-4, "%s: dP changed", dml_loss_name(p.params.loss));
        free(dXp); free(dXq); free(dPp); free(dPq); free(dXpp);
        free_problem(&p);
        free_problem(&q);
    }
}

/* ------------------------------------------------------------ edge cases */

static int all_finite(const float *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i])) return 0;
    return 1;
}

static int all_zero(const float *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != 0.0f) return 0;
    return 1;
}

Test(edge, single_sample)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        problem p = make_problem((dml_loss)l, 1, 4, 5, 1, 41);
        float L, dX[5], *dP = malloc((proxy_floats(&p) + 1) * sizeof(float));
        cr_assert_eq(step(&p, DML_ISA_AUTO, 1, &L, dX, has_proxies(&p) ? dP : NULL), DML_OK,
                     "%s: %s", dml_loss_name(p.params.loss), dml_last_error());
        cr_expect(isfinite(L) && all_finite(dX, 5), "%s: not finite", dml_loss_name(p.params.loss));
        if (!has_proxies(&p))  /* no pair exists: nothing to learn */
            cr_expect(L == 0.0f && all_zero(dX, 5), "%s: M = 1 gave %g", dml_loss_name(p.params.loss), L);
        free(dP);
        free_problem(&p);
    }
}

/* Proxy-Anchor's positive term averages over the proxies present in the
 * batch: absent classes contribute only to the negative term, and their
 * proxies still receive a gradient from it. */
Test(edge, classes_absent_from_batch)
{
    problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 8, 10, 6, 2, 51); /* classes 0, 1 of 10 */
    float L, dX[48], dP[60];
    cr_assert_eq(step(&p, DML_ISA_AUTO, 1, &L, dX, dP), DML_OK);
    cr_expect(isfinite(L) && all_finite(dX, 48) && all_finite(dP, 60));
    cr_expect(!all_zero(dP + 9 * 6, 6), "absent class 9 got no gradient from the negative term");
    /* Adding an absent class must change the negative divisor only: compare with C = 2. */
    problem q = make_problem(DML_LOSS_PROXY_ANCHOR, 8, 10, 6, 2, 51);
    q.C = 2;
    float Lq, dXq[48], dPq[12];
    cr_assert_eq(step(&q, DML_ISA_AUTO, 1, &Lq, dXq, dPq), DML_OK);
    cr_expect(L != Lq, "absent classes did not enter the negative term");
    free_problem(&p);
    free_problem(&q);
}

Test(edge, one_class_pair_losses_are_zero)
{
    dml_loss losses[2] = { DML_LOSS_MS, DML_LOSS_TRIPLET };
    for (int l = 0; l < 2; l++) {
        problem p = make_problem(losses[l], 9, 3, 5, 1, 61); /* every label 0 */
        float L = -1, dX[45];
        cr_assert_eq(step(&p, DML_ISA_AUTO, 1, &L, dX, NULL), DML_OK);
        cr_expect(L == 0.0f, "%s: one class gave %g", dml_loss_name(losses[l]), L);
        cr_expect(all_zero(dX, 45), "%s: one class gave a gradient", dml_loss_name(losses[l]));
        free_problem(&p);
    }
}

Test(edge, alpha_200_stays_finite)
{
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (!dml_isa_supported((dml_isa)isa)) continue;
        problem p = make_problem(DML_LOSS_PROXY_ANCHOR, 24, 6, 16, 6, 71);
        p.params.u.pa.alpha = 200.0f;
        float L, dX[24 * 16], dP[6 * 16];
        cr_assert_eq(step(&p, (dml_isa)isa, 1, &L, dX, dP), DML_OK);
        cr_expect(isfinite(L) && L > 0, "%s: L = %g", dml_isa_name((dml_isa)isa), L);
        cr_expect(all_finite(dX, 24 * 16) && all_finite(dP, 6 * 16), "%s: gradient not finite",
                  dml_isa_name((dml_isa)isa));
        free_problem(&p);

        problem q = make_problem(DML_LOSS_MS, 24, 6, 16, 6, 72);
        q.params.u.ms.alpha = 200.0f;
        q.params.u.ms.beta = 200.0f;
        cr_assert_eq(step(&q, (dml_isa)isa, 1, &L, dX, NULL), DML_OK);
        cr_expect(isfinite(L) && all_finite(dX, 24 * 16), "MS %s: not finite", dml_isa_name((dml_isa)isa));
        free_problem(&q);
    }
}

/* A zero embedding normalises to 0 (as F.normalize does); everything stays finite. */
Test(edge, zero_vectors)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        problem p = make_problem((dml_loss)l, 8, 4, 5, 4, 81);
        memset(p.X + 2 * p.D, 0, p.D * sizeof(float));
        memset(p.P + 1 * p.D, 0, p.D * sizeof(float));
        float L, dX[40], *dP = malloc((proxy_floats(&p) + 1) * sizeof(float));
        cr_assert_eq(step(&p, DML_ISA_AUTO, 1, &L, dX, has_proxies(&p) ? dP : NULL), DML_OK);
        cr_expect(isfinite(L) && all_finite(dX, 40), "%s", dml_loss_name(p.params.loss));
        if (has_proxies(&p))
            cr_expect(all_finite(dP, proxy_floats(&p)), "%s: dP", dml_loss_name(p.params.loss));
        free(dP);
        free_problem(&p);
    }
}
