/* params.c — the table of loss parameters (see params.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "point/params.h"

typedef struct param_row {
    const char *name;
    dml_loss loss;
    param_type type;
    size_t offset;       /* of the float (or int, for flags) in dml_params */
    const char *metavar;
    const char *(*choice)(int v); /* PT_CHOICE: the name of choice v, NULL past the last */
} param_row;

static const char *triplet_algorithm(int v)
{
    return v >= 0 && v < DML_TRIPLET_ALGORITHM_COUNT ? dml_triplet_algorithm_name((dml_triplet_algorithm)v)
                                                     : NULL;
}

#define FIELD(f) offsetof(dml_params, u.f)

/* Rows of one loss stay in the order its key and CSV show them; a name
 * shared by two losses (alpha) is one CSV column. */
static const param_row rows[] = {
    { "alpha", DML_LOSS_PROXY_ANCHOR, PT_FLOAT_POS, FIELD(pa.alpha), "A", NULL },
    { "alpha", DML_LOSS_MS, PT_FLOAT_POS, FIELD(ms.alpha), "A", NULL },
    { "delta", DML_LOSS_PROXY_ANCHOR, PT_FLOAT_NONNEG, FIELD(pa.delta), "D", NULL },
    { "scale", DML_LOSS_PROXY_NCA, PT_FLOAT_POS, FIELD(nca.scale), "S", NULL },
    { "include_positive", DML_LOSS_PROXY_NCA, PT_FLAG, FIELD(nca.include_positive), "0|1", NULL },
    { "beta", DML_LOSS_MS, PT_FLOAT_POS, FIELD(ms.beta), "B", NULL },
    { "base", DML_LOSS_MS, PT_FLOAT_ANY, FIELD(ms.base), "L", NULL },
    { "epsilon", DML_LOSS_MS, PT_FLOAT_NONNEG, FIELD(ms.epsilon), "E", NULL },
    { "mine", DML_LOSS_MS, PT_FLAG, FIELD(ms.mine), "0|1", NULL },
    { "margin", DML_LOSS_TRIPLET, PT_FLOAT_NONNEG, FIELD(triplet.margin), "M", NULL },
    { "algorithm", DML_LOSS_TRIPLET, PT_CHOICE, FIELD(triplet.algorithm), "enumerate|sorted",
      triplet_algorithm },
};
enum { NROWS = sizeof rows / sizeof *rows };

/* The first row of each distinct name, in table order. */
static int first_rows(const param_row **out)
{
    int n = 0;
    for (int r = 0; r < NROWS; r++) {
        int seen = 0;
        for (int j = 0; j < n; j++) seen |= !strcmp(out[j]->name, rows[r].name);
        if (!seen) out[n++] = &rows[r];
    }
    return n;
}

static const param_row *name_row(int i)
{
    const param_row *first[NROWS];
    int n = first_rows(first);
    return i >= 0 && i < n ? first[i] : NULL;
}

int param_name_count(void)
{
    const param_row *first[NROWS];
    return first_rows(first);
}

const char *param_name(int i) { return name_row(i)->name; }
param_type param_name_type(int i) { return name_row(i)->type; }
const char *param_name_metavar(int i) { return name_row(i)->metavar; }

int param_choice_parse(int i, const char *text)
{
    const param_row *r = name_row(i);
    if (!r || r->type != PT_CHOICE || !text) return -1;
    for (int v = 0; r->choice(v); v++) {
        char num[16];
        snprintf(num, sizeof num, "%d", v);
        if (!strcmp(text, r->choice(v)) || !strcmp(text, num)) return v;
    }
    return -1;
}

const char *param_choice_name(int i, int v)
{
    const param_row *r = name_row(i);
    return r && r->type == PT_CHOICE ? r->choice(v) : NULL;
}

int param_name_index(const char *name)
{
    for (int i = 0, n = param_name_count(); i < n; i++)
        if (!strcmp(param_name(i), name)) return i;
    return -1;
}

static const param_row *find_row(const char *name, dml_loss loss)
{
    for (int r = 0; r < NROWS; r++)
        if (rows[r].loss == loss && !strcmp(rows[r].name, name)) return &rows[r];
    return NULL;
}

int param_applies(int i, dml_loss loss) { return find_row(param_name(i), loss) != NULL; }

static double row_value(const dml_params *p, const param_row *r)
{
    const char *base = (const char *)p;
    if (r->type == PT_FLAG || r->type == PT_CHOICE) return *(const int *)(const void *)(base + r->offset);
    return *(const float *)(const void *)(base + r->offset);
}

double param_value(const dml_params *p, int i)
{
    const param_row *r = find_row(param_name(i), p->loss);
    return r ? row_value(p, r) : NAN;
}

/* The value of parameter i from text, as an int (flags, choices) or a
 * float; 1 after a message in err. */
static int parse_param(int i, const char *name, const char *value, long *iv, float *v, char *err,
                       size_t errlen)
{
    param_type t = param_name_type(i);
    if (t == PT_CHOICE) {
        *iv = param_choice_parse(i, value);
        if (*iv >= 0) return 0;
        snprintf(err, errlen, "%s: '%s' is not one of %s", name, value, param_name_metavar(i));
        return 1;
    }
    if (t == PT_FLAG ? !parse_int(value, 0, 1, iv) : !parse_float(value, v)) return 0;
    snprintf(err, errlen, "%s: '%s' is not a %s", name, value,
             t == PT_FLAG ? "flag (0 or 1)" : "finite number");
    return 1;
}

int params_set(dml_params *p, const char *name, const char *value, char *err, size_t errlen)
{
    int i = param_name_index(name);
    if (i < 0)
        return 2;
    float v = 0;
    long iv = 0;
    if (parse_param(i, name, value, &iv, &v, err, errlen))
        return 1;
    const param_row *r = find_row(name, p->loss);
    if (!r)
        return 0;
    char *base = (char *)p;
    if (r->type == PT_FLAG || r->type == PT_CHOICE) *(int *)(void *)(base + r->offset) = (int)iv;
    else *(float *)(void *)(base + r->offset) = v;
    return 0;
}

size_t params_key(const dml_params *p, char *out, size_t len)
{
    size_t o = 0;
    for (int r = 0; r < NROWS && o < len; r++) {
        if (rows[r].loss != p->loss) continue;
        if (rows[r].type == PT_CHOICE) {
            const char *c = rows[r].choice((int)row_value(p, &rows[r]));
            o += (size_t)snprintf(out + o, len - o, ";%s=%s", rows[r].name, c ? c : "?");
        } else if (rows[r].type == PT_FLAG)
            o += (size_t)snprintf(out + o, len - o, ";%s=%d", rows[r].name, (int)row_value(p, &rows[r]));
        else
            o += (size_t)snprintf(out + o, len - o, ";%s=%g", rows[r].name, row_value(p, &rows[r]));
    }
    return o;
}
