/* sweep.c — `dmlbench sweep`: reads study definitions (experiments/<study>.txt),
 * runs every point, writes results/<study>.csv and .json (with provenance),
 * fits the complexity of the batch study.
 *
 * Definition format (one study a file; `#` starts a comment):
 *
 *   study   batch                     output name (default: the file's stem)
 *   title   free text                 shown in the JSON
 *   losses  proxy_anchor ms | all     losses run with the top-level keys
 *   kernels gemm lse normalize | all  kernels timed alone (ISA study)
 *   M       geom 16 1024 13           a key with several values is swept
 *   D       64 128 256                (cartesian product, first key outermost)
 *   delta   range 0 0.4 0.1           LO HI STEP, inclusive
 *   isa     all                       every ISA this machine runs
 *   threads all                       1, 2, 4, ... up to the cores, and the cores
 *   quick M 64 128                    used instead of `M ...` with --quick
 *   [proxy_anchor]                    a section: keys for this loss (or kernel) only
 *
 * Keys: M C D per_class classes_in_batch noise proxy_noise seed reps warmup
 * max_seconds isa threads, the loss parameters of params_set (alpha delta
 * scale include_positive beta base epsilon mine margin), and at the top level
 * study title losses kernels fit_min_M passes.
 *
 * passes N runs every point N times, one pass over all points after another
 * (so a burst of load on the shared machine hits one pass, not one point),
 * and keeps each point's pass with the fastest step (column passes).
 *
 * Every definition is parsed and every point expanded and checked before
 * anything runs; an error names the file and line.  Results are written
 * through a temporary file and rename: <study>.partial.csv after every point
 * (what --resume reads), <study>.csv and <study>.json when the study ends. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fit.h"
#include "harness.h"
#include "provenance.h"

static const char sweep_usage[] =
    "usage: dmlbench sweep [--resume] [--quick] [--threads N] [--out DIR] experiments/<study>.txt...\n";

/* ------------------------------------------------------------------ keys */

typedef enum ktype {
    T_INT_POS, T_INT_NONNEG, T_U64, T_FLOAT_POS, T_FLOAT_NONNEG, T_FLOAT_ANY, T_FLAG,
    T_ISA, T_THREADS, T_LOSSES, T_KERNELS, T_STRING
} ktype;

enum {
    K_STUDY, K_TITLE, K_LOSSES, K_KERNELS, K_FIT_MIN_M, K_PASSES,
    K_M, K_C, K_D, K_PER_CLASS, K_CLASSES, K_NOISE, K_PROXY_NOISE, K_SEED, K_REPS, K_WARMUP,
    K_MAX_SECONDS, K_ISA, K_THREADS,
    K_ALPHA, K_DELTA, K_SCALE, K_INCLUDE_POSITIVE, K_BETA, K_BASE, K_EPSILON, K_MINE, K_MARGIN,
    K_COUNT
};

static const struct {
    const char *name;
    ktype type;
    int top_only;
} keys[K_COUNT] = {
    [K_STUDY] = { "study", T_STRING, 1 },
    [K_TITLE] = { "title", T_STRING, 1 },
    [K_LOSSES] = { "losses", T_LOSSES, 1 },
    [K_KERNELS] = { "kernels", T_KERNELS, 1 },
    [K_FIT_MIN_M] = { "fit_min_M", T_INT_POS, 1 },
    [K_PASSES] = { "passes", T_INT_POS, 1 },
    [K_M] = { "M", T_INT_POS, 0 },
    [K_C] = { "C", T_INT_POS, 0 },
    [K_D] = { "D", T_INT_POS, 0 },
    [K_PER_CLASS] = { "per_class", T_INT_POS, 0 },
    [K_CLASSES] = { "classes_in_batch", T_INT_POS, 0 },
    [K_NOISE] = { "noise", T_FLOAT_NONNEG, 0 },
    [K_PROXY_NOISE] = { "proxy_noise", T_FLOAT_NONNEG, 0 },
    [K_SEED] = { "seed", T_U64, 0 },
    [K_REPS] = { "reps", T_INT_POS, 0 },
    [K_WARMUP] = { "warmup", T_INT_NONNEG, 0 },
    [K_MAX_SECONDS] = { "max_seconds", T_FLOAT_POS, 0 },
    [K_ISA] = { "isa", T_ISA, 0 },
    [K_THREADS] = { "threads", T_THREADS, 0 },
    [K_ALPHA] = { "alpha", T_FLOAT_POS, 0 },
    [K_DELTA] = { "delta", T_FLOAT_NONNEG, 0 },
    [K_SCALE] = { "scale", T_FLOAT_POS, 0 },
    [K_INCLUDE_POSITIVE] = { "include_positive", T_FLAG, 0 },
    [K_BETA] = { "beta", T_FLOAT_POS, 0 },
    [K_BASE] = { "base", T_FLOAT_ANY, 0 },
    [K_EPSILON] = { "epsilon", T_FLOAT_NONNEG, 0 },
    [K_MINE] = { "mine", T_FLAG, 0 },
    [K_MARGIN] = { "margin", T_FLOAT_NONNEG, 0 },
};

/* The kernels the ISA study times alone. */
enum { KER_GEMM, KER_LSE, KER_NORMALIZE, KER_COUNT };
static const char *const kernel_names[KER_COUNT] = { "gemm", "lse", "normalize" };

#define MAXV 64
typedef struct kv {
    int set, line, n;
    double v[MAXV];
    char str[256];
} kv;

typedef struct scope {
    int used, line;
    kv k[K_COUNT], q[K_COUNT]; /* normal and quick values */
} scope;

typedef struct sweep_point {
    int is_kernel, kernel;
    point_spec sp;
    double max_seconds;
    char key[400];
    char *row;           /* the CSV row up to value_err_vs_1thread, once done */
    int passes_done;
    double best_total;   /* total_min_ms of the kept pass */
    double value;        /* loss value, for the thread-agreement check */
    char isa[16];
    double cost;         /* relative cost estimate, for the ETA */
    int line;            /* definition line of the unit */
} sweep_point;

typedef struct study {
    char path[1024], name[128], title[256];
    double fit_min_M;
    int passes;
    size_t todo;         /* point-passes in this run, for the progress line */
    sweep_point *pts;
    size_t n, cap;
} study;

static int def_error(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int def_error(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dmlbench: %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static int key_id(const char *name)
{
    for (int i = 0; i < K_COUNT; i++)
        if (!strcmp(keys[i].name, name)) return i;
    return -1;
}

static int strict_double(const char *s, double *out)
{
    if (!*s) return 1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v)) return 1;
    *out = v;
    return 0;
}

static int is_int_type(ktype t)
{
    return t == T_INT_POS || t == T_INT_NONNEG || t == T_U64 || t == T_FLAG || t == T_THREADS;
}

static const char *type_what(ktype t)
{
    switch (t) {
    case T_INT_POS: case T_THREADS: return "a positive integer";
    case T_INT_NONNEG: return "a non-negative integer";
    case T_U64: return "an integer in [0, 2^53]";
    case T_FLOAT_POS: return "a positive number";
    case T_FLOAT_NONNEG: return "a non-negative number";
    case T_FLOAT_ANY: return "a finite number";
    case T_FLAG: return "0 or 1";
    default: return "a value";
    }
}

static int check_value(ktype t, double v)
{
    switch (t) {
    case T_INT_POS: case T_THREADS: return v >= 1 && v <= 1e9 && v == floor(v);
    case T_INT_NONNEG: return v >= 0 && v <= 1e9 && v == floor(v);
    case T_U64: return v >= 0 && v <= 9007199254740992.0 && v == floor(v);
    case T_FLOAT_POS: return v > 0;
    case T_FLOAT_NONNEG: return v >= 0;
    case T_FLOAT_ANY: return 1;
    case T_FLAG: return v == 0 || v == 1;
    default: return 0;
    }
}

