/* keys.c — the keys of a study definition and the parsing of their values.
 * The sweep's own keys are listed here; every loss parameter of the
 * parameter table (point/params.h) is a key too, with the table's type. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "core/prov.h"
#include "point/params.h"
#include "sweep/study.h"

/* The noise of a batch (relative to unit-norm class centres): beyond a
 * million the batch is noise alone, and near 1.8e19 the squares of its
 * entries leave float's range (the norm overflows, the gradient is 0). */
#define NOISE_MAX 1e6
#define NOISE_WHY " (the class centres have norm 1: more is noise alone)"

/* hi: the largest value a key takes (0: its type's), checked when the
 * definition is read, so that nothing fails, hangs or grows later: threads
 * the library's limit, reps and warmup a million (a point is also cut to
 * max_seconds), max_seconds an hour a point and pass. */
static const struct {
    const char *name;
    ktype type;
    int top_only;
    double hi;
    const char *why;
    int unit_only;   /* 1: train/baseline units only, 2: timing units only */
} keys[K_PARAM0] = {
    [K_STUDY] = { "study", T_STRING, 1, 0, "", 0 },
    [K_TITLE] = { "title", T_STRING, 1, 0, "", 0 },
    [K_LOSSES] = { "losses", T_LOSSES, 1, 0, "", 0 },
    [K_KERNELS] = { "kernels", T_KERNELS, 1, 0, "", 0 },
    [K_FIT_MIN_M] = { "fit_min_M", T_INT_POS, 1, 0, "", 0 },
    [K_PASSES] = { "passes", T_INT_POS, 1, STUDY_MAX_PASSES, "", 0 },
    [K_M] = { "M", T_INT_POS, 0, 0, "", 0 },
    [K_C] = { "C", T_INT_POS, 0, 0, "", 2 },
    [K_D] = { "D", T_INT_POS, 0, 0, "", 0 },
    [K_PER_CLASS] = { "per_class", T_INT_POS, 0, 0, "", 0 },
    [K_CLASSES] = { "classes_in_batch", T_INT_POS, 0, 0, "", 2 },
    [K_NOISE] = { "noise", T_FLOAT_NONNEG, 0, NOISE_MAX, NOISE_WHY, 2 },
    [K_PROXY_NOISE] = { "proxy_noise", T_FLOAT_NONNEG, 0, NOISE_MAX, NOISE_WHY, 2 },
    [K_SEED] = { "seed", T_U64, 0, 0, "", 0 },
    [K_REPS] = { "reps", T_INT_POS, 0, 1e6, "", 2 },
    [K_WARMUP] = { "warmup", T_INT_NONNEG, 0, 1e6, "", 2 },
    [K_MAX_SECONDS] = { "max_seconds", T_FLOAT_POS, 0, 3600, " (an hour a point)", 2 },
    [K_ISA] = { "isa", T_ISA, 0, 0, "", 0 },
    [K_THREADS] = { "threads", T_THREADS, 0, 1024, " (the library's limit)", 0 },
    /* Training: caps so that a definition cannot ask for days (100 epochs
     * are about 3 minutes a run here). */
    [K_TRAIN] = { "train", T_LOSSES, 1, 0, "", 1 },
    [K_BASELINE] = { "baseline", T_BASELINE, 1, 0, "", 1 },
    [K_PROTOCOL] = { "protocol", T_PROTOCOL, 0, 0, "", 1 },
    [K_H] = { "H", T_INT_NONNEG, 0, 65536, "", 1 },
    [K_EPOCHS] = { "epochs", T_INT_POS, 0, 100, "", 1 },
    [K_LR] = { "lr", T_FLOAT_POS, 0, 1, "", 1 },
    [K_TRAIN_LIMIT] = { "train_limit", T_INT_POS, 0, 1e7, "", 1 },
    [K_EVAL_LIMIT] = { "eval_limit", T_INT_POS, 0, 1e7, "", 1 },
    [K_EVAL_EVERY] = { "eval_every", T_INT_POS, 0, 100, "", 1 },
    [K_EVAL_UNTRAINED] = { "eval_untrained", T_FLAG, 0, 0, "", 1 },
    [K_DATA] = { "data", T_STRING, 1, 0, "", 1 },
    [K_CONV] = { "conv", T_INT_NONNEG, 0, 256, "", 1 },
    [K_PROXY_LR_MULT] = { "proxy_lr_mult", T_FLOAT_POS, 0, 1e4, "", 1 },
};

const char *const kernel_names[KER_COUNT] = { "gemm", "lse", "normalize" };

