/* test_train_run.c — training on a small subset of the real Fashion-MNIST
 * (the Debian package dataset-fashion-mnist, which `make test` installs):
 * the loss falls and Recall@1 rises above the untrained network's, and two
 * runs with one seed, ISA and thread count are identical bit for bit. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "train/train.h"

static train_data data;

static void load_subset(void)
{
    char probe[512], err[512];
    snprintf(probe, sizeof probe, "%s/train-images-idx3-ubyte.gz", train_default_data_dir());
    if (access(probe, R_OK) != 0)
        cr_skip("Fashion-MNIST not installed (%s missing): install dataset-fashion-mnist "
                "(make deps-train)", probe);
    cr_assert_eq(train_data_load(train_default_data_dir(), PROTOCOL_CLOSED, 2000, 1000, &data, err,
                                 sizeof err), 0, "%s", err);
}

static void free_subset(void)
{
    train_data_free(&data);
}

static void run(train_opts *o, train_result *r)
{
    char err[512];
    cr_assert_eq(train_run(o, &data, r, err, sizeof err), 0, "%s", err);
}

Test(train, learns_on_a_small_subset, .init = load_subset, .fini = free_subset)
{
    cr_assert_eq(data.train.n, 2000u);
    cr_assert_eq(data.eval.n, 1000u);
    dml_loss losses[2] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_MS };
    for (int l = 0; l < 2; l++) {
        train_opts o;
        train_opts_default(&o, losses[l]);
        o.epochs = 3;
        train_result r;
        run(&o, &r);
        cr_assert_eq(r.nrows, 4u);
        const train_row *first = &r.rows[0], *last = &r.rows[3];
        cr_log_info("%s: loss %.4f -> %.4f, R@1 %.4f -> %.4f", dml_loss_name(losses[l]), first->loss,
                    last->loss, first->m.recall[0], last->m.recall[0]);
        cr_assert_lt(last->loss, first->loss, "%s: the loss did not fall", dml_loss_name(losses[l]));
        cr_assert_gt(last->m.recall[0], first->m.recall[0] + 0.01,
                     "%s: Recall@1 %.4f not above the untrained %.4f", dml_loss_name(losses[l]),
                     last->m.recall[0], first->m.recall[0]);
        train_result_free(&r);
    }
}

static int same_run(const train_result *a, const train_result *b)
{
    if (a->nrows != b->nrows || a->nparams != b->nparams) return 0;
    for (size_t i = 0; i < a->nrows; i++)
        if (a->rows[i].loss != b->rows[i].loss ||
            memcmp(&a->rows[i].m, &b->rows[i].m, sizeof a->rows[i].m))
            return 0;
    return !memcmp(a->final_params, b->final_params, a->nparams * sizeof(float));
}

Test(train, reproducible_bit_for_bit, .init = load_subset, .fini = free_subset)
{
    train_opts o;
    train_opts_default(&o, DML_LOSS_PROXY_ANCHOR);
    o.epochs = 1;
    o.H = 64;
    for (int threads = 1; threads <= 2; threads++) {
        o.threads = threads;
        o.seed = 7;
        train_result a, b, c;
        run(&o, &a);
        run(&o, &b);
        cr_assert(same_run(&a, &b), "two runs with seed 7 on %d thread(s) differ", threads);
        cr_assert(!memcmp(a.proxies, b.proxies, data.train.classes * o.D * sizeof(float)));
        o.seed = 8;
        run(&o, &c);
        cr_assert(!same_run(&a, &c), "seeds 7 and 8 gave the same run: the seed is not used");
        train_result_free(&a);
        train_result_free(&b);
        train_result_free(&c);
    }
}

Test(train, bad_options_are_errors, .init = load_subset, .fini = free_subset)
{
    train_opts o;
    train_opts_default(&o, DML_LOSS_PROXY_ANCHOR);
    train_result r;
    char err[512];
    o.M = 5000;
    cr_assert_eq(train_run(&o, &data, &r, err, sizeof err), 1);
    cr_assert(strstr(err, "fewer training items than M"), "%s", err);
    o.M = 180, o.eval_every = 0;
    cr_assert_eq(train_run(&o, &data, &r, err, sizeof err), 1);
    cr_assert(strstr(err, "eval_every"), "%s", err);
}
