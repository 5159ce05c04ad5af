/* test_point.c — what a sweep point stands on: the batch kept between
 * points (same bits, handed over, freed when another is asked for), the
 * pilot that shrinks reps to a time budget, and the timing calibration that
 * does not call a slow callback twice. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/timing.h"
#include "point/batch.h"
#include "point/point.h"

static const batch_spec spec = { .M = 24, .C = 50, .D = 16, .per_class = 4, .K = 1,
                                 .noise = 2.5f, .proxy_noise = 1.0f, .seed = 3 };

static void same_bits(const batch *a, const batch *b)
{
    cr_assert_eq(a->M, b->M);
    cr_assert_eq(a->C * a->K, b->C * b->K);
    cr_assert(!memcmp(a->X, b->X, a->M * a->D * sizeof(float)));
    cr_assert(!memcmp(a->P, b->P, a->C * a->K * a->D * sizeof(float)));
    cr_assert(!memcmp(a->y, b->y, a->M * sizeof(int32_t)));
}

Test(batch_kept, same_spec_is_handed_over_with_the_same_bits)
{
    char err[256];
    batch fresh, a, b;
    batch_kept_for(NULL);
    cr_assert_eq(batch_make(&spec, &fresh, err, sizeof err), 0, "%s", err);
    cr_assert_eq(batch_make(&spec, &a, err, sizeof err), 0, "%s", err);
    float *P = a.P;
    batch_keep(&a);
    cr_assert_null(a.P, "batch_keep leaves the caller's batch empty");
    cr_assert_gt(batch_kept_for(&spec), 0);
    cr_assert_eq(batch_make(&spec, &b, err, sizeof err), 0, "%s", err);
    cr_assert_eq(b.P, P, "the kept batch is handed over, not drawn again");
    cr_assert_eq(batch_kept_for(&spec), 0, "handed over: nothing is kept any more");
    same_bits(&fresh, &b);
    batch_free(&fresh);
    batch_free(&b);
}

Test(batch_kept, another_spec_frees_it_and_draws_its_own)
{
    char err[256];
    batch a, b, c;
    batch_kept_for(NULL);
    cr_assert_eq(batch_make(&spec, &a, err, sizeof err), 0, "%s", err);
    batch_keep(&a);
    batch_spec other = spec;
    other.seed = 4;
    cr_assert_eq(batch_kept_for(&other), 0, "a kept batch of another spec does not count");
    cr_assert_eq(batch_kept_for(&spec), 0, "and it was freed by the question");
    cr_assert_eq(batch_make(&spec, &b, err, sizeof err), 0, "%s", err);
    batch_keep(&b);
    cr_assert_eq(batch_make(&other, &c, err, sizeof err), 0, "%s", err);
    cr_assert_eq(batch_kept_for(&spec), 0, "making another spec's batch freed the kept one");
    batch_spec K0 = spec;
    K0.K = 0; /* 0 proxies a class is drawn as 1: the same batch */
    batch_keep(&c);
    cr_assert_eq(batch_kept_for(&K0), 0);
    cr_assert_eq(batch_make(&K0, &b, err, sizeof err), 0, "%s", err);
    batch_keep(&b);
    cr_assert_gt(batch_kept_for(&spec), 0, "K = 0 and K = 1 are the same batch");
    batch_kept_for(NULL);
}

static point_spec small_point(void)
{
    point_spec sp;
    point_spec_default(&sp, DML_LOSS_PROXY_ANCHOR);
    sp.batch = spec;
    sp.batch.K = 0;
    sp.isa = DML_ISA_REF;
    sp.reps = 40;
    sp.warmup = 2;
    return sp;
}

Test(point_budget, a_pilot_shrinks_reps_to_the_budget_and_keeps_the_loss)
{
    char err[256];
    point_spec sp = small_point();
    point_result whole, cut;
    cr_assert_eq(point_run(&sp, &whole, err, sizeof err), 0, "%s", err);
    cr_assert_eq(whole.reps, 40, "no budget: the reps asked for");
    sp.budget_s = 1e-9; /* less than any step: the least reps */
    cr_assert_eq(point_run(&sp, &cut, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cut.reps, 3);
    cr_assert_eq(cut.loss, whole.loss, "the same batch and step: the same loss");
    sp.reps = 2; /* fewer than 3 asked: kept */
    cr_assert_eq(point_run(&sp, &cut, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cut.reps, 2);
    sp.reps = 40;
    sp.budget_s = 1e3; /* room for every rep */
    cr_assert_eq(point_run(&sp, &cut, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cut.reps, 40);
    batch_kept_for(NULL);
}

typedef struct spin { int calls; double ns; } spin;

static int spin_call(void *arg)
{
    spin *s = arg;
    s->calls++;
    double t0 = dml_thread_cpu_ns();
    while (dml_thread_cpu_ns() - t0 < s->ns) COMPILER_BARRIER();
    return 0;
}

Test(timing_calibration, a_call_of_four_epochs_is_not_repeated)
{
    spin slow = { 0, 2e6 }, fast = { 0, 0 };
    long calls;
    double per;
    cr_assert_eq(timing_calls_for(spin_call, &slow, 2e5, 1000, &calls, &per), 0);
    cr_assert_eq(slow.calls, 1, "one call of 10 epochs was enough: %d calls", slow.calls);
    cr_assert_eq(calls, 1);
    cr_assert_geq(per, 2e6);
    cr_assert_eq(timing_calls_for(spin_call, &fast, 2e5, 1000, &calls, &per), 0);
    cr_assert_gt(fast.calls, 1, "a fast call is calibrated on more than one");
}