static int add_value(kv *k, double v, const char *file, int line, const char *name)
{
    for (int i = 0; i < k->n; i++)
        if (k->v[i] == v) return 0; /* geom rounding may repeat a value */
    if (k->n >= MAXV)
        return def_error(file, line, "%s: more than %d values", name, MAXV);
    k->v[k->n++] = v;
    return 0;
}

/* Parses the values of one key (tokens tok[0..nt)). */
static int parse_values(int id, char **tok, int nt, kv *k, const char *file, int line)
{
    const char *name = keys[id].name;
    ktype t = keys[id].type;
    memset(k, 0, sizeof *k);
    k->set = 1;
    k->line = line;
    if (nt == 0)
        return def_error(file, line, "%s: no value", name);
    if (t == T_STRING) {
        size_t o = 0;
        for (int i = 0; i < nt; i++)
            o += (size_t)snprintf(k->str + o, o < sizeof k->str ? sizeof k->str - o : 0, "%s%s",
                                  i ? " " : "", tok[i]);
        if (id == K_STUDY && (nt != 1 || strspn(tok[0], "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(tok[0])))
            return def_error(file, line, "study: '%s' is not a name (lower-case letters, digits, _ and -)", k->str);
        return 0;
    }
    if (t == T_LOSSES || t == T_KERNELS || t == T_ISA) {
        int count = t == T_LOSSES ? DML_LOSS_COUNT : t == T_KERNELS ? KER_COUNT : DML_ISA_COUNT;
        if (nt == 1 && !strcmp(tok[0], "all")) {
            for (int i = 0; i < count; i++)
                if (t != T_ISA || dml_isa_supported((dml_isa)i))
                    add_value(k, i, file, line, name);
            return 0;
        }
        for (int i = 0; i < nt; i++) {
            int found = -2;
            if (t == T_LOSSES) {
                dml_loss l;
                if (dml_loss_parse(tok[i], &l) == DML_OK) found = (int)l;
            } else if (t == T_KERNELS) {
                for (int j = 0; j < KER_COUNT; j++)
                    if (!strcmp(tok[i], kernel_names[j])) found = j;
            } else {
                dml_isa isa;
                if (dml_isa_parse(tok[i], &isa) == DML_OK) {
                    if (isa != DML_ISA_AUTO && !dml_isa_supported(isa))
                        return def_error(file, line, "isa: %s is not available on this machine or build "
                                         "(use 'all' for every ISA it has)", tok[i]);
                    found = (int)isa;
                }
            }
            if (found == -2)
                return def_error(file, line, "%s: unknown %s '%s'", name,
                                 t == T_LOSSES ? "loss" : t == T_KERNELS ? "kernel" : "ISA", tok[i]);
            if (add_value(k, found, file, line, name)) return 1;
        }
        return 0;
    }
    if (t == T_THREADS && nt == 1 && !strcmp(tok[0], "all")) {
        int nc = prov_ncores();
        for (int th = 1; th < nc; th *= 2)
            add_value(k, th, file, line, name);
        add_value(k, nc, file, line, name);
        return 0;
    }
    int is_geom = !strcmp(tok[0], "geom"), is_range = !strcmp(tok[0], "range");
    if (is_geom || is_range) {
        double lo, hi, s;
        if (nt != 4 || strict_double(tok[1], &lo) || strict_double(tok[2], &hi) || strict_double(tok[3], &s))
            return def_error(file, line, "%s: '%s' needs three numbers: %s", name, tok[0],
                             is_geom ? "LO HI COUNT" : "LO HI STEP");
        if (lo > hi)
            return def_error(file, line, "%s: empty range (%g > %g)", name, lo, hi);
        if (is_geom) {
            if (s < 1 || s != floor(s))
                return def_error(file, line, "%s: empty range (geom COUNT must be a positive integer, not %g)", name, s);
            if (lo <= 0)
                return def_error(file, line, "%s: geom needs LO > 0", name);
            if (s > MAXV)
                return def_error(file, line, "%s: more than %d values", name, MAXV);
            for (int i = 0; i < (int)s; i++) {
                double v = s == 1 ? lo : lo * pow(hi / lo, (double)i / (s - 1));
                if (is_int_type(t)) v = floor(v + 0.5);
                if (i == (int)s - 1) v = is_int_type(t) ? floor(hi + 0.5) : hi;
                if (!check_value(t, v))
                    return def_error(file, line, "%s: %g is not %s", name, v, type_what(t));
                if (add_value(k, v, file, line, name)) return 1;
            }
        } else {
            if (s <= 0)
                return def_error(file, line, "%s: empty range (STEP must be positive, not %g)", name, s);
            double cnt = floor((hi - lo) / s + 1e-9) + 1;
            if (cnt > MAXV)
                return def_error(file, line, "%s: more than %d values", name, MAXV);
            for (int i = 0; i < (int)cnt; i++) {
                double v = lo + s * i;
                if (fabs(v) < 1e-12 * s) v = 0;
                char b[32];
                snprintf(b, sizeof b, "%.9g", v); /* 0.30000000000000004 -> 0.3 */
                v = strtod(b, NULL);
                if (!check_value(t, v))
                    return def_error(file, line, "%s: %g is not %s", name, v, type_what(t));
                if (add_value(k, v, file, line, name)) return 1;
            }
        }
        return 0;
    }
    for (int i = 0; i < nt; i++) {
        double v;
        if (strict_double(tok[i], &v) || !check_value(t, v))
            return def_error(file, line, "%s: '%s' is not %s", name, tok[i], type_what(t));
        if (add_value(k, v, file, line, name)) return 1;
    }
    return 0;
}

/* -------------------------------------------------------------- parsing */

enum { SEC_TOP = 0, SEC_LOSS0 = 1, SEC_KER0 = SEC_LOSS0 + DML_LOSS_COUNT, SEC_COUNT = SEC_KER0 + KER_COUNT };

typedef struct definition {
    scope sec[SEC_COUNT];
} definition;

static int parse_definition(const char *file, definition *def)
{
    memset(def, 0, sizeof *def);
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "dmlbench: sweep: cannot open %s: %s\n", file, strerror(errno));
        return 1;
    }
    char line[1024];
    int ln = 0, cur = SEC_TOP, rc = 0;
    def->sec[SEC_TOP].used = 1;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = def_error(file, ln, "line longer than %zu characters", sizeof line - 2);
            break;
        }
        line[strcspn(line, "#\r\n")] = 0;
        char *tok[MAXV + 8];
        int nt = 0;
        for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
            if (nt >= MAXV + 8) { rc = def_error(file, ln, "too many values"); break; }
            tok[nt++] = p;
        }
        if (rc || nt == 0) continue;
        if (tok[0][0] == '[') {
            size_t L = strlen(tok[0]);
            if (nt != 1 || L < 3 || tok[0][L - 1] != ']') {
                rc = def_error(file, ln, "a section is written [loss] or [kernel]");
                break;
            }
            tok[0][L - 1] = 0;
            const char *nm = tok[0] + 1;
            dml_loss l;
            cur = -1;
            if (dml_loss_parse(nm, &l) == DML_OK) cur = SEC_LOSS0 + (int)l;
            for (int j = 0; j < KER_COUNT; j++)
                if (!strcmp(nm, kernel_names[j])) cur = SEC_KER0 + j;
            if (cur < 0) {
                rc = def_error(file, ln, "unknown section [%s] (a loss: proxy_anchor proxy_nca ms triplet, "
                               "or a kernel: gemm lse normalize)", nm);
                break;
            }
            if (def->sec[cur].used) {
                rc = def_error(file, ln, "section [%s] appears twice", nm);
                break;
            }
            def->sec[cur].used = 1;
            def->sec[cur].line = ln;
            continue;
        }
        int quick = !strcmp(tok[0], "quick");
        char **kt = tok + quick;
        int nk = nt - quick;
        if (nk == 0) {
            rc = def_error(file, ln, "quick: needs a key and values");
            break;
        }
        int id = key_id(kt[0]);
        if (id < 0) {
            rc = def_error(file, ln, "unknown key '%s'", kt[0]);
            break;
        }
        if (keys[id].top_only && cur != SEC_TOP) {
            rc = def_error(file, ln, "'%s' belongs at the top of the file, before any section", kt[0]);
            break;
        }
        kv *slot = quick ? &def->sec[cur].q[id] : &def->sec[cur].k[id];
        if (slot->set) {
            rc = def_error(file, ln, "%s'%s' is set twice here (first on line %d)", quick ? "quick " : "",
                           kt[0], slot->line);
            break;
        }
        rc = parse_values(id, kt + 1, nk - 1, slot, file, ln);
    }
    fclose(f);
    return rc;
}

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

