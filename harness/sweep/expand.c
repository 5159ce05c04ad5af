/* expand.c — from a parsed definition to the study's points: every unit
 * (a loss or a kernel) gets the cartesian product of the keys it is swept
 * over; every point is checked and keyed before anything runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/text.h"
#include "point/params.h"
#include "sweep/study.h"

/* The value list of key id for a unit in section s: quick over normal,
 * section over top. */
static const kv *lookup(const definition *def, int s, int id, int quick)
{
    if (quick && s != SEC_TOP && def->sec[s].q[id].set) return &def->sec[s].q[id];
    if (s != SEC_TOP && def->sec[s].k[id].set) return &def->sec[s].k[id];
    if (quick && def->sec[SEC_TOP].q[id].set) return &def->sec[SEC_TOP].q[id];
    if (def->sec[SEC_TOP].k[id].set) return &def->sec[SEC_TOP].k[id];
    return NULL;
}

/* Does key id change what a unit (PK_*: loss, kernel, train, baseline) computes? */
static int relevant(int kind, int which, int id)
{
    int is_kernel = kind == PK_KERNEL;
    if (kind == PK_BASELINE)
        return id == K_PROTOCOL || id == K_TRAIN_LIMIT || id == K_EVAL_LIMIT || id == K_ISA || id == K_THREADS ||
               id == K_DATA;
    if (id >= K_PARAM0)
        return !is_kernel && param_applies(id - K_PARAM0, (dml_loss)which);
    if (kind == PK_TRAIN)
        return key_unit_only(id) == 1 ? id != K_TRAIN && id != K_BASELINE
             : id == K_M || id == K_D || id == K_SEED || id == K_ISA || id == K_THREADS || id == K_PER_CLASS;
    switch (id) {
    case K_M: case K_C: case K_D: case K_REPS: case K_WARMUP: case K_MAX_SECONDS: case K_ISA: case K_SEED:
        return 1;
    case K_THREADS: case K_PER_CLASS: case K_CLASSES: case K_NOISE: case K_PROXY_NOISE:
        return !is_kernel;
    default: return 0;
    }
}

void point_key(const sweep_point *p, int threads, char *out, size_t len)
{
    if (p->kind == PK_TRAIN || p->kind == PK_BASELINE) {
        learn_point_key(p, threads, out, len);
        return;
    }
    const point_spec *s = &p->sp;
    const batch_spec *b = &s->batch;
    size_t o = (size_t)snprintf(out, len, "%s=%s;isa=%s;threads=%d;M=%zu;C=%zu;D=%zu;seed=%llu;reps=%d;warmup=%d;budget=%g",
                                p->is_kernel ? "kernel" : "loss",
                                p->is_kernel ? kernel_names[p->kernel] : dml_loss_name(s->params.loss),
                                dml_isa_name(s->isa), threads, b->M, b->C, b->D,
                                (unsigned long long)b->seed, s->reps, s->warmup, p->max_seconds);
    if (p->is_kernel || o >= len) return;
    o += (size_t)snprintf(out + o, len - o, ";per_class=%zu;noise=%g;proxy_noise=%g", b->per_class,
                          (double)b->noise, (double)b->proxy_noise);
    if (o >= len) return;
    params_key(&s->params, out + o, len - o);
}

/* Its work in FLOPs: a timing point's step (or kernel call), a learning
 * point's whole training (learn_point.c); eta.c turns it into seconds. */
static double point_flops(const sweep_point *p)
{
    if (p->kind == PK_TRAIN || p->kind == PK_BASELINE) return learn_point_cost(p);
    const batch_spec *b = &p->sp.batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D, c;
    if (p->is_kernel)
        c = p->kernel == KER_GEMM ? 2 * M * C * D : p->kernel == KER_LSE ? 20 * M * C : 5 * M * D;
    else if (dml_loss_kind_of(p->sp.params.loss) == DML_KIND_PROXY) {
        double R = C * (double)dml_proxy_rows(&p->sp.params, 1); /* SoftTriple: C·K */
        double r = param_value(&p->sp.params, param_name_index("proxy_sample"));
        if (r < 1) R = r * R > M ? r * R : M; /* sampled proxies: the step runs on the sample */
        c = 6 * M * R * D + 20 * M * R;
    } else if (dml_loss_order(p->sp.params.loss, NULL, NULL) <= 2)
        c = 3 * M * M * D + 20 * M * M;
    else
        c = 3 * M * M * D + 5 * M * M * (double)b->per_class;
    if (p->sp.isa == DML_ISA_REF) c *= 20; /* the scalar kernels are ~20x slower */
    return c;
}

