/* learn_run.c — one pass of a learning point: the data of its protocol and
 * limits (loaded once per process and kept: 70 000 gzip images take about a
 * second, a study has tens of points), then train_run (a train point: one
 * CSV line per evaluation) or the pixel baseline (two lines: x / 255, which
 * is what the PyTorch reference's "raw pixels" measured, and the pixels
 * standardised as the network sees them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/study.h"

/* Loaded data sets, by (protocol, train_limit, eval_limit).  A closed and an
 * open set are ~220 MB each; the learning studies use at most four. */
enum { CACHE_MAX = 4 };
static struct cached {
    int used, protocol;
    char data[256];
    size_t train_limit, eval_limit;
    train_data d;
} cache[CACHE_MAX];
static int cache_next;

static const train_data *data_for(const learn_spec *l, char *err, size_t errlen)
{
    for (int i = 0; i < CACHE_MAX; i++)
        if (cache[i].used && cache[i].protocol == l->protocol && cache[i].train_limit == l->train_limit &&
            cache[i].eval_limit == l->eval_limit && !strcmp(cache[i].data, l->data))
            return &cache[i].d;
    struct cached *c = &cache[cache_next];
    cache_next = (cache_next + 1) % CACHE_MAX;
    if (c->used) train_data_free(&c->d); /* the oldest goes */
    c->used = 0;
    char e[512];
    if (train_data_load(learn_data_dir(l->data), (train_protocol)l->protocol, l->train_limit, l->eval_limit,
                        &c->d, e, sizeof e)) {
        snprintf(err, errlen, "%s (%s)", e, !strcmp(l->data, "fashion-mnist")
                 ? "the data set is the Debian package dataset-fashion-mnist: make deps-train"
                 : !strcmp(l->data, "glyphs") ? "the glyph set: make data-glyphs, or DML_GLYPHS=DIR" : "data: a directory of IDX files");
        return NULL;
    }
    snprintf(c->data, sizeof c->data, "%s", l->data);
    c->used = 1;
    c->protocol = l->protocol;
    c->train_limit = l->train_limit;
    c->eval_limit = l->eval_limit;
    return &c->d;
}

/* One line: what the point is, the timing columns (only the median step
 * and its rate, for a train point), the evaluation. */
static void fmt_learn_line(sbuf *b, const study *st, const sweep_point *p, const char *name, const char *isa,
                           double loss, double step_s, double gflops, const train_row *w)
{
    if (b->n) sb_add(b, "\n");
    fmt_what(b, st, p, p->kind == PK_TRAIN ? "train" : "baseline", name, isa, p->sp.threads);
    sb_num(b, loss);
    sb_empty(b, 7);               /* fwd_*, bwd_*, total_min_ms */
    sb_num(b, step_s * 1e3);      /* total_median_ms: the median training step */
    sb_empty(b, 6);               /* total_p90_ms, cpu_*, fwd_gflop, bwd_gflop, gflops_min */
    sb_num(b, gflops);            /* gflops_median */
    sb_empty(b, 3 + 3 + 13);      /* gelem_per_s ... specific_min_ms, p_mb_per_step ... peak_rss_mb, the gradient statistics */
    fmt_learn_cols(b, p, w);
    sb_add(b, ",%s", host_name());
}

/* The point's lines, replacing any it had (a learning point runs once). */
static void keep_rows(sweep_point *p, sbuf *b, int nrows, const char *isa)
{
    free(p->row);
    p->row = b->s;
    p->nrows = nrows;
    p->passes_done++;
    snprintf(p->isa, sizeof p->isa, "%s", isa);
}

static train_opts opts_of(const sweep_point *p)
{
    train_opts o;
    train_opts_default(&o, p->sp.params.loss);
    o.params = p->sp.params;
    o.M = p->sp.batch.M;
    o.D = p->sp.batch.D;
    o.H = p->ls.H;
    o.conv = p->ls.conv;
    o.per_class = p->sp.batch.per_class;
    o.proxy_lr_mult = (float)p->ls.proxy_lr_mult;
    o.epochs = p->ls.epochs;
    o.lr = (float)p->ls.lr;
    o.seed = p->sp.batch.seed;
    o.isa = p->sp.isa;
    o.threads = p->sp.threads;
    o.eval_every = p->ls.eval_every;
    o.eval_untrained = p->ls.eval_untrained;
    return o;
}

static int run_train(study *st, sweep_point *p, const train_data *d, char *err, size_t errlen)
{
    train_opts o = opts_of(p);
    if (o.isa == DML_ISA_AUTO) o.isa = dml_isa_default();
    train_result r;
    if (train_run(&o, d, &r, err, errlen)) return 1;
    sbuf b = { 0 };
    int n = 0;
    const char *isa = dml_isa_name(r.isa);
    for (size_t i = 0; i < r.nrows; i++) {
        if (!isfinite(r.rows[i].m.recall[0])) continue; /* the untrained row, not evaluated */
        fmt_learn_line(&b, st, p, dml_loss_name(p->sp.params.loss), isa, r.rows[i].loss, r.step_s_median,
                       r.gflops, &r.rows[i]);
        n++;
    }
    train_result_free(&r);
    if (n != p->rows_want) {
        free(b.s);
        snprintf(err, errlen, "internal error: %d evaluations, the point expects %d", n, p->rows_want);
        return 1;
    }
    keep_rows(p, &b, n, isa);
    return 0;
}

static int run_baseline(study *st, sweep_point *p, const train_data *d, char *err, size_t errlen)
{
    dml_isa isa = p->sp.isa == DML_ISA_AUTO ? dml_isa_default() : p->sp.isa;
    static const char *const names[2] = { "pixels", "pixels_standardised" };
    sbuf b = { 0 };
    for (int standardised = 0; standardised < 2; standardised++) {
        train_row w = { 0 };
        if (train_pixel_baseline(d, standardised, isa, p->sp.threads, &w.m, &w.eval_s, err, errlen)) {
            free(b.s);
            return 1;
        }
        fmt_learn_line(&b, st, p, names[standardised], dml_isa_name(isa), NAN, NAN, NAN, &w);
    }
    keep_rows(p, &b, 2, dml_isa_name(isa));
    return 0;
}

int run_learn_point(study *st, size_t idx, char *err, size_t errlen)
{
    sweep_point *p = &st->pts[idx];
    const train_data *d = data_for(&p->ls, err, errlen);
    if (!d) return 1;
    return p->kind == PK_TRAIN ? run_train(st, p, d, err, errlen) : run_baseline(st, p, d, err, errlen);
}