/* Does key id change what a unit (loss or kernel) computes? */
static int relevant(int is_kernel, int which, int id)
{
    switch (id) {
    case K_M: case K_C: case K_D: case K_REPS: case K_WARMUP: case K_MAX_SECONDS: case K_ISA: case K_SEED:
        return 1;
    case K_THREADS: case K_PER_CLASS: case K_CLASSES: case K_NOISE: case K_PROXY_NOISE:
        return !is_kernel;
    case K_ALPHA: return !is_kernel && (which == DML_LOSS_PROXY_ANCHOR || which == DML_LOSS_MS);
    case K_DELTA: return !is_kernel && which == DML_LOSS_PROXY_ANCHOR;
    case K_SCALE: case K_INCLUDE_POSITIVE: return !is_kernel && which == DML_LOSS_PROXY_NCA;
    case K_BETA: case K_BASE: case K_EPSILON: case K_MINE: return !is_kernel && which == DML_LOSS_MS;
    case K_MARGIN: return !is_kernel && which == DML_LOSS_TRIPLET;
    default: return 0;
    }
}

static void point_key(const sweep_point *p, int threads, char *out, size_t len)
{
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
    const dml_params *q = &s->params;
    switch (q->loss) {
    case DML_LOSS_PROXY_ANCHOR:
        snprintf(out + o, len - o, ";alpha=%g;delta=%g", (double)q->u.pa.alpha, (double)q->u.pa.delta); break;
    case DML_LOSS_PROXY_NCA:
        snprintf(out + o, len - o, ";scale=%g;include_positive=%d", (double)q->u.nca.scale, q->u.nca.include_positive); break;
    case DML_LOSS_MS:
        snprintf(out + o, len - o, ";alpha=%g;beta=%g;base=%g;epsilon=%g;mine=%d", (double)q->u.ms.alpha,
                 (double)q->u.ms.beta, (double)q->u.ms.base, (double)q->u.ms.epsilon, q->u.ms.mine); break;
    case DML_LOSS_TRIPLET:
        snprintf(out + o, len - o, ";margin=%g", (double)q->u.triplet.margin); break;
    default: break;
    }
}

static double point_cost(const sweep_point *p)
{
    const batch_spec *b = &p->sp.batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D, c;
    if (p->is_kernel)
        c = p->kernel == KER_GEMM ? 2 * M * C * D : p->kernel == KER_LSE ? 20 * M * C : 5 * M * D;
    else switch (p->sp.params.loss) {
    case DML_LOSS_PROXY_ANCHOR: case DML_LOSS_PROXY_NCA: c = 6 * M * C * D + 20 * M * C; break;
    case DML_LOSS_MS: c = 3 * M * M * D + 20 * M * M; break;
    default: c = 3 * M * M * D + 5 * M * M * (double)b->per_class; break;
    }
    if (p->sp.isa == DML_ISA_REF) c *= 20; /* the scalar kernels are ~20x slower */
    int reps = p->sp.reps + p->sp.warmup + 1;
    return c * (reps < 8 ? reps : 8) + 1e6; /* the time budget caps reps; fixed cost per point */
}

static int push_point(study *st, const sweep_point *p)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 64;
        sweep_point *np = realloc(st->pts, cap * sizeof *np);
        if (!np) return 1;
        st->pts = np;
        st->cap = cap;
    }
    st->pts[st->n++] = *p;
    return 0;
}

/* Expands every point of one unit (loss or kernel): the cartesian product of
 * its swept keys, in order of their lines. */
static int expand_unit(const char *file, const definition *def, int sec, int is_kernel, int which,
                       int quick, int cli_threads, study *st)
{
    const kv *val[K_COUNT];
    int order[K_COUNT], nsw = 0;
    for (int id = 0; id < K_COUNT; id++) {
        val[id] = relevant(is_kernel, which, id) ? lookup(def, sec, id, quick) : NULL;
        if (val[id] && val[id]->n > 1) order[nsw++] = id;
    }
    if (val[K_PER_CLASS] && val[K_CLASSES])
        return def_error(file, val[K_CLASSES]->line, "set per_class or classes_in_batch, not both (per_class on line %d)",
                         val[K_PER_CLASS]->line);
    for (int a = 1; a < nsw; a++) /* by line: the first key written is the outermost loop */
        for (int b = a; b > 0 && val[order[b]]->line < val[order[b - 1]]->line; b--) {
            int t = order[b]; order[b] = order[b - 1]; order[b - 1] = t;
        }
    int idx[K_COUNT] = { 0 };
    int unit_line = sec != SEC_TOP && def->sec[sec].line ? def->sec[sec].line
                  : def->sec[SEC_TOP].k[is_kernel ? K_KERNELS : K_LOSSES].line;
    for (;;) {
        sweep_point p;
        memset(&p, 0, sizeof p);
        p.is_kernel = is_kernel;
        p.kernel = is_kernel ? which : 0;
        p.line = unit_line;
        point_spec_default(&p.sp, is_kernel ? DML_LOSS_PROXY_ANCHOR : (dml_loss)which);
        p.sp.reps = 10;
        p.sp.warmup = 1;
        p.sp.threads = cli_threads;
        p.max_seconds = 1.0;
        double cur[K_COUNT];
        for (int id = 0; id < K_COUNT; id++)
            cur[id] = val[id] ? val[id]->v[0] : NAN;
        for (int s = 0; s < nsw; s++)
            cur[order[s]] = val[order[s]]->v[idx[order[s]]];
        batch_spec *b = &p.sp.batch;
        for (int id = 0; id < K_COUNT; id++) {
            if (!val[id]) continue;
            double v = cur[id];
            switch (id) {
            case K_M: b->M = (size_t)v; break;
            case K_C: b->C = (size_t)v; break;
            case K_D: b->D = (size_t)v; break;
            case K_PER_CLASS: b->per_class = (size_t)v; break;
            case K_NOISE: b->noise = (float)v; break;
            case K_PROXY_NOISE: b->proxy_noise = (float)v; break;
            case K_SEED: b->seed = (uint64_t)v; break;
            case K_REPS: p.sp.reps = (int)v; break;
            case K_WARMUP: p.sp.warmup = (int)v; break;
            case K_MAX_SECONDS: p.max_seconds = v; break;
            case K_ISA: p.sp.isa = (dml_isa)(int)v; break;
            case K_THREADS: p.sp.threads = (int)v; break;
            case K_CLASSES: case K_STUDY: case K_TITLE: case K_LOSSES: case K_KERNELS: case K_FIT_MIN_M:
            case K_PASSES: break;
            default: {
                char s[40], err[200];
                snprintf(s, sizeof s, "%.9g", v);
                if (params_set(&p.sp.params, keys[id].name, s, err, sizeof err))
                    return def_error(file, val[id]->line, "%s", err);
            }
            }
        }
        if (val[K_CLASSES]) { /* a fixed number of classes: k = M / classes grows with M */
            size_t cls = (size_t)cur[K_CLASSES];
            size_t k = (b->M + cls - 1) / cls;
            b->per_class = k < 2 ? 2 : k;
        }
        if (is_kernel) {
            p.sp.threads = 1;
            b->per_class = 1;
        } else {
            size_t classes = (b->M + b->per_class - 1) / b->per_class;
            if (classes > b->C) {
                const kv *at = val[K_M] ? val[K_M] : val[K_C] ? val[K_C] : val[K_PER_CLASS];
                return def_error(file, at ? at->line : unit_line,
                                 "%s: M = %zu with %zu per class needs %zu classes, but C = %zu",
                                 dml_loss_name(p.sp.params.loss), b->M, b->per_class, classes, b->C);
            }
            if (p.sp.params.loss == DML_LOSS_PROXY_NCA && !p.sp.params.u.nca.include_positive && b->C < 2) {
                const kv *at = val[K_C];
                return def_error(file, at ? at->line : unit_line, "proxy_nca without include_positive needs C >= 2");
            }
        }
        point_key(&p, p.sp.threads, p.key, sizeof p.key);
        p.cost = point_cost(&p);
        p.value = NAN;
        if (push_point(st, &p))
            return def_error(file, unit_line, "out of memory");
        /* odometer: the last swept key turns fastest */
        int s = nsw - 1;
        for (; s >= 0; s--) {
            int id = order[s];
            if (++idx[id] < val[id]->n) break;
            idx[id] = 0;
        }
        if (s < 0) break;
    }
    return 0;
}