/* One unit's expansion: its keys, the swept ones in the order of their lines. */
typedef struct unit {
    const char *file;
    int kind, is_kernel, which, line, cli_threads;
    const kv *val[K_MAX];
    int order[K_MAX], nsw;
} unit;

/* Sets the value v of key id on point p; 1 after a message. */
static int apply_key(const unit *u, int id, double v, sweep_point *p)
{
    batch_spec *b = &p->sp.batch;
    switch (id) {
    case K_M: b->M = (size_t)v; break;
    case K_C: b->C = (size_t)v; break;
    case K_D: b->D = (size_t)v; break;
    case K_PER_CLASS: b->per_class = (size_t)v; break;
    case K_NOISE: b->noise = (float)v; break;
    case K_PROXY_NOISE: b->proxy_noise = (float)v; break;
    case K_SEED: b->seed = (uint64_t)v; break;
    case K_REPS: p->sp.reps = (int)v; break;
    case K_WARMUP: p->sp.warmup = (int)v; break;
    case K_MAX_SECONDS: p->max_seconds = v; break;
    case K_ISA: p->sp.isa = (dml_isa)(int)v; break;
    case K_THREADS: p->sp.threads = (int)v; break;
    case K_PROTOCOL: p->ls.protocol = (int)v; break;
    case K_H: p->ls.H = (size_t)v; break;
    case K_EPOCHS: p->ls.epochs = (int)v; break;
    case K_LR: p->ls.lr = v; break;
    case K_TRAIN_LIMIT: p->ls.train_limit = (size_t)v; break;
    case K_EVAL_LIMIT: p->ls.eval_limit = (size_t)v; break;
    case K_EVAL_EVERY: p->ls.eval_every = (int)v; break;
    case K_EVAL_UNTRAINED: p->ls.eval_untrained = (int)v; break;
    case K_CONV: p->ls.conv = (size_t)v; break;
    case K_PROXY_LR_MULT: p->ls.proxy_lr_mult = v; break;
    case K_DATA: snprintf(p->ls.data, sizeof p->ls.data, "%s", u->val[id]->str); break;
    default:
        if (id >= K_PARAM0) {
            char s[40], err[200];
            snprintf(s, sizeof s, "%.9g", v);
            if (params_set(&p->sp.params, key_name(id), s, err, sizeof err))
                return def_error(u->file, u->val[id]->line, "%s", err);
        }
    }
    return 0;
}

/* A learning point: what train_run would refuse, refused now. */
static int check_learn_point(const unit *u, const sweep_point *p)
{
    const learn_spec *l = &p->ls;
    const kv *at;
    if (l->eval_limit == 1)
        return def_error(u->file, u->val[K_EVAL_LIMIT]->line, "eval_limit: 1 item retrieves nothing (at least 2)");
    if (p->kind == PK_TRAIN && p->sp.batch.M < 2)
        return def_error(u->file, (at = u->val[K_M]) ? at->line : u->line, "M: a training batch needs at least 2 items");
    if (strpbrk(l->data, ",;\"\n"))
        return def_error(u->file, u->val[K_DATA]->line, "data: '%s' has a comma, semicolon or quote "
                         "(the CSV and the point keys cannot hold it)", l->data);
    if (p->kind == PK_TRAIN && p->sp.batch.per_class > p->sp.batch.M)
        return def_error(u->file, u->val[K_PER_CLASS]->line, "per_class %zu is more than the batch (M = %zu)",
                         p->sp.batch.per_class, p->sp.batch.M);
    if (p->kind == PK_TRAIN && l->train_limit && l->train_limit < p->sp.batch.M)
        return def_error(u->file, u->val[K_TRAIN_LIMIT]->line, "train_limit %zu is smaller than the batch (M = %zu)",
                         l->train_limit, p->sp.batch.M);
    return 0;
}

/* What no single key checks: the classes a batch needs, Proxy-NCA's C >= 2. */
static int check_point(const unit *u, const sweep_point *p)
{
    if (p->kind == PK_TRAIN || p->kind == PK_BASELINE) return check_learn_point(u, p);
    const batch_spec *b = &p->sp.batch;
    size_t classes = (b->M + b->per_class - 1) / b->per_class;
    if (classes > b->C) {
        const kv *at = u->val[K_M] ? u->val[K_M] : u->val[K_C] ? u->val[K_C] : u->val[K_PER_CLASS];
        return def_error(u->file, at ? at->line : u->line,
                         "%s: M = %zu with %zu per class needs %zu classes, but C = %zu",
                         dml_loss_name(p->sp.params.loss), b->M, b->per_class, classes, b->C);
    }
    if (p->sp.params.loss == DML_LOSS_PROXY_NCA && !p->sp.params.u.nca.include_positive && b->C < 2) {
        const kv *at = u->val[K_C];
        return def_error(u->file, at ? at->line : u->line, "proxy_nca without include_positive needs C >= 2");
    }
    return 0;
}

