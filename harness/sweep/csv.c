/* csv.c — the results table: its columns (the loss parameters among them,
 * from the parameter table), one row per point, the file written whole. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "point/params.h"
#include "sweep/study.h"

/* A train or baseline row's evaluation (fmt_learn_cols); empty in timing rows. */
#define LEARN_COLUMNS "protocol,H,epochs,lr,epoch,train_s,train_cpu_s,recall_at_1,recall_at_2,recall_at_4," \
                      "recall_at_8,r_precision,map_at_r,queries,eval_s,data,conv,proxy_lr_mult"
enum { LEARN_NCOLS = 18 };

const char *csv_header(void)
{
    static char h[2048];
    if (h[0]) return h;
    size_t o = (size_t)snprintf(h, sizeof h, "%s",
        "study,point,kind,name,isa,threads,M,C,D,per_class,classes,noise,proxy_noise,seed,reps,warmup");
    for (int i = 0; i < param_name_count(); i++)
        o += (size_t)snprintf(h + o, sizeof h - o, ",%s", param_name(i));
    snprintf(h + o, sizeof h - o, "%s",
        ",value,fwd_min_ms,fwd_median_ms,fwd_p90_ms,bwd_min_ms,bwd_median_ms,bwd_p90_ms,"
        "total_min_ms,total_median_ms,total_p90_ms,cpu_min_ms,cpu_median_ms,fwd_gflop,bwd_gflop,gflops_min,gflops_median,"
        "gelem_per_s,fwd_products_min_ms,specific_min_ms,p_mb_per_step,mb_per_step,peak_rss_mb,"
        "grad_x_mean,grad_x_max,grad_p_mean,pos_top1_share,pos_eff_n,neg_top1_share,neg_eff_n,"
        "proxy_pos_top1_share,proxy_pos_eff_n,active_frac,pos_anchors,neg_anchors,value_err_vs_1thread,"
        LEARN_COLUMNS ",host,passes,key");
    return h;
}

/* A number field: empty for NaN/inf (gnuplot and CSV readers take it as missing). */
void sb_num(sbuf *b, double v)
{
    if (isfinite(v)) sb_add(b, ",%.6g", v);
    else sb_add(b, ",");
}

void sb_empty(sbuf *b, int n)
{
    for (int i = 0; i < n; i++) sb_add(b, ",");
}

/* What the point is: study, point (its index in the whole study, also in a
 * shard), kind, unit, ISA, threads, shape, batch, parameters.  A learning
 * point has no synthetic batch: C is left to its evaluation columns, the
 * generator's fields are empty, and so are reps and warmup. */
void fmt_what(sbuf *b, const study *st, const sweep_point *p, const char *kind, const char *name,
              const char *isa, int threads)
{
    const point_spec *s = &p->sp;
    const batch_spec *bs = &s->batch;
    int learn = p->kind == PK_TRAIN || p->kind == PK_BASELINE;
    sb_add(b, "%s,%zu,%s,%s,%s,%d", st->name, p->gidx, kind, name, isa, threads);
    if (p->kind == PK_BASELINE) sb_empty(b, 3);
    else if (learn) sb_add(b, ",%zu,,%zu", bs->M, bs->D);
    else sb_add(b, ",%zu,%zu,%zu", bs->M, bs->C, bs->D);
    if (p->kind == PK_TRAIN) {  /* per_class only: 0 spreads M over min(M, classes) classes */
        sb_add(b, ",%zu", bs->per_class);
        sb_empty(b, 3);
    } else if (p->is_kernel || learn) sb_empty(b, 4);
    else sb_add(b, ",%zu,%zu,%g,%g", bs->per_class, (bs->M + bs->per_class - 1) / bs->per_class,
                (double)bs->noise, (double)bs->proxy_noise);
    if (p->kind == PK_BASELINE) sb_empty(b, 1);
    else sb_add(b, ",%llu", (unsigned long long)bs->seed);
    if (learn) sb_empty(b, 2);
    else sb_add(b, ",%d,%d", s->reps, s->warmup);
    for (int i = 0; i < param_name_count(); i++)
        sb_num(b, p->is_kernel || p->kind == PK_BASELINE ? NAN : param_value(&s->params, i));
}

void fmt_learn_cols(sbuf *b, const sweep_point *p, const train_row *w)
{
    if (!w) {
        sb_empty(b, LEARN_NCOLS);
        return;
    }
    const learn_spec *l = &p->ls;
    sb_add(b, ",%s", learn_protocol_name(l->protocol));
    if (p->kind == PK_TRAIN) sb_add(b, ",%zu,%d,%g", l->H, l->epochs, l->lr);
    else sb_empty(b, 3);
    sb_add(b, ",%d", w->epoch);
    sb_num(b, w->train_s);
    sb_num(b, w->train_cpu_s);
    for (int k = 0; k < 4; k++) sb_num(b, w->m.recall[k]);
    sb_num(b, w->m.r_precision);
    sb_num(b, w->m.map_at_r);
    sb_add(b, ",%zu", w->m.queries);
    sb_num(b, w->eval_s);
    sb_add(b, ",%s", l->data);
    if (p->kind == PK_TRAIN) sb_add(b, ",%zu,%g", l->conv, l->proxy_lr_mult);
    else sb_empty(b, 2);
}