static int load_study(const char *file, int quick, int cli_threads, study *st)
{
    memset(st, 0, sizeof *st);
    definition *def = malloc(sizeof *def);
    if (!def) return die("sweep: out of memory");
    int rc = parse_definition(file, def);
    if (rc) { free(def); return rc; }
    snprintf(st->path, sizeof st->path, "%s", file);
    const scope *top = &def->sec[SEC_TOP];
    if (top->k[K_STUDY].set) {
        snprintf(st->name, sizeof st->name, "%.100s", top->k[K_STUDY].str);
    } else {
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        snprintf(st->name, sizeof st->name, "%s", base);
        char *dot = strrchr(st->name, '.');
        if (dot && dot != st->name) *dot = 0;
    }
    snprintf(st->title, sizeof st->title, "%s", top->k[K_TITLE].set ? top->k[K_TITLE].str : st->name);
    const kv *fm = lookup(def, SEC_TOP, K_FIT_MIN_M, quick);
    st->fit_min_M = fm ? fm->v[0] : 0;
    if (fm && fm->n != 1) { free(def); return def_error(file, fm->line, "fit_min_M takes one value"); }
    const kv *pa = lookup(def, SEC_TOP, K_PASSES, quick);
    if (pa && pa->n != 1) { free(def); return def_error(file, pa->line, "passes takes one value"); }
    st->passes = pa ? (int)pa->v[0] : 1;
    int have_loss[DML_LOSS_COUNT] = { 0 }, have_ker[KER_COUNT] = { 0 };
    const kv *ls = &top->k[K_LOSSES], *ks = &top->k[K_KERNELS];
    for (int i = 0; i < ls->n; i++) have_loss[(int)ls->v[i]] = 1;
    for (int i = 0; i < ks->n; i++) have_ker[(int)ks->v[i]] = 1;
    for (int l = 0; l < DML_LOSS_COUNT; l++) if (def->sec[SEC_LOSS0 + l].used) have_loss[l] = 1;
    for (int k = 0; k < KER_COUNT; k++) if (def->sec[SEC_KER0 + k].used) have_ker[k] = 1;
    /* Units in the order the file gives them: the `losses` list, then sections. */
    int order_l[DML_LOSS_COUNT], nl = 0;
    for (int i = 0; i < ls->n; i++) order_l[nl++] = (int)ls->v[i];
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        int seen = 0;
        for (int i = 0; i < nl; i++) seen |= order_l[i] == l;
        if (have_loss[l] && !seen) order_l[nl++] = l;
    }
    for (int i = 0; i < nl && !rc; i++) {
        int l = order_l[i];
        rc = expand_unit(file, def, def->sec[SEC_LOSS0 + l].used ? SEC_LOSS0 + l : SEC_TOP, 0, l, quick, cli_threads, st);
    }
    for (int k = 0; k < KER_COUNT && !rc; k++)
        if (have_ker[k])
            rc = expand_unit(file, def, def->sec[SEC_KER0 + k].used ? SEC_KER0 + k : SEC_TOP, 1, k, quick, 1, st);
    if (!rc && st->n == 0)
        rc = def_error(file, 1, "defines no points (name losses with 'losses', kernels with 'kernels', or a [loss] section)");
    for (size_t i = 0; i < st->n && !rc; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(st->pts[i].key, st->pts[j].key)) {
                rc = def_error(file, st->pts[i].line, "two points are the same (%s)", st->pts[i].key);
                break;
            }
    free(def);
    return rc;
}

/* ------------------------------------------------------- kernel timing */

typedef struct kbufs {
    size_t M, C, D;
    float *X, *P, *Xn, *Pn, *xi, *pi, *S, *G, *work;
    int32_t *y;
} kbufs;

static void *alloc64(size_t floats)
{
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

static void kbufs_free(kbufs *k)
{
    free(k->X); free(k->P); free(k->Xn); free(k->Pn); free(k->xi); free(k->pi);
    free(k->S); free(k->G); free(k->work); free(k->y);
}

static int kbufs_make(kbufs *k, size_t M, size_t C, size_t D, uint64_t seed, int square)
{
    memset(k, 0, sizeof *k);
    k->M = M; k->C = C; k->D = D;
    size_t sn = square ? M * M : M * C;
    k->X = alloc64(M * D); k->P = alloc64(C * D); k->Xn = alloc64(M * D); k->Pn = alloc64(C * D);
    k->xi = alloc64(M); k->pi = alloc64(C); k->S = alloc64(sn); k->G = alloc64(sn);
    k->work = alloc64(DML_GEMM_WORK_FLOATS); k->y = malloc(M * sizeof(int32_t));
    if (!k->X || !k->P || !k->Xn || !k->Pn || !k->xi || !k->pi || !k->S || !k->G || !k->work || !k->y) {
        kbufs_free(k);
        return 1;
    }
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < M * D; i++) k->X[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < C * D; i++) k->P[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < M; i++) k->y[i] = (int32_t)(i % C);
    memset(k->S, 0, sn * sizeof(float));
    return 0;
}

/* What the timed kernel call does: KER_* alone, or (op = -1 - loss) the
 * forward products of a loss exactly as the library calls them
 * (normalisations and S), which the loss-specific time subtracts. */