/* The point at odometer position idx; 1 after a message. */
static int make_point(const unit *u, const int *idx, sweep_point *p)
{
    memset(p, 0, sizeof *p);
    p->kind = u->kind;
    p->is_kernel = u->is_kernel;
    p->kernel = u->is_kernel ? u->which : 0;
    p->line = u->line;
    point_spec_default(&p->sp, u->is_kernel || u->kind == PK_BASELINE ? DML_LOSS_PROXY_ANCHOR : (dml_loss)u->which);
    if (u->kind == PK_TRAIN || u->kind == PK_BASELINE) learn_point_default(p, u->kind, p->sp.params.loss);
    p->sp.reps = 10;
    p->sp.warmup = 1;
    p->sp.threads = u->cli_threads;
    p->max_seconds = 1.0;
    double cur[K_MAX];
    for (int id = 0; id < key_count(); id++)
        cur[id] = u->val[id] ? u->val[id]->v[0] : NAN;
    for (int s = 0; s < u->nsw; s++)
        cur[u->order[s]] = u->val[u->order[s]]->v[idx[u->order[s]]];
    for (int id = 0; id < key_count(); id++)
        if (u->val[id] && apply_key(u, id, cur[id], p)) return 1;
    batch_spec *b = &p->sp.batch;
    if (u->val[K_CLASSES]) { /* a fixed number of classes: k = M / classes grows with M */
        size_t cls = (size_t)cur[K_CLASSES];
        size_t k = (b->M + cls - 1) / cls;
        b->per_class = k < 2 ? 2 : k;
    }
    if (u->is_kernel) {
        p->sp.threads = 1;
        b->per_class = 1;
    } else if (check_point(u, p)) {
        return 1;
    }
    point_key(p, p->sp.threads, p->key, sizeof p->key);
    if (point_limits(p, u->file, u->line)) return 1;
    p->rows_want = p->kind == PK_TRAIN || p->kind == PK_BASELINE ? learn_point_rows(p) : 1;
    eta_model(p, point_flops(p));
    p->cost = eta_nominal(p);
    p->value = NAN;
    return 0;
}

/* The unit's keys; the swept ones ordered by line: the first key written
 * is the outermost loop.  1 after a message. */
static int unit_keys(unit *u, const definition *def, int sec, int quick)
{
    u->nsw = 0;
    int learn = u->kind == PK_TRAIN || u->kind == PK_BASELINE;
    for (int id = 0; id < key_count(); id++) {
        u->val[id] = relevant(u->kind, u->which, id) ? lookup(def, sec, id, quick) : NULL;
        if (u->val[id] && u->val[id]->n > 1) u->order[u->nsw++] = id;
        const scope *sc = &def->sec[sec];
        int set = sec != SEC_TOP && (sc->k[id].set || sc->q[id].set);
        if (set && key_unit_only(id) == (learn ? 2 : 1))
            return def_error(u->file, sc->k[id].set ? sc->k[id].line : sc->q[id].line,
                             "'%s' is a key of %s, but [%s] also makes a %s unit", key_name(id),
                             learn ? "timing units (losses, kernels)" : "train and baseline units",
                             dml_loss_name((dml_loss)u->which), learn ? "train" : "timing");
    }
    if (u->val[K_PER_CLASS] && u->val[K_CLASSES])
        return def_error(u->file, u->val[K_CLASSES]->line, "set per_class or classes_in_batch, not both (per_class on line %d)",
                         u->val[K_PER_CLASS]->line);
    for (int a = 1; a < u->nsw; a++)
        for (int b = a; b > 0 && u->val[u->order[b]]->line < u->val[u->order[b - 1]]->line; b--) {
            int t = u->order[b]; u->order[b] = u->order[b - 1]; u->order[b - 1] = t;
        }
    int list = u->kind == PK_KERNEL ? K_KERNELS : u->kind == PK_TRAIN ? K_TRAIN : u->kind == PK_BASELINE ? K_BASELINE
             : K_LOSSES;
    u->line = sec != SEC_TOP && def->sec[sec].line ? def->sec[sec].line : def->sec[SEC_TOP].k[list].line;
    return 0;
}

