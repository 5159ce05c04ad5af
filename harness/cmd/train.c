/* cmd/train.c — `dmlbench train`: options -> the train room -> print.
 * A progress line an epoch on stderr; the curve (epoch 0 = untrained) as a
 * table on stdout, as CSV (--csv, written atomically) or JSON (--json). */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/error.h"
#include "core/parse.h"
#include "cmd/cmd.h"
#include "core/threads.h"
#include "point/cost.h"
#include "point/param_check.h"
#include "point/param_opts.h"
#include "train/train.h"

/* The usage; the loss parameters' options come from the parameter table. */
void cmd_train_usage(FILE *f)
{
    fputs("usage: dmlbench train --loss L [--data DIR] [--protocol closed|open|val|test] [--M N] [--D N]\n"
          "         [--H N] [--conv C] [--per-class K] [--proxy-lr-mult X] [--epochs N] [--lr X]\n"
          "         [--seed N] [--isa ISA] [--threads T]\n", f);
    int col = 0;
    param_options_usage(f, 9, &col);
    fputs("\n         [--csv FILE] [--json] [--train-limit N] [--eval-limit N] [--eval-every E]\n"
          "         [--no-baseline]\n", f);
}

typedef struct cli {
    train_opts o;
    const char *data, *csv;
    train_protocol protocol;
    size_t train_limit, eval_limit;
    int json, baseline;
} cli;

static int size_opt(const char *name, const char *v, size_t lo, size_t *out)
{
    if (parse_size(v, out) || *out < lo)
        return die("train: %s: '%s' is not a whole number >= %zu", name, v, lo);
    return 0;
}

/* One option with its value; returns 0, or 1 after printing the error. */
static int option(cli *c, const char *name, const char *v)
{
    long l;
    uint64_t u;
    char err[200];
    if (!strcmp(name, "--loss")) return 0;  /* read first, in parse() */
    if (!strcmp(name, "--data")) { c->data = v; return 0; }
    if (!strcmp(name, "--csv")) { c->csv = v; return 0; }
    if (!strcmp(name, "--protocol")) {
        for (int p = 0; p < PROTOCOL_COUNT; p++)
            if (!strcmp(v, train_protocol_name((train_protocol)p))) {
                c->protocol = (train_protocol)p;
                return 0;
            }
        return die("train: --protocol: '%s' is none of closed, open, val, test", v);
    }
    if (!strcmp(name, "--conv")) return size_opt(name, v, 0, &c->o.conv);
    if (!strcmp(name, "--per-class")) return size_opt(name, v, 1, &c->o.per_class);
    if (!strcmp(name, "--proxy-lr-mult")) {
        if (parse_float(v, &c->o.proxy_lr_mult) || !(c->o.proxy_lr_mult > 0))
            return die("train: --proxy-lr-mult: '%s' is not a positive number", v);
        return 0;
    }
    if (!strcmp(name, "--M")) return size_opt(name, v, 2, &c->o.M);
    if (!strcmp(name, "--D")) return size_opt(name, v, 1, &c->o.D);
    if (!strcmp(name, "--H")) return size_opt(name, v, 0, &c->o.H);
    if (!strcmp(name, "--train-limit")) return size_opt(name, v, 1, &c->train_limit);
    if (!strcmp(name, "--eval-limit")) return size_opt(name, v, 2, &c->eval_limit);
    if (!strcmp(name, "--epochs") || !strcmp(name, "--eval-every") || !strcmp(name, "--threads")) {
        long lo = !strcmp(name, "--epochs") ? 0 : 1;
        if (parse_int(v, lo, 100000, &l)) return die("train: %s: bad value '%s'", name, v);
        *(name[2] == 'e' ? (name[3] == 'p' ? &c->o.epochs : &c->o.eval_every) : &c->o.threads) =
            (int)l;
        return 0;
    }
    if (!strcmp(name, "--lr")) {
        if (parse_float(v, &c->o.lr) || !(c->o.lr > 0))
            return die("train: --lr: '%s' is not a positive number", v);
        return 0;
    }
    if (!strcmp(name, "--seed")) {
        if (parse_u64(v, &u)) return die("train: --seed: bad value '%s'", v);
        c->o.seed = u;
        return 0;
    }
    if (!strcmp(name, "--isa")) {
        if (dml_isa_parse(v, &c->o.isa) != DML_OK) return die("train: --isa: %s", dml_last_error());
        return 0;
    }
    int rc = param_option_set(&c->o.params, name, v, err, sizeof err);
    if (rc == 1) return die("train: --%s", err);
    if (rc == 0 && param_check_loss(name, c->o.params.loss, err, sizeof err)) return die("train: --%s", err);
    if (rc == 2) return die("train: %s (dmlbench train --help)", err);
    return 0;
}