int key_count(void)
{
    int n = K_PARAM0 + param_name_count();
    return n < K_MAX ? n : K_MAX;
}

const char *key_name(int id) { return id < K_PARAM0 ? keys[id].name : param_name(id - K_PARAM0); }
int key_top_only(int id) { return id < K_PARAM0 && keys[id].top_only; }
int key_unit_only(int id) { return id < K_PARAM0 ? keys[id].unit_only : 0; }

ktype key_type(int id)
{
    if (id < K_PARAM0) return keys[id].type;
    switch (param_name_type(id - K_PARAM0)) {
    case PT_FLOAT_POS: case PT_RATIO: return T_FLOAT_POS; /* a ratio's upper bound: params_set */
    case PT_FLOAT_NONNEG: return T_FLOAT_NONNEG;
    case PT_FLAG: return T_FLAG;
    case PT_CHOICE: return T_CHOICE;
    case PT_COUNT: return T_INT_POS;
    default: return T_FLOAT_ANY;
    }
}

int key_id(const char *name)
{
    for (int i = 0; i < key_count(); i++)
        if (!strcmp(key_name(i), name)) return i;
    return -1;
}

int def_error(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return die("%s:%d: %s", file, line, msg);
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
    case T_FLOAT_POS: return "a positive number in float's range";
    case T_FLOAT_NONNEG: return "a non-negative number in float's range";
    case T_FLOAT_ANY: return "a finite number in float's range";
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
    /* the values are kept as floats (the loss parameters, the noise): 1e-300
     * would be 0 there, 1e39 infinite */
    case T_FLOAT_POS: return v > 0 && (float)v > 0 && v <= FLT_MAX;
    case T_FLOAT_NONNEG: return v >= 0 && v <= FLT_MAX;
    case T_FLOAT_ANY: return fabs(v) <= FLT_MAX;
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

/* Above the key's largest value: 1 after a message. */
static int over_limit(const char *name, double v, const char *file, int line)
{
    int id = key_id(name);
    if (id < 0 || id >= K_PARAM0 || !keys[id].hi || v <= keys[id].hi) return 0;
    return def_error(file, line, "%s: %g is more than %g%s", name, v, keys[id].hi, keys[id].why);
}

/* A checked value: 1 after a message when it is not of the key's type. */
static int add_checked(kv *k, ktype t, double v, const char *file, int line, const char *name)
{
    if (!check_value(t, v))
        return def_error(file, line, "%s: %g is not %s", name, v, type_what(t));
    if (over_limit(name, v, file, line)) return 1;
    return add_value(k, v, file, line, name);
}

static int parse_string(int id, char **tok, int nt, kv *k, const char *file, int line)
{
    size_t o = 0;
    for (int i = 0; i < nt; i++) {
        size_t w = strlen(tok[i]) + (i > 0);
        if (o + w >= sizeof k->str) /* writing past it was the fuzzers' first find */
            return def_error(file, line, "%s: longer than %zu characters", key_name(id), sizeof k->str - 1);
        o += (size_t)snprintf(k->str + o, sizeof k->str - o, "%s%s", i ? " " : "", tok[i]);
    }
    char why[300];
    if (id == K_STUDY && nt != 1)
        return def_error(file, line, "study: '%s' is not a name (one word)", k->str);
    if (id == K_STUDY && study_name_check(tok[0], 0, why, sizeof why))
        return def_error(file, line, "study: %s", why);
    return 0;
}

/* One name of a list key (losses, kernels, isa): its index, -2 when unknown,
 * -3 after a message. */
static int list_item(ktype t, const char *tok, const char *file, int line)
{
    if (t == T_LOSSES) {
        dml_loss l;
        return dml_loss_parse(tok, &l) == DML_OK ? (int)l : -2;
    }
    if (t == T_KERNELS || t == T_BASELINE || t == T_PROTOCOL) {
        const char *const *names = t == T_KERNELS ? kernel_names : t == T_BASELINE ? baseline_names : NULL;
        int n = t == T_KERNELS ? KER_COUNT : t == T_BASELINE ? BASE_COUNT : PROTOCOL_COUNT;
        for (int j = 0; j < n; j++)
            if (!strcmp(tok, names ? names[j] : learn_protocol_name(j))) return j;
        return -2;
    }
    dml_isa isa;
    if (dml_isa_parse(tok, &isa) != DML_OK) return -2;
    if (isa != DML_ISA_AUTO && !dml_isa_supported(isa)) {
        def_error(file, line, "isa: %s is not available on this machine or build "
                  "(use 'all' for every ISA it has)", tok);
        return -3; /* reported */
    }
    return (int)isa;
}

static int parse_list(const char *name, ktype t, char **tok, int nt, kv *k, const char *file, int line)
{
    int count = t == T_LOSSES ? DML_LOSS_COUNT : t == T_KERNELS ? KER_COUNT : t == T_BASELINE ? BASE_COUNT
              : t == T_PROTOCOL ? PROTOCOL_COUNT : DML_ISA_COUNT;
    if (nt == 1 && !strcmp(tok[0], "all")) {
        for (int i = 0; i < count; i++)
            if (t != T_ISA || dml_isa_supported((dml_isa)i))
                add_value(k, i, file, line, name);
        return 0;
    }
    for (int i = 0; i < nt; i++) {
        int found = list_item(t, tok[i], file, line);
        if (found == -3) return 1;
        if (found == -2)
            return def_error(file, line, "%s: unknown %s '%s'%s", name,
                             t == T_LOSSES ? "loss" : t == T_KERNELS ? "kernel" : t == T_BASELINE ? "baseline"
                             : t == T_PROTOCOL ? "protocol" : "ISA", tok[i],
                             t == T_PROTOCOL ? " (closed, open, val or test)" : t == T_BASELINE ? " (pixels)" : "");
        if (add_value(k, found, file, line, name)) return 1;
    }
    return 0;
}

/* A seed is kept as a double: an integer above 2^53 would be rounded to
 * another seed, so it is refused (and so is 1e3: a seed is written whole). */
static int exact_u64(const char *s)
{
    uint64_t u;
    return !parse_u64(s, &u) && u <= (1ULL << 53);
}

/* geom LO HI COUNT, or range LO HI STEP (inclusive). */
static int parse_span(const char *name, ktype t, char **tok, int nt, kv *k, const char *file, int line)
{
    int is_geom = !strcmp(tok[0], "geom");
    double lo, hi, s;
    if (nt != 4 || parse_double(tok[1], &lo) || parse_double(tok[2], &hi) || parse_double(tok[3], &s))
        return def_error(file, line, "%s: '%s' needs three numbers: %s", name, tok[0],
                         is_geom ? "LO HI COUNT" : "LO HI STEP");
    for (int i = 1; i < 4 && t == T_U64; i++)
        if (!exact_u64(tok[i])) return def_error(file, line, "%s: '%s' is not %s", name, tok[i], type_what(t));
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
            if (add_checked(k, t, v, file, line, name)) return 1;
        }
        return 0;
    }
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
        if (add_checked(k, t, strtod(b, NULL), file, line, name)) return 1;
    }
    return 0;
}