/* The points of a unit's grid (the product of its value counts, as a
 * double: it may not fit anything else); refused above the cap. */
static int check_grid(const unit *u, const study *st)
{
    double n = 1;
    for (int s = 0; s < u->nsw; s++) n *= u->val[u->order[s]]->n;
    if ((double)st->n + n <= STUDY_MAX_POINTS) return 0;
    char dims[256] = "";
    for (int s = 0, o = 0; s < u->nsw && o < (int)sizeof dims - 1; s++)
        o += snprintf(dims + o, sizeof dims - (size_t)o, "%s%s %d", s ? " x " : "", key_name(u->order[s]),
                      u->val[u->order[s]]->n);
    return def_error(u->file, u->line, "the grid has %.0f points (%s)%s, more than the %d a study may have",
                     (double)st->n + n, dims, st->n ? " with the units before it" : "", STUDY_MAX_POINTS);
}

/* Expands every point of one unit (PK_*: a loss, kernel, train or baseline). */
static int expand_unit(const char *file, const definition *def, int sec, int kind, int which,
                       int quick, int cli_threads, study *st)
{
    unit u = { .file = file, .kind = kind, .is_kernel = kind == PK_KERNEL, .which = which,
               .cli_threads = kind == PK_KERNEL ? 1 : cli_threads };
    if (unit_keys(&u, def, sec, quick) || check_grid(&u, st)) return 1;
    int idx[K_MAX] = { 0 };
    for (;;) {
        sweep_point *p = grow_slot(&st->pts, &st->cap, st->n, sizeof *st->pts, 64);
        if (make_point(&u, idx, p)) return 1;
        st->n++;
        /* odometer: the last swept key turns fastest */
        int s = u.nsw - 1;
        for (; s >= 0; s--) {
            int id = u.order[s];
            if (++idx[id] < u.val[id]->n) break;
            idx[id] = 0;
        }
        if (s < 0) return 0;
    }
}

/* The study's name (its `study` key, or the file's stem, checked: names.c)
 * and title; 1 after a message. */
static int study_names(study *st, const char *file, const scope *top)
{
    snprintf(st->path, sizeof st->path, "%s", file);
    snprintf(st->title, sizeof st->title, "%s", top->k[K_TITLE].set ? top->k[K_TITLE].str : "");
    if (top->k[K_STUDY].set) { /* checked when its line was read */
        snprintf(st->name, sizeof st->name, "%.*s", STUDY_NAME_MAX, top->k[K_STUDY].str);
    } else {
        const char *base = strrchr(file, '/');
        char stem[4096], why[300];
        snprintf(stem, sizeof stem, "%s", base ? base + 1 : file);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem) *dot = 0;
        if (study_name_check(stem, 1, why, sizeof why))
            return def_error(file, 1, "the file's stem names the study, and %s: name it with a 'study' line", why);
        snprintf(st->name, sizeof st->name, "%.*s", STUDY_NAME_MAX, stem);
    }
    if (!st->title[0]) snprintf(st->title, sizeof st->title, "%s", st->name);
    return 0;
}

/* The top-level keys with one value: fit_min_M and passes. */
static int study_settings(study *st, const char *file, const definition *def, int quick)
{
    const kv *fm = lookup(def, SEC_TOP, K_FIT_MIN_M, quick);
    st->fit_min_M = fm ? fm->v[0] : 0;
    st->fit_line = fm ? fm->line : 0;
    if (fm && fm->n != 1) return def_error(file, fm->line, "fit_min_M takes one value");
    const kv *pa = lookup(def, SEC_TOP, K_PASSES, quick);
    if (pa && pa->n != 1) return def_error(file, pa->line, "passes takes one value");
    if (pa && pa->v[0] > STUDY_MAX_PASSES)
        return def_error(file, pa->line, "passes: %g is more than %d", pa->v[0], STUDY_MAX_PASSES);
    st->passes = pa ? (int)pa->v[0] : 1;
    return 0;
}

/* A key only one kind of unit reads, set at the top of a study without such
 * a unit, is a mistake the study would not show: refused.  So is `passes`
 * with training (a training run is not a timing to repeat). */
static int check_unit_keys(const char *file, const definition *def, int learn, int timing)
{
    const scope *top = &def->sec[SEC_TOP];
    for (int id = 0; id < key_count(); id++) {
        int only = key_unit_only(id), line = top->k[id].set ? top->k[id].line : top->q[id].line;
        if (!top->k[id].set && !top->q[id].set) continue;
        if (only == 1 && !learn && id != K_TRAIN && id != K_BASELINE)
            return def_error(file, line, "'%s' is a key of train and baseline units, and this study has none "
                             "(name them with 'train' or 'baseline')", key_name(id));
        if (only == 2 && !timing)
            return def_error(file, line, "'%s' is a key of timing units (losses, kernels), and this study has none",
                             key_name(id));
    }
    const kv *pa = &top->k[K_PASSES];
    if (learn && pa->set && pa->v[0] > 1)
        return def_error(file, pa->line, "passes: a study with train or baseline units runs each point once");
    return 0;
}