static int parse(cli *c, int argc, char **argv)
{
    dml_loss loss = DML_LOSS_COUNT;
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--loss") && dml_loss_parse(argv[i + 1], &loss) != DML_OK)
            return die("train: --loss: %s", dml_last_error());
    if (loss == DML_LOSS_COUNT) { cmd_train_usage(stderr); return die("train: --loss is required"); }
    memset(c, 0, sizeof *c);
    train_opts_default(&c->o, loss);
    c->baseline = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) { c->json = 1; continue; }
        if (!strcmp(argv[i], "--no-baseline")) { c->baseline = 0; continue; }
        if (strncmp(argv[i], "--", 2)) return die("train: unexpected argument '%s' (dmlbench train --help)", argv[i]);
        if (i + 1 == argc) return die("train: %s needs a value", argv[i]);
        if (option(c, argv[i], argv[i + 1])) return 1;
        i++;
    }
    if (c->o.isa == DML_ISA_AUTO) {
        if (dml_isa_init() != DML_OK) return die("train: %s", dml_last_error());
        c->o.isa = dml_isa_default();
    }
    char err[200];
    if (threads_can_start(c->o.threads, err, sizeof err)) return die("train: --threads %d: %s", c->o.threads, err);
    if (!dml_isa_supported(c->o.isa))
        return die("train: --isa %s: not available on this machine or build", dml_isa_name(c->o.isa));
    return 0;
}

static void progress(const train_progress *p, void *user)
{
    (void)user;
    char r1[32] = "-", eta[32] = "-";
    if (p->evaluated) snprintf(r1, sizeof r1, "%.4f", p->recall1);
    if (p->epoch) snprintf(eta, sizeof eta, "%.1f s", p->eta_s);
    fprintf(stderr, "train: epoch %d/%d  %8.2f s  loss %.5f  R@1 %s  ETA %s\n", p->epoch,
            p->epochs, p->train_s, p->loss, r1, eta);
}

static void metrics_line(FILE *f, const char *what, const retrieval_metrics *m)
{
    fprintf(f, "%-22s R@1 %.4f  R@2 %.4f  R@4 %.4f  R@8 %.4f  RP %.4f  MAP@R %.4f  (%zu queries)\n",
            what, m->recall[0], m->recall[1], m->recall[2], m->recall[3], m->r_precision,
            m->map_at_r, m->queries);
}

static int write_csv(const char *path, const train_result *r)
{
    size_t cap = 256 + r->nrows * 256, len = 0;
    char *buf = malloc(cap), err[256];
    if (!buf) return die("train: %s: out of memory", path);
    len += (size_t)snprintf(buf, cap, "epoch,train_s,train_cpu_s,loss,recall_at_1,recall_at_2,recall_at_4,"
                            "recall_at_8,r_precision,map_at_r,eval_s,eval_cpu_s\n");
    for (size_t i = 0; i < r->nrows; i++) {
        const train_row *w = &r->rows[i];
        len += (size_t)snprintf(buf + len, cap - len, "%d,%.4f,%.4f,%.7g,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f\n",
                                w->epoch, w->train_s, w->train_cpu_s, w->loss, w->m.recall[0], w->m.recall[1],
                                w->m.recall[2], w->m.recall[3], w->m.r_precision, w->m.map_at_r,
                                w->eval_s, w->eval_cpu_s);
    }
    int rc = write_file_atomic(path, buf, len, err, sizeof err);
    free(buf);
    return rc ? die("train: %s: %s", path, err) : 0;
}

static void print_json(const cli *c, const train_result *r, const retrieval_metrics *px,
                       const retrieval_metrics *raw, double px_s)
{
    printf("{\"loss\": \"%s\", \"protocol\": \"%s\", \"isa\": \"%s\", \"threads\": %d, "
           "\"M\": %zu, \"D\": %zu, \"H\": %zu, \"lr\": %g, \"seed\": %llu, "
           "\"steps_per_epoch\": %zu, \"step_gflop\": %.6f, \"step_s_median\": %.6g, \"gflops\": %.3f",
           dml_loss_name(c->o.params.loss), train_protocol_name(c->protocol), dml_isa_name(r->isa),
           c->o.threads, c->o.M, c->o.D, c->o.H, (double)c->o.lr, (unsigned long long)c->o.seed,
           r->steps_per_epoch, r->step_flops * 1e-9, r->step_s_median, r->gflops);
    if (px)
        printf(", \"pixels\": {\"recall_at_1\": %.6f, \"map_at_r\": %.6f, \"eval_s\": %.4f}, "
               "\"pixels_unstandardised\": {\"recall_at_1\": %.6f, \"map_at_r\": %.6f}",
               px->recall[0], px->map_at_r, px_s, raw->recall[0], raw->map_at_r);
    printf(", \"rows\": [");
    for (size_t i = 0; i < r->nrows; i++) {
        const train_row *w = &r->rows[i];
        printf("%s{\"epoch\": %d, \"train_s\": %.4f, \"train_cpu_s\": %.4f, \"loss\": %.7g, \"recall\": [%.6f, %.6f, %.6f, %.6f], "
               "\"r_precision\": %.6f, \"map_at_r\": %.6f, \"eval_s\": %.4f, \"eval_cpu_s\": %.4f}", i ? ", " : "", w->epoch,
               w->train_s, w->train_cpu_s, w->loss, w->m.recall[0], w->m.recall[1], w->m.recall[2], w->m.recall[3],
               w->m.r_precision, w->m.map_at_r, w->eval_s, w->eval_cpu_s);
    }
    printf("]}\n");
}