static void kernel_call(const dml_kernels *kt, int op, kbufs *k)
{
    static const dml_lse_side pos = { -32.0f, 3.2f, -INFINITY, INFINITY, -1.0f, 1 };
    static const dml_lse_side neg = { 32.0f, 3.2f, -INFINITY, INFINITY, 1.0f, 1 };
    size_t M = k->M, C = k->C, D = k->D;
    float out[2];
    switch (op) {
    case KER_GEMM: kt->gemm(0, 1, M, C, D, k->Xn, D, k->Pn, D, k->S, C, k->work); break;
    case KER_LSE:
        for (size_t i = 0; i < M; i++)
            kt->lse(k->S + i * C, C, NULL, (int32_t)(i % C), SIZE_MAX, &pos, &neg, out, k->G + i * C);
        break;
    case KER_NORMALIZE: kt->normalize(k->X, M, D, k->Xn, k->xi); break;
    case -1 - DML_LOSS_PROXY_ANCHOR:
        kt->normalize(k->X, M, D, k->Xn, k->xi);
        kt->normalize(k->P, C, D, k->Pn, k->pi);
        kt->gemm(0, 1, C, M, D, k->Pn, D, k->Xn, D, k->S, M, k->work);
        break;
    case -1 - DML_LOSS_PROXY_NCA:
        kt->normalize(k->X, M, D, k->Xn, k->xi);
        kt->normalize(k->P, C, D, k->Pn, k->pi);
        kt->gemm(0, 1, M, C, D, k->Xn, D, k->Pn, D, k->S, C, k->work);
        break;
    default: /* pair losses */
        kt->normalize(k->X, M, D, k->Xn, k->xi);
        kt->syrk(M, D, k->Xn, D, k->S, M, k->work);
        break;
    }
    COMPILER_BARRIER();
}

/* Times `op` (after one warm-up call): `samples` samples of enough calls to
 * last >= 0.2 ms each, within `budget_ns`; returns per-call statistics. */
static sample_stats time_kernel(const dml_kernels *kt, int op, kbufs *k, int samples, double budget_ns,
                                int *samples_done)
{
    double t0 = now_ns();
    kernel_call(kt, op, k);
    double one = now_ns() - t0;
    if (one < 1) one = 1;
    int inner = (int)ceil(2e5 / one);
    if (inner < 1) inner = 1;
    int n = samples;
    double fit = budget_ns / (one * inner);
    if (fit < n) n = fit < 3 ? 3 : (int)fit;
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) { sample_stats z = { NAN, NAN, NAN, NAN }; *samples_done = 0; return z; }
    for (int s = 0; s < n; s++) {
        double a = now_ns();
        for (int i = 0; i < inner; i++)
            kernel_call(kt, op, k);
        v[s] = (now_ns() - a) / inner;
    }
    sample_stats st = stats_of(v, (size_t)n);
    free(v);
    *samples_done = n;
    return st;
}

/* ---------------------------------------------------------------- CSV */

static const char csv_header[] =
    "study,point,kind,name,isa,threads,M,C,D,per_class,classes,noise,proxy_noise,seed,reps,warmup,"
    "alpha,delta,scale,include_positive,beta,base,epsilon,mine,margin,"
    "value,fwd_min_ms,fwd_median_ms,fwd_p90_ms,bwd_min_ms,bwd_median_ms,bwd_p90_ms,"
    "total_min_ms,total_median_ms,total_p90_ms,cpu_min_ms,cpu_median_ms,fwd_gflop,bwd_gflop,gflops_min,gflops_median,"
    "gelem_per_s,fwd_products_min_ms,specific_min_ms,"
    "grad_x_mean,grad_x_max,grad_p_mean,pos_top1_share,pos_eff_n,neg_top1_share,neg_eff_n,"
    "proxy_pos_top1_share,proxy_pos_eff_n,active_frac,pos_anchors,neg_anchors,value_err_vs_1thread,passes,key";

typedef struct sbuf { char *s; size_t n, cap; } sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (w < 0) return;
        if ((size_t)w < room) { b->n += (size_t)w; return; }
        size_t cap = (b->cap + (size_t)w + 1) * 2;
        char *ns = realloc(b->s, cap);
        if (!ns) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
        b->s = ns;
        b->cap = cap;
    }
}

/* A number field: empty for NaN/inf (gnuplot and CSV readers take it as missing). */
static void sb_num(sbuf *b, double v)
{
    if (isfinite(v)) sb_add(b, ",%.6g", v);
    else sb_add(b, ",");
}

static void fmt_row(sbuf *b, const study *st, size_t idx, const sweep_point *p, const point_result *r,
                    const char *isa, int threads, double gelem, double prod_min, double value_err)
{
    const point_spec *s = &p->sp;
    const batch_spec *bs = &s->batch;
    const dml_params *q = &s->params;
    int L = p->is_kernel ? -1 : (int)q->loss;
    sb_add(b, "%s,%zu,%s,%s,%s,%d,%zu,%zu,%zu", st->name, idx, p->is_kernel ? "kernel" : "loss",
           p->is_kernel ? kernel_names[p->kernel] : dml_loss_name(q->loss), isa, threads, bs->M, bs->C, bs->D);
    if (p->is_kernel) sb_add(b, ",,,,");
    else sb_add(b, ",%zu,%zu,%g,%g", bs->per_class, (bs->M + bs->per_class - 1) / bs->per_class,
                (double)bs->noise, (double)bs->proxy_noise);
    sb_add(b, ",%llu", (unsigned long long)bs->seed);
    sb_add(b, ",%d,%d", s->reps, s->warmup);
    double na = NAN;
    sb_num(b, L == DML_LOSS_PROXY_ANCHOR ? q->u.pa.alpha : L == DML_LOSS_MS ? q->u.ms.alpha : na);
    sb_num(b, L == DML_LOSS_PROXY_ANCHOR ? q->u.pa.delta : na);
    sb_num(b, L == DML_LOSS_PROXY_NCA ? q->u.nca.scale : na);
    sb_num(b, L == DML_LOSS_PROXY_NCA ? q->u.nca.include_positive : na);
    sb_num(b, L == DML_LOSS_MS ? q->u.ms.beta : na);
    sb_num(b, L == DML_LOSS_MS ? q->u.ms.base : na);
    sb_num(b, L == DML_LOSS_MS ? q->u.ms.epsilon : na);
    sb_num(b, L == DML_LOSS_MS ? q->u.ms.mine : na);
    sb_num(b, L == DML_LOSS_TRIPLET ? q->u.triplet.margin : na);
    sb_num(b, p->is_kernel ? na : r->loss);
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
    sb_num(b, fl > 0 ? fl / r->total_ns.min : na);
    sb_num(b, fl > 0 ? fl / r->total_ns.median : na);
    sb_num(b, gelem);
    sb_num(b, prod_min / 1e6);
    sb_num(b, isfinite(prod_min) ? (r->fwd_ns.min - prod_min) / 1e6 : na);
    const dml_gradstats *g = &r->gs;
    if (p->is_kernel) {
        sb_add(b, ",,,,,,,,,,,,,");
    } else {
        sb_num(b, g->grad_x_mean); sb_num(b, g->grad_x_max); sb_num(b, g->grad_p_mean);
        sb_num(b, g->pos_top1_share); sb_num(b, g->pos_eff_n);
        sb_num(b, g->neg_top1_share); sb_num(b, g->neg_eff_n);
        sb_num(b, g->proxy_pos_top1_share); sb_num(b, g->proxy_pos_eff_n);
        sb_num(b, g->active_frac);
        sb_add(b, ",%zu,%zu", g->pos_anchors, g->neg_anchors);
        sb_num(b, value_err);
    }
}

/* Field i (0-based) of a CSV row, into out. */
static void csv_field(const char *row, int i, char *out, size_t len)
{
    const char *p = row;
    for (int k = 0; k < i && p; k++) {
        p = strchr(p, ',');
        if (p) p++;
    }
    size_t n = p ? strcspn(p, ",") : 0;
    if (n >= len) n = len - 1;
    memcpy(out, p ? p : "", n);
    out[n] = 0;
}

static int header_index(const char *name)
{
    char h[sizeof csv_header];
    memcpy(h, csv_header, sizeof csv_header);
    int i = 0;
    for (char *t = strtok(h, ","); t; t = strtok(NULL, ","), i++)
        if (!strcmp(t, name)) return i;
    return -1;
}