/* Units in the order the file gives them: the `losses` list, then sections
 * (in a study without `train`: with it, a [loss] section gives keys to the
 * loss's train unit instead), kernels, then `train` and `baseline`. */
static int expand_units(const char *file, const definition *def, int quick, int cli_threads, study *st)
{
    const scope *top = &def->sec[SEC_TOP];
    const kv *ls = &top->k[K_LOSSES], *ks = &top->k[K_KERNELS], *ts = &top->k[K_TRAIN], *bs = &top->k[K_BASELINE];
    int have_ker[KER_COUNT] = { 0 }, order_l[DML_LOSS_COUNT], nl = 0, rc = 0, learn = ts->set || bs->set;
    for (int i = 0; i < ks->n; i++) have_ker[(int)ks->v[i]] = 1;
    for (int k = 0; k < KER_COUNT; k++) if (def->sec[SEC_KER0 + k].used) have_ker[k] = 1;
    for (int i = 0; i < ls->n; i++) order_l[nl++] = (int)ls->v[i];
    for (int l = 0; l < DML_LOSS_COUNT && !learn; l++) {
        int seen = 0;
        for (int i = 0; i < nl; i++) seen |= order_l[i] == l;
        if (def->sec[SEC_LOSS0 + l].used && !seen) order_l[nl++] = l;
    }
    int timing = nl > 0;
    for (int k = 0; k < KER_COUNT; k++) timing |= have_ker[k];
    if (check_unit_keys(file, def, learn, timing)) return 1;
    for (int i = 0; i < nl && !rc; i++) {
        int s = SEC_LOSS0 + order_l[i];
        rc = expand_unit(file, def, def->sec[s].used ? s : SEC_TOP, PK_LOSS, order_l[i], quick, cli_threads, st);
    }
    for (int k = 0; k < KER_COUNT && !rc; k++)
        if (have_ker[k])
            rc = expand_unit(file, def, def->sec[SEC_KER0 + k].used ? SEC_KER0 + k : SEC_TOP, PK_KERNEL, k, quick, 1, st);
    for (int i = 0; i < ts->n && !rc; i++) {
        int l = (int)ts->v[i], s = SEC_LOSS0 + l;
        rc = expand_unit(file, def, def->sec[s].used ? s : SEC_TOP, PK_TRAIN, l, quick, cli_threads, st);
    }
    for (int i = 0; i < bs->n && !rc; i++)
        rc = expand_unit(file, def, SEC_TOP, PK_BASELINE, (int)bs->v[i], quick, cli_threads, st);
    return rc;
}

int load_study_text(const char *file, char *text, size_t len, int quick, int cli_threads, study *st)
{
    memset(st, 0, sizeof *st);
    definition *def = malloc(sizeof *def);
    if (!def) return die("sweep: out of memory");
    int rc = parse_definition_text(file, text, len, def);
    if (rc) { free(def); return rc; }
    rc = study_names(st, file, &def->sec[SEC_TOP]) || study_settings(st, file, def, quick) ||
         expand_units(file, def, quick, cli_threads, st);
    free(def);
    if (!rc && st->n == 0)
        rc = def_error(file, 1, "defines no points (name losses with 'losses', kernels with 'kernels', training with 'train' or "
                       "'baseline', or a [loss] section)");
    size_t first, again;
    if (!rc && pointset_build(st, &first, &again))
        rc = def_error(file, st->pts[again].line, "two points are the same (%s)", st->pts[again].key);
    if (!rc) rc = fit_limits(st, file);
    return rc;
}

int load_study(const char *file, int quick, int cli_threads, study *st)
{
    memset(st, 0, sizeof *st);
    size_t len;
    char err[256];
    char *text = read_text(file, &len, err, sizeof err);
    if (!text) return die("sweep: %s: %s", file, err);
    int rc = load_study_text(file, text, len, quick, cli_threads, st);
    free(text);
    return rc;
}

void study_free(study *st)
{
    for (size_t p = 0; p < st->n; p++) free(st->pts[p].row);
    free(st->pts);
    free(st->hash);
    memset(st, 0, sizeof *st);
}