static void print_text(const cli *c, const train_result *r, size_t in)
{
    const train_row *last = &r->rows[r->nrows - 1];
    char shape[96];
    int o = c->o.conv ? snprintf(shape, sizeof shape, "conv %zu, %zu -> ", c->o.conv, 2 * c->o.conv) : 0;
    if (c->o.H) snprintf(shape + o, sizeof shape - (size_t)o, "%zu -> %zu -> %zu", in, c->o.H, c->o.D);
    else snprintf(shape + o, sizeof shape - (size_t)o, "%zu -> %zu (one linear layer)", in, c->o.D);
    printf("%s, %s protocol, %s, %d thread(s), %s, M = %zu, %zu steps/epoch\n",
           dml_loss_name(c->o.params.loss), train_protocol_name(c->protocol), dml_isa_name(r->isa),
           c->o.threads, shape, c->o.M, r->steps_per_epoch);
    for (size_t i = 0; i < r->nrows; i++) {
        char what[40];
        snprintf(what, sizeof what, "epoch %d (loss %.4f)", r->rows[i].epoch, r->rows[i].loss);
        metrics_line(stdout, what, &r->rows[i].m);
    }
    if (last->epoch)
        printf("training %.3f s/epoch (CPU %.3f s/epoch); step median %.3f ms, %.3f GFLOP a step, "
               "%.1f GFLOP/s; evaluation %.3f s (CPU %.3f s, %zu queries)\n",
               last->train_s / last->epoch, last->train_cpu_s / last->epoch,
               r->step_s_median * 1e3, r->step_flops * 1e-9, r->gflops, last->eval_s, last->eval_cpu_s,
               last->m.queries);
}

int cmd_train(int argc, char **argv)
{
    cli c;
    if (parse(&c, argc, argv)) return 1;
    const char *dir = c.data ? c.data : train_default_data_dir();
    train_data d;
    char err[512], need[32], have[32];
    double bytes = train_bytes(c.o.H, c.o.D, c.o.M, c.eval_limit), avail = memory_available();
    if (bytes > avail) /* refused before it allocates (and the OOM killer ends it) */
        return die("train: H = %zu, D = %zu, M = %zu need about %s of memory, more than the %s this process may use",
                   c.o.H, c.o.D, c.o.M, bytes_text(bytes, need, sizeof need), bytes_text(avail, have, sizeof have));
    if (c.eval_limit && train_limits_check(dir, c.protocol, c.eval_limit, err, sizeof err))
        return die("train: --eval-limit %zu: %s", c.eval_limit, err);
    if (train_data_load(dir, c.protocol, c.train_limit, c.eval_limit, &d, err, sizeof err))
        return die("train: %s%s", err, c.data ? "" : " (the default data set is the Debian package "
                   "dataset-fashion-mnist: make deps-train, or --data DIR)");
    retrieval_metrics px, raw;
    double px_s = 0;
    int rc = 0;
    if (c.baseline) {
        if (train_pixel_baseline(&d, 1, c.o.isa, c.o.threads, &px, &px_s, err, sizeof err) ||
            train_pixel_baseline(&d, 0, c.o.isa, c.o.threads, &raw, NULL, err, sizeof err))
            rc = die("train: pixel baseline: %s", err);
        else if (!c.json) {
            metrics_line(stdout, "pixels (standardised)", &px);
            metrics_line(stdout, "pixels (x / 255)", &raw);
            printf("%-22s %.3f s (standardised pixels, %zu dimensions)\n", "pixel retrieval", px_s,
                   d.eval.dim);
        }
    }
    train_result r;
    c.o.progress = progress;
    if (!rc && train_run(&c.o, &d, &r, err, sizeof err)) rc = die("%s", err);
    if (!rc) {
        c.json ? print_json(&c, &r, c.baseline ? &px : NULL, &raw, px_s) : print_text(&c, &r, d.train.dim);
        if (c.csv) rc = write_csv(c.csv, &r);
        train_result_free(&r);
    }
    train_data_free(&d);
    return rc;
}