/* Rows of an earlier run (same header) whose key matches a point of st. */
static size_t resume_from(study *st, const char *path)
{
    char *text = read_file_all(path, NULL);
    if (!text) return 0;
    size_t found = 0, hl = strlen(csv_header);
    int ci_value = header_index("value"), ci_isa = header_index("isa"), ci_total = header_index("total_min_ms");
    if (strncmp(text, csv_header, hl) || (text[hl] != '\n' && text[hl] != 0)) {
        fprintf(stderr, "dmlbench: sweep: %s has another header; not resuming from it\n", path);
        free(text);
        return 0;
    }
    char *save = NULL;
    for (char *line = strtok_r(text + hl, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *key = strrchr(line, ',');
        if (!key) continue;
        *key++ = 0;
        char *pas = strrchr(line, ',');
        if (!pas) continue;
        *pas++ = 0;
        long passes;
        if (parse_int(pas, 1, 1000000, &passes)) continue;
        for (size_t i = 0; i < st->n; i++) {
            sweep_point *p = &st->pts[i];
            if (p->row || strcmp(p->key, key)) continue;
            /* The row's point index is this run's: rewrite the second field. */
            const char *rest = strchr(line, ',');
            rest = rest ? strchr(rest + 1, ',') : NULL;
            if (!rest) break;
            sbuf b = { 0 };
            sb_add(&b, "%s,%zu%s", st->name, i, rest);
            p->row = b.s;
            p->passes_done = (int)passes;
            char f[64];
            csv_field(line, ci_value, f, sizeof f);
            p->value = *f ? strtod(f, NULL) : NAN;
            csv_field(line, ci_total, f, sizeof f);
            p->best_total = *f ? strtod(f, NULL) : INFINITY;
            csv_field(line, ci_isa, p->isa, sizeof p->isa);
            found++;
            break;
        }
    }
    free(text);
    return found;
}

static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s; s++) n += *s == ',';
    return n;
}

static int write_csv(const study *st, const char *path, char *err, size_t errlen)
{
    sbuf b = { 0 };
    sb_add(&b, "%s\n", csv_header);
    size_t nh = count_fields(csv_header);
    for (size_t i = 0; i < st->n; i++)
        if (st->pts[i].row) {
            if (count_fields(st->pts[i].row) + 2 != nh) {
                snprintf(err, errlen, "internal error: row %zu has %zu fields, the header %zu", i,
                         count_fields(st->pts[i].row) + 2, nh);
                free(b.s);
                return 1;
            }
            sb_add(&b, "%s,%d,%s\n", st->pts[i].row, st->pts[i].passes_done, st->pts[i].key);
        }
    int rc = write_file_atomic(path, b.s, b.n, err, errlen);
    free(b.s);
    return rc;
}

/* ------------------------------------------------------------ progress */

static void fmt_dur(double s, char *out, size_t len)
{
    if (!isfinite(s) || s < 0) { snprintf(out, len, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

static void progress(const study *st, size_t done, double elapsed_s, double done_cost, double left_cost,
                     int final)
{
    static double last = -1e9;
    static const study *shown = NULL;
    int tty = isatty(2);
    double now = now_ns() / 1e9;
    if (!final && !tty && now - last < 10 && shown == st) return;
    shown = st;
    last = now;
    char el[32], eta[32];
    fmt_dur(elapsed_s, el, sizeof el);
    fmt_dur(final ? 0 : done_cost > 0 ? elapsed_s * left_cost / done_cost : NAN, eta, sizeof eta);
    if (st->passes > 1)
        fprintf(stderr, "%s[%s] %zu/%zu point-passes (%zu points x %d passes)  elapsed %s  ETA %s%s",
                tty ? "\r\033[K" : "", st->name, done, st->todo, st->n, st->passes, el, eta,
                tty && !final ? "" : "\n");
    else
        fprintf(stderr, "%s[%s] %zu/%zu points  elapsed %s  ETA %s%s", tty ? "\r\033[K" : "", st->name, done,
                st->n, el, eta, tty && !final ? "" : "\n");
    fflush(stderr);
}

/* ---------------------------------------------------------------- JSON */

static int write_json(const study *st, const char *path, const char *csv_path, const prov *pv,
                      int quick, int max_threads, const char *binding, size_t resumed, double elapsed_s,
                      char *err, size_t errlen)
{
    char tmpl[] = "/tmp/dmlbench-json-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f) {
        snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
        return 1;
    }
    unlink(tmpl);
    fprintf(f, "{\n  \"study\": ");
    json_str(f, st->name);
    fprintf(f, ",\n  \"title\": ");
    json_str(f, st->title);
    fprintf(f, ",\n  \"definition\": ");
    json_str(f, st->path);
    fprintf(f, ",\n  \"csv\": ");
    json_str(f, csv_path);
    fprintf(f, ",\n  \"quick\": %s,\n  \"points\": %zu,\n  \"resumed_points\": %zu,\n  \"elapsed_s\": %.1f,\n",
            quick ? "true" : "false", st->n, resumed, elapsed_s);
    fprintf(f, "  \"date\": ");
    json_str(f, pv->date);
    fprintf(f, ",\n  \"git\": {\"commit\": ");
    json_str(f, pv->commit);
    fprintf(f, ", \"dirty\": %s},\n", pv->dirty < 0 ? "null" : pv->dirty ? "true" : "false");
    fprintf(f, "  \"compiler\": ");
    json_str(f, pv->compiler);
    fprintf(f, ",\n  \"flags\": ");
    json_str(f, pv->flags);
    fprintf(f, ",\n  \"isa\": {\"used\": [");
    const char *seen[64];
    int ns = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *isa = st->pts[i].isa;
        int dup = !*isa;
        for (int j = 0; j < ns && !dup; j++) dup = !strcmp(seen[j], isa);
        if (!dup && ns < 64) {
            fprintf(f, "%s", ns ? ", " : "");
            json_str(f, isa);
            seen[ns++] = isa;
        }
    }
    fprintf(f, "], \"supported\": [");
    for (int i = 0, c = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_supported((dml_isa)i)) {
            fprintf(f, "%s\"%s\"", c++ ? ", " : "", dml_isa_name((dml_isa)i));
        }
    fprintf(f, "], \"compiled\": [");
    for (int i = 0, c = 0; i < DML_ISA_COUNT; i++)
        if (dml_isa_compiled((dml_isa)i)) {
            fprintf(f, "%s\"%s\"", c++ ? ", " : "", dml_isa_name((dml_isa)i));
        }
    fprintf(f, "], \"default\": \"%s\"},\n", dml_isa_name(dml_isa_default()));
    fprintf(f, "  \"cpu\": {\"model\": ");
    json_str(f, pv->cpu_model);
    fprintf(f, ", \"packages\": %d, \"cores\": %d, \"pus\": %d, \"hwloc\": ", pv->packages, pv->cores, pv->pus);
    json_str(f, pv->hwloc);
    fprintf(f, ", \"os\": ");
    json_str(f, pv->host_os);
    fprintf(f, ",\n          \"caches\": [");
    for (int i = 0; i < pv->ncaches; i++) {
        const prov_cache *c = &pv->caches[i];
        fprintf(f, "%s{\"level\": %d, \"type\": \"%s\", \"size_bytes\": %llu, \"count\": %d, \"shared_by_pus\": %d}",
                i ? ", " : "", c->level, c->type, c->size, c->count, c->shared_by);
    }
    fprintf(f, "]},\n  \"threads\": {\"max\": %d, \"per_point\": \"column threads\", \"binding\": ", max_threads);
    json_str(f, binding);
    fprintf(f, "},\n  \"seed\": [");
    uint64_t seeds[64];
    int nseed = 0;
    for (size_t i = 0; i < st->n; i++) {
        uint64_t s = st->pts[i].sp.batch.seed;
        int dup = 0;
        for (int j = 0; j < nseed; j++) dup |= seeds[j] == s;
        if (!dup && nseed < 64) {
            fprintf(f, "%s%llu", nseed ? ", " : "", (unsigned long long)s);
            seeds[nseed++] = s;
        }
    }
    fprintf(f, "],\n  \"generator\": ");
    json_str(f, "class-balanced batches (harness/batch.c): per_class samples from each of ceil(M/per_class) classes "
                "drawn without replacement from C; class centres uniform on the unit sphere; a sample is its centre "
                "plus Gaussian noise of expected norm `noise` (the difficulty), a proxy its centre plus noise of "
                "expected norm `proxy_noise`; xoshiro256** seeded by `seed`. classes_in_batch fixes the number of "
                "classes so that per_class = max(2, ceil(M/classes_in_batch)) grows with M.");
    fprintf(f, ",\n  \"passes\": %d", st->passes);
    fprintf(f, ",\n  \"timing\": ");
    json_str(f, "per point and pass: one pilot step, `warmup` steps, then reps = min(reps, max(3, max_seconds / pilot time)) "
                "timed steps; min/median/p90 of CLOCK_MONOTONIC per phase and per step (total_*), "
                "CLOCK_THREAD_CPUTIME_ID of the calling thread per step (cpu_*); with passes > 1 the row of the pass "
                "with the fastest step is kept. specific_min_ms = fwd_min_ms - "
                "fwd_products_min_ms, the forward products (normalisations, S) timed alone with the same kernels "
                "and shapes (single-thread points only).");
    fprintf(f, ",\n  \"columns\": ");
    json_str(f, csv_header);
    fprintf(f, "\n}\n");
    fflush(f);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    int rc = !buf || len <= 0 || fread(buf, 1, (size_t)len, f) != (size_t)len;
    fclose(f);
    if (rc) {
        free(buf);
        snprintf(err, errlen, "cannot build the JSON for %.900s", path);
        return 1;
    }
    rc = write_file_atomic(path, buf, (size_t)len, err, errlen);
    free(buf);
    return rc;
}

/* A one-line label for every figure: machine, ISA, commit. */
static int write_meta(const study *st, const char *path, const prov *pv, char *err, size_t errlen)
{
    char isas[128] = "";
    size_t o = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *isa = st->pts[i].isa;
        if (!*isa || strstr(isas, isa)) continue;
        o += (size_t)snprintf(isas + o, o < sizeof isas ? sizeof isas - o : 0, "%s%s", o ? "+" : "", isa);
    }
    char l2[32] = "";
    for (int i = 0; i < pv->ncaches; i++)
        if (pv->caches[i].level == 2)
            snprintf(l2, sizeof l2, ", L2 %llu KiB/core", pv->caches[i].size / 1024);
    sbuf b = { 0 };
    sb_add(&b, "# written by dmlbench sweep: the label of every figure drawn from %s\n", st->name);
    sb_add(&b, "META = \"%s, %d cores%s | isa %s | commit %.10s%s | %.10s\"\n", pv->cpu_model, pv->cores, l2,
           isas, pv->commit, pv->dirty > 0 ? "+dirty" : "", pv->date);
    int rc = write_file_atomic(path, b.s, b.n, err, errlen);
    free(b.s);
    return rc;
}

