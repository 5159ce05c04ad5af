/* params.c — the table of loss parameters (see params.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "point/params.h"

typedef struct param_row {
    const char *name;
    dml_loss loss;
    param_type type;
    size_t offset;       /* of the float (or int, for flags, choices, counts) in dml_params */
    const char *metavar;
    const char *(*choice)(int v); /* PT_CHOICE: the name of choice v, NULL past the last */
} param_row;

/* The rows: every loss's parameters as the library describes them
 * (dml_loss_params), losses in the table's order, each loss's in its own.
 * A name shared by two losses (alpha, margin) is one CSV column. */
enum { MAX_ROWS = 64 };
static param_row rows[MAX_ROWS];
static int NROWS = -1;

static void fill_rows(void)
{
    int n = 0;
    for (int l = 0; l < DML_LOSS_COUNT; l++)
        for (const dml_param_info *d = dml_loss_params((dml_loss)l); d && d->name && n < MAX_ROWS; d++)
            rows[n++] = (param_row){ d->name, (dml_loss)l, (param_type)d->type, d->offset, d->metavar,
                                     d->choice };
    NROWS = n;
}

/* Filled once, on first use, from whichever thread asks first. */
static void load_rows(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_rows);
}

/* The first row of each distinct name, in table order. */
static int first_rows(const param_row **out)
{
    load_rows();
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
    const param_row *first[MAX_ROWS];
    int n = first_rows(first);
    return i >= 0 && i < n ? first[i] : NULL;
}

int param_name_count(void)
{
    const param_row *first[MAX_ROWS];
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
    load_rows();
    for (int r = 0; r < NROWS; r++)
        if (rows[r].loss == loss && !strcmp(rows[r].name, name)) return &rows[r];
    return NULL;
}

int param_applies(int i, dml_loss loss) { return find_row(param_name(i), loss) != NULL; }

static int is_int(param_type t) { return t == PT_FLAG || t == PT_CHOICE || t == PT_COUNT; }

static double row_value(const dml_params *p, const param_row *r)
{
    const char *base = (const char *)p;
    if (is_int(r->type)) return *(const int *)(const void *)(base + r->offset);
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
    if (t == PT_FLAG ? !parse_int(value, 0, 1, iv)
        : t == PT_COUNT ? !parse_int(value, 1, PARAM_COUNT_MAX, iv)
        : t == PT_RATIO ? !parse_float(value, v) && *v > 0 && *v <= 1 : !parse_float(value, v))
        return 0;
    snprintf(err, errlen, "%s: '%s' is not a %s", name, value,
             t == PT_FLAG ? "flag (0 or 1)" : t == PT_COUNT ? "count (1 to 65536)"
             : t == PT_RATIO ? "ratio in (0, 1]" : "finite number");
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
    if (is_int(r->type)) *(int *)(void *)(base + r->offset) = (int)iv;
    else *(float *)(void *)(base + r->offset) = v;
    return 0;
}

size_t params_key(const dml_params *p, char *out, size_t len)
{
    load_rows();
    size_t o = 0;
    for (int r = 0; r < NROWS && o < len; r++) {
        if (rows[r].loss != p->loss) continue;
        if (rows[r].type == PT_CHOICE) {
            const char *c = rows[r].choice((int)row_value(p, &rows[r]));
            o += (size_t)snprintf(out + o, len - o, ";%s=%s", rows[r].name, c ? c : "?");
        } else if (rows[r].type == PT_FLAG || rows[r].type == PT_COUNT)
            o += (size_t)snprintf(out + o, len - o, ";%s=%d", rows[r].name, (int)row_value(p, &rows[r]));
        else
            o += (size_t)snprintf(out + o, len - o, ";%s=%g", rows[r].name, row_value(p, &rows[r]));
    }
    return o;
}