int parse_values(int id, char **tok, int nt, kv *k, const char *file, int line)
{
    const char *name = key_name(id);
    ktype t = key_type(id);
    memset(k, 0, sizeof *k);
    k->set = 1;
    k->line = line;
    if (nt == 0)
        return def_error(file, line, "%s: no value", name);
    if (t == T_STRING)
        return parse_string(id, tok, nt, k, file, line);
    if (t == T_LOSSES || t == T_KERNELS || t == T_ISA || t == T_BASELINE || t == T_PROTOCOL)
        return parse_list(name, t, tok, nt, k, file, line);
    if (t == T_CHOICE) /* names of the choices; kept as their indices */
        for (int i = 0; i < nt; i++) {
            int v = param_choice_parse(id - K_PARAM0, tok[i]);
            if (v < 0)
                return def_error(file, line, "%s: '%s' is not one of %s", name, tok[i],
                                 param_name_metavar(id - K_PARAM0));
            if (add_value(k, v, file, line, name)) return 1;
        }
    if (t == T_CHOICE)
        return 0;
    if (t == T_THREADS && nt == 1 && !strcmp(tok[0], "all")) {
        int nc = prov_ncores();
        for (int th = 1; th < nc; th *= 2)
            add_value(k, th, file, line, name);
        add_value(k, nc, file, line, name);
        return 0;
    }
    if (!strcmp(tok[0], "geom") || !strcmp(tok[0], "range"))
        return parse_span(name, t, tok, nt, k, file, line);
    for (int i = 0; i < nt; i++) {
        double v;
        if (t == T_U64 && !exact_u64(tok[i]))
            return def_error(file, line, "%s: '%s' is not %s", name, tok[i], type_what(t));
        if (parse_double(tok[i], &v) || !check_value(t, v))
            return def_error(file, line, "%s: '%s' is not %s", name, tok[i], type_what(t));
        if (over_limit(name, v, file, line) || add_value(k, v, file, line, name)) return 1;
    }
    return 0;
}