/* ------------------------------------------------------------- running */

/* One more pass of a point: its row is kept when its step is the fastest yet. */
static void keep_pass(sweep_point *p, char *row, double total_min_ms, const char *isa)
{
    if (!p->row || !(total_min_ms >= p->best_total)) {
        free(p->row);
        p->row = row;
        p->best_total = total_min_ms;
        snprintf(p->isa, sizeof p->isa, "%s", isa);
    } else {
        free(row);
    }
    p->passes_done++;
}

static int run_point(study *st, size_t idx, char *err, size_t errlen)
{
    sweep_point *p = &st->pts[idx];
    point_result r;
    memset(&r, 0, sizeof r);
    double gelem = NAN, prod = NAN;
    const char *isa_name;
    int threads = p->sp.threads;
    if (p->is_kernel) {
        dml_isa isa = p->sp.isa == DML_ISA_AUTO ? dml_isa_default() : p->sp.isa;
        const dml_kernels *kt = dml_kernels_for(isa);
        if (!kt) { snprintf(err, errlen, "no kernels for %s", dml_isa_name(isa)); return 1; }
        kbufs k;
        const batch_spec *b = &p->sp.batch;
        if (kbufs_make(&k, b->M, b->C, b->D, b->seed, 0)) { snprintf(err, errlen, "out of memory"); return 1; }
        kernel_call(kt, KER_NORMALIZE, &k); /* unit rows for gemm, S for lse */
        kt->normalize(k.P, k.C, k.D, k.Pn, k.pi);
        kernel_call(kt, KER_GEMM, &k);
        int done = 0;
        for (int w = 0; w < p->sp.warmup; w++) kernel_call(kt, p->kernel, &k);
        r.total_ns = time_kernel(kt, p->kernel, &k, p->sp.reps, p->max_seconds * 1e9, &done);
        r.fwd_ns = r.total_ns;
        r.bwd_ns = (sample_stats){ NAN, NAN, NAN, NAN };
        r.cpu_ns = r.bwd_ns;
        double M = (double)b->M, C = (double)b->C, D = (double)b->D;
        if (p->kernel == KER_GEMM) r.fwd_flops = 2 * M * C * D;
        else gelem = (p->kernel == KER_LSE ? M * C : M * D) / r.total_ns.median;
        kbufs_free(&k);
        isa_name = dml_isa_name(isa);
        threads = 1;
        p->value = NAN;
    } else {
        point_spec pilot = p->sp;
        pilot.reps = 1;
        pilot.warmup = 0;
        if (point_run(&pilot, &r, err, errlen)) return 1;
        double t = r.total_ns.min;
        point_spec sp = p->sp;
        double fit = p->max_seconds * 1e9 / (t > 1 ? t : 1);
        int min_reps = sp.reps < 3 ? sp.reps : 3;
        if (fit < sp.reps) sp.reps = fit < min_reps ? min_reps : (int)fit;
        if (point_run(&sp, &r, err, errlen)) return 1;
        isa_name = dml_isa_name(r.isa);
        threads = r.threads;
        p->value = r.loss;
        if (threads == 1) { /* the forward products alone, for the loss-specific time */
            const batch_spec *b = &sp.batch;
            int pair = !dml_loss_has_proxies(sp.params.loss);
            kbufs k;
            if (kbufs_make(&k, b->M, b->C, b->D, b->seed, pair) == 0) {
                int done;
                int n = sp.reps < 5 ? sp.reps : 5;
                prod = time_kernel(dml_kernels_for(r.isa), -1 - (int)sp.params.loss, &k, n < 3 ? 3 : n,
                                   p->max_seconds * 0.5e9, &done).min;
                kbufs_free(&k);
            }
        }
        /* the key keeps the requested reps; the row says what ran */
        point_spec shown = p->sp;
        shown.reps = sp.reps;
        double verr = NAN;
        if (threads > 1) {
            char k1[sizeof p->key];
            point_key(p, 1, k1, sizeof k1);
            for (size_t j = 0; j < st->n; j++)
                if (!strcmp(st->pts[j].key, k1) && isfinite(st->pts[j].value)) {
                    double v1 = st->pts[j].value;
                    verr = fabs((double)r.loss - v1) / (1e-5 * fabs(v1) + 1e-6);
                }
        }
        sbuf b = { 0 };
        sweep_point shownp = *p;
        shownp.sp = shown;
        fmt_row(&b, st, idx, &shownp, &r, isa_name, threads, gelem, prod, verr);
        keep_pass(p, b.s, r.total_ns.min / 1e6, isa_name);
        if (isfinite(verr) && verr > 1)
            fprintf(stderr, "\ndmlbench: sweep: %s: point %zu: %d threads give loss %.9g, outside the golden "
                    "tolerance of the 1-thread value (error %.2f x tolerance)\n",
                    st->name, idx, threads, (double)r.loss, verr);
        return 0;
    }
    sbuf b = { 0 };
    fmt_row(&b, st, idx, p, &r, isa_name, threads, gelem, prod, NAN);
    keep_pass(p, b.s, r.total_ns.min / 1e6, isa_name);
    return 0;
}