/* Its times, rates, the products timed alone and the loss-specific time. */
static void fmt_times(sbuf *b, const sweep_point *p, const point_result *r, double gelem, double prod_min,
                      double specific)
{
    sb_num(b, p->is_kernel ? NAN : r->loss);
    const sample_stats *t3[3] = { &r->fwd_ns, &r->bwd_ns, &r->total_ns };
    for (int i = 0; i < 3; i++) {
        sb_num(b, t3[i]->min / 1e6);
        sb_num(b, t3[i]->median / 1e6);
        sb_num(b, t3[i]->p90 / 1e6);
    }
    sb_num(b, r->cpu_ns.min / 1e6);
    sb_num(b, r->cpu_ns.median / 1e6);
    double fl = r->fwd_flops + r->bwd_flops;
    sb_num(b, r->fwd_flops / 1e9);
    sb_num(b, r->bwd_flops / 1e9);
    sb_num(b, fl > 0 ? fl / r->total_ns.min : NAN);
    sb_num(b, fl > 0 ? fl / r->total_ns.median : NAN);
    sb_num(b, gelem);
    sb_num(b, prod_min / 1e6);
    sb_num(b, specific / 1e6);
    /* a kernel point has no step: no traffic model, no peak of its own */
    sb_num(b, p->is_kernel ? NAN : r->p_bytes / 1e6);
    sb_num(b, p->is_kernel ? NAN : r->bytes / 1e6);
    sb_num(b, p->is_kernel ? NAN : r->peak_rss / 1e6);
}

void fmt_row(sbuf *b, const study *st, size_t idx, const sweep_point *p, const point_result *r,
             const char *isa, int threads, double gelem, double prod_min, double specific, double value_err)
{
    (void)idx;
    fmt_what(b, st, p, p->is_kernel ? "kernel" : "loss",
             p->is_kernel ? kernel_names[p->kernel] : dml_loss_name(p->sp.params.loss), isa, threads);
    fmt_times(b, p, r, gelem, prod_min, specific);
    const dml_gradstats *g = &r->gs;
    if (p->is_kernel) {
        sb_empty(b, 13);
        fmt_learn_cols(b, p, NULL);
        sb_add(b, ",%s", host_name());
        return;
    }
    sb_num(b, g->grad_x_mean); sb_num(b, g->grad_x_max); sb_num(b, g->grad_p_mean);
    sb_num(b, g->pos_top1_share); sb_num(b, g->pos_eff_n);
    sb_num(b, g->neg_top1_share); sb_num(b, g->neg_eff_n);
    sb_num(b, g->proxy_pos_top1_share); sb_num(b, g->proxy_pos_eff_n);
    sb_num(b, g->active_frac);
    sb_add(b, ",%zu,%zu", g->pos_anchors, g->neg_anchors);
    sb_num(b, value_err);
    fmt_learn_cols(b, p, NULL);
    sb_add(b, ",%s", host_name()); /* where it was measured: resume keeps a row's host */
}

const char *host_name(void)
{
    static char h[256];
    if (!h[0] && (gethostname(h, sizeof h - 1) || !h[0])) snprintf(h, sizeof h, "unknown");
    h[strcspn(h, ",\n\"")] = 0; /* a CSV field */
    return h;
}

/* The fields of one line (up to its newline). */
static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s && *s != '\n'; s++) n += *s == ',';
    return n;
}

/* Every line of a point's row, each with the point's passes and key. */
int write_csv(const study *st, const char *path, char *err, size_t errlen)
{
    sbuf b = { 0 };
    if (csv_text(st, &b, err, errlen)) return 1;
    int rc = write_file_atomic(path, b.s, b.n, err, errlen);
    free(b.s);
    return rc;
}

int csv_text(const study *st, sbuf *out, char *err, size_t errlen)
{
    sbuf b = { 0 };
    sb_add(&b, "%s\n", csv_header());
    size_t nh = count_fields(csv_header());
    for (size_t i = 0; i < st->n; i++)
        for (const char *line = st->pts[i].row; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            if (count_fields(line) + 2 != nh) {
                snprintf(err, errlen, "internal error: row %zu has %zu fields, the header %zu", i,
                         count_fields(line) + 2, nh);
                free(b.s);
                return 1;
            }
            sb_add(&b, "%.*s,%d,%s\n", (int)strcspn(line, "\n"), line, st->pts[i].passes_done, st->pts[i].key);
        }
    *out = b;
    return 0;
}
