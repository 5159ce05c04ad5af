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
} param_row;

#define FIELD(f) offsetof(dml_params, u.f)

/* Rows of one loss stay in the order its key and CSV show them; a name
 * shared by two losses (alpha) is one CSV column. */
static const param_row rows[] = {
    { "alpha", DML_LOSS_PROXY_ANCHOR, PT_FLOAT_POS, FIELD(pa.alpha), "A" },
    { "alpha", DML_LOSS_MS, PT_FLOAT_POS, FIELD(ms.alpha), "A" },
    { "delta", DML_LOSS_PROXY_ANCHOR, PT_FLOAT_NONNEG, FIELD(pa.delta), "D" },
    { "scale", DML_LOSS_PROXY_NCA, PT_FLOAT_POS, FIELD(nca.scale), "S" },
    { "include_positive", DML_LOSS_PROXY_NCA, PT_FLAG, FIELD(nca.include_positive), "0|1" },
    { "beta", DML_LOSS_MS, PT_FLOAT_POS, FIELD(ms.beta), "B" },
    { "base", DML_LOSS_MS, PT_FLOAT_ANY, FIELD(ms.base), "L" },
    { "epsilon", DML_LOSS_MS, PT_FLOAT_NONNEG, FIELD(ms.epsilon), "E" },
    { "mine", DML_LOSS_MS, PT_FLAG, FIELD(ms.mine), "0|1" },
    { "margin", DML_LOSS_TRIPLET, PT_FLOAT_NONNEG, FIELD(triplet.margin), "M" },
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
    if (r->type == PT_FLAG) return *(const int *)(const void *)(base + r->offset);
    return *(const float *)(const void *)(base + r->offset);
}

double param_value(const dml_params *p, int i)
{
    const param_row *r = find_row(param_name(i), p->loss);
    return r ? row_value(p, r) : NAN;
}

int params_set(dml_params *p, const char *name, const char *value, char *err, size_t errlen)
{
    int i = param_name_index(name);
    int is_flag = i >= 0 && param_name_type(i) == PT_FLAG;
    float v = 0;
    long iv = 0;
    if (is_flag ? parse_int(value, 0, 1, &iv) : parse_float(value, &v)) {
        if (i < 0)
            return 2;
        snprintf(err, errlen, "%s: '%s' is not a %s", name, value,
                 is_flag ? "flag (0 or 1)" : "finite number");
        return 1;
    }
    if (i < 0)
        return 2;
    const param_row *r = find_row(name, p->loss);
    if (!r)
        return 0;
    char *base = (char *)p;
    if (is_flag) *(int *)(void *)(base + r->offset) = (int)iv;
    else *(float *)(void *)(base + r->offset) = v;
    return 0;
}

size_t params_key(const dml_params *p, char *out, size_t len)
{
    size_t o = 0;
    for (int r = 0; r < NROWS && o < len; r++) {
        if (rows[r].loss != p->loss) continue;
        if (rows[r].type == PT_FLAG)
            o += (size_t)snprintf(out + o, len - o, ";%s=%d", rows[r].name, (int)row_value(p, &rows[r]));
        else
            o += (size_t)snprintf(out + o, len - o, ";%s=%g", rows[r].name, row_value(p, &rows[r]));
    }
    return o;
}