static int mkdir_p(const char *dir)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0777) && errno != EEXIST) return 1;
            *p = '/';
        }
    return mkdir(tmp, 0777) && errno != EEXIST;
}

int cmd_sweep(int argc, char **argv)
{
    int resume = 0, quick = 0, cli_threads = 1;
    const char *out = "results";
    const char *files[64];
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--resume")) resume = 1;
        else if (!strcmp(a, "--quick")) quick = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(sweep_usage, stdout); return 0; }
        else if (!strcmp(a, "--threads") || !strcmp(a, "--out")) {
            if (i + 1 >= argc) return die("sweep: %s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--out")) { out = v; continue; }
            long t;
            if (parse_int(v, 1, 1024, &t)) return die("sweep: --threads: bad value '%s'", v);
            cli_threads = (int)t;
        } else if (!strncmp(a, "--", 2)) {
            fputs(sweep_usage, stderr);
            return die("sweep: unknown option '%s'", a);
        } else {
            if (nfiles >= 64) return die("sweep: more than 64 definitions");
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0) {
        fputs(sweep_usage, stderr);
        return die("sweep: name at least one definition (experiments/*.txt)");
    }
    dml_status ist = dml_isa_init();
    if (ist != DML_OK) return die("sweep: %s", dml_last_error());

    /* Parse and expand everything first: a bad definition runs nothing. */
    study *studies = calloc((size_t)nfiles, sizeof *studies);
    if (!studies) return die("sweep: out of memory");
    int bad = 0, max_threads = cli_threads;
    for (int i = 0; i < nfiles; i++) {
        if (load_study(files[i], quick, cli_threads, &studies[i])) { bad = 1; continue; }
        for (int j = 0; j < i; j++)
            if (!strcmp(studies[j].name, studies[i].name)) {
                fprintf(stderr, "dmlbench: %s: study '%s' is also defined by %s\n", files[i], studies[i].name, files[j]);
                bad = 1;
            }
        for (size_t p = 0; p < studies[i].n; p++)
            if (studies[i].pts[p].sp.threads > max_threads) max_threads = studies[i].pts[p].sp.threads;
    }
    if (bad) return 1;
    if (mkdir_p(out)) return die("sweep: cannot create %s: %s", out, strerror(errno));

    char binding[2048];
    prov_bind_threads(max_threads, binding, sizeof binding);
    prov pv;
    prov_collect(&pv);
    fprintf(stderr, "dmlbench sweep: %d stud%s%s, commit %.12s%s, threads bound: %s\n", nfiles,
            nfiles == 1 ? "y" : "ies", quick ? " (quick)" : "", pv.commit, pv.dirty > 0 ? "+dirty" : "", binding);

    int rc = 0;
    char err[1024];
    for (int si = 0; si < nfiles && rc != 1; si++) {
        study *st = &studies[si];
        char csv[1200], partial[1200], json[1200], meta[1200];
        snprintf(csv, sizeof csv, "%.1000s/%s.csv", out, st->name);
        snprintf(partial, sizeof partial, "%.1000s/%s.partial.csv", out, st->name);
        snprintf(json, sizeof json, "%.1000s/%s.json", out, st->name);
        snprintf(meta, sizeof meta, "%.1000s/%s.meta.gp", out, st->name);
        size_t resumed = 0;
        if (resume) {
            resumed = resume_from(st, csv);
            int complete = resumed == st->n;
            for (size_t i = 0; i < st->n; i++) complete &= st->pts[i].passes_done >= st->passes;
            if (!complete) resumed += resume_from(st, partial);
            if (complete && access(json, F_OK) == 0) {
                fprintf(stderr, "[%s] %zu/%zu points: up to date (--resume)\n", st->name, st->n, st->n);
                goto fit;
            }
        }
        double t0 = now_ns(), total_cost = 0, done_cost = 0;
        size_t done = 0, todo = st->n * (size_t)st->passes;
        for (size_t i = 0; i < st->n; i++) {
            int d = st->pts[i].passes_done < st->passes ? st->pts[i].passes_done : st->passes;
            total_cost += (double)(st->passes - d) * st->pts[i].cost;
            done += (size_t)d;
        }
        st->todo = todo;
        /* Pass after pass; in each, 1-thread points first, so that a
         * multi-thread point finds its 1-thread reference value. */
        for (int pass = 1; pass <= st->passes && rc != 1; pass++)
            for (int mt = 0; mt < 2 && rc != 1; mt++)
                for (size_t i = 0; i < st->n; i++) {
                    sweep_point *p = &st->pts[i];
                    if (p->passes_done >= pass || mt != (p->sp.threads > 1)) continue;
                    progress(st, done, (now_ns() - t0) / 1e9, done_cost, total_cost - done_cost, 0);
                    if (run_point(st, i, err, sizeof err)) {
                        fprintf(stderr, "\n");
                        rc = die("sweep: %s: point %zu (%s): %s", st->path, i, p->key, err);
                        break;
                    }
                    done++;
                    done_cost += p->cost;
                    if (write_csv(st, partial, err, sizeof err)) { rc = die("sweep: %s", err); break; }
                }
        if (rc == 1) break;
        double elapsed = (now_ns() - t0) / 1e9;
        progress(st, done, elapsed, done_cost, 0, 1);
        if (write_csv(st, csv, err, sizeof err) ||
            write_json(st, json, csv, &pv, quick, max_threads, binding, resumed, elapsed, err, sizeof err) ||
            write_meta(st, meta, &pv, err, sizeof err)) {
            rc = die("sweep: %s", err);
            break;
        }
        unlink(partial);
        fprintf(stderr, "[%s] wrote %s and %s\n", st->name, csv, json);
    fit:
        if (st->fit_min_M > 0) {
            char cx[1200];
            snprintf(cx, sizeof cx, "%.1000s/complexity.csv", out);
            int frc = complexity_check(csv, cx, st->fit_min_M, quick, stdout);
            fflush(stdout);
            if (frc == 1) rc = 1;
            else if (frc == 3 && rc == 0) rc = 3;
        }
    }
    for (int i = 0; i < nfiles; i++) {
        for (size_t p = 0; p < studies[i].n; p++) free(studies[i].pts[p].row);
        free(studies[i].pts);
    }
    free(studies);
    if (rc == 3)
        fprintf(stderr, "dmlbench: sweep: a loss is off its expected order (table above)\n");
    return rc;
}

/* `dmlbench fit [--min-M N] [--advisory] results/batch.csv`: the complexity
 * check alone, on a CSV an earlier sweep wrote. */
int cmd_fit(int argc, char **argv)
{
    double min_M = 128;
    int advisory = 0;
    const char *csv = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--advisory")) advisory = 1;
        else if (!strcmp(argv[i], "--min-M") || !strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) return die("fit: %s needs a value", argv[i]);
            if (!strcmp(argv[i], "--out")) { out = argv[++i]; continue; }
            if (strict_double(argv[++i], &min_M) || min_M < 1) return die("fit: --min-M: bad value '%s'", argv[i]);
        } else if (!strncmp(argv[i], "--", 2)) return die("fit: unknown option '%s'", argv[i]);
        else if (csv) return die("fit: one CSV only");
        else csv = argv[i];
    }
    if (!csv) return die("fit: usage: dmlbench fit [--min-M N] [--advisory] [--out FILE] results/batch.csv");
    return complexity_check(csv, out, min_M, advisory, stdout);
}
