/* golden_case.c — the golden-case reader and checker. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "point/golden_case.h"
#include "point/params.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

/* Sets err; returns 1. */
static int failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 1;
}

/* Reads exactly n numbers from the rest of a line into doubles. */
static int read_numbers(char *rest, size_t n, double *out, char *what, size_t whatlen)
{
    char *p = rest, *end;
    for (size_t i = 0; i < n; i++) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '\n') {
            snprintf(what, whatlen, "expected %zu numbers, found %zu", n, i);
            return 1;
        }
        errno = 0;
        out[i] = strtod(p, &end);
        if (end == p || (*end && *end != ' ' && *end != '\t' && *end != '\n')) {
            snprintf(what, whatlen, "number %zu is not a number", i + 1);
            return 1;
        }
        if (!isfinite(out[i])) {
            snprintf(what, whatlen, "number %zu is not finite", i + 1);
            return 1;
        }
        p = end;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    if (*p) {
        snprintf(what, whatlen, "more than %zu numbers", n);
        return 1;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* What golden_load keeps between lines. */
typedef struct golden_reader {
    golden_case *gc;
    size_t lineno;
    int have_loss, have_value;
    /* Parameters may come before or after "loss"; kept until the end. */
    char pnames[16][32], pvals[16][64];
    size_t np, plines[16];
} golden_reader;

/* A labels, X, P, dX, dP or value record: n numbers into its field. */
static int read_array(golden_reader *g, const char *key, char *rest, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    if (!gc->M || !gc->C || !gc->D)
        return failf(err, errlen, "line %zu: %s before M, C and D", g->lineno, key);
    size_t n = !strcmp(key, "labels") ? gc->M : !strcmp(key, "value") ? 1
             : (key[strlen(key) - 1] == 'X') ? gc->M * gc->D : gc->C * gc->D;
    char what[128];
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return failf(err, errlen, "line %zu: out of memory", g->lineno);
    if (read_numbers(rest, n, tmp, what, sizeof what)) {
        snprintf(err, errlen, "line %zu: %s: %s", g->lineno, key, what);
        free(tmp);
        return 1;
    }
    int rc = 0;
    if (!strcmp(key, "labels")) {
        free(gc->y);
        gc->y = malloc(n * sizeof *gc->y);
        if (!gc->y) rc = failf(err, errlen, "line %zu: out of memory", g->lineno);
        for (size_t i = 0; i < n && !rc; i++) {
            if (tmp[i] != floor(tmp[i]) || tmp[i] < 0 || tmp[i] >= (double)gc->C)
                rc = failf(err, errlen, "line %zu: label %zu (%g) is not an integer in [0, %zu)",
                              g->lineno, i + 1, tmp[i], gc->C);
            else
                gc->y[i] = (int32_t)tmp[i];
        }
    } else if (!strcmp(key, "value")) {
        gc->value = tmp[0];
        g->have_value = 1;
    } else if (!strcmp(key, "X") || !strcmp(key, "P")) {
        float **dst = key[0] == 'X' ? &gc->X : &gc->P;
        free(*dst);
        *dst = malloc(n * sizeof **dst);
        if (!*dst) rc = failf(err, errlen, "line %zu: out of memory", g->lineno);
        for (size_t i = 0; i < n && !rc; i++) (*dst)[i] = (float)tmp[i];
    } else {
        double **dst = key[1] == 'X' ? &gc->dX : &gc->dP;
        free(*dst);
        *dst = tmp;
        return 0;
    }
    free(tmp);
    return rc;
}

/* One record (key and the rest of its line); 1 with err set. */
static int read_record(golden_reader *g, const char *key, char *rest, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    if (!strcmp(key, "loss")) {
        char name[32];
        if (sscanf(rest, "%31s", name) != 1 || dml_loss_parse(name, &gc->params.loss) != DML_OK)
            return failf(err, errlen, "line %zu: unknown loss", g->lineno);
        gc->params = dml_params_default(gc->params.loss);
        g->have_loss = 1;
    } else if (!strcmp(key, "M") || !strcmp(key, "C") || !strcmp(key, "D")) {
        char num[32], extra[8];
        size_t v;
        int n = sscanf(rest, "%31s %7s", num, extra);
        if (n != 1 || parse_size(num, &v) || v == 0 || v > (1u << 24))
            return failf(err, errlen, "line %zu: %s needs one positive integer", g->lineno, key);
        *(key[0] == 'M' ? &gc->M : key[0] == 'C' ? &gc->C : &gc->D) = v;
    } else if (!strcmp(key, "param")) {
        if (g->np == 16) return failf(err, errlen, "line %zu: too many parameters", g->lineno);
        if (sscanf(rest, "%31s %63s", g->pnames[g->np], g->pvals[g->np]) != 2)
            return failf(err, errlen, "line %zu: param needs a name and a value", g->lineno);
        g->plines[g->np++] = g->lineno;
    } else if (!strcmp(key, "labels") || !strcmp(key, "X") || !strcmp(key, "P") ||
               !strcmp(key, "dX") || !strcmp(key, "dP") || !strcmp(key, "value")) {
        return read_array(g, key, rest, err, errlen);
    } else {
        return failf(err, errlen, "line %zu: unknown record '%s'", g->lineno, key);
    }
    return 0;
}

/* After the last line: the parameters (their loss is known now) and what must be there. */
static int finish(golden_reader *g, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    char what[128];
    if (!g->have_loss) FAIL("no 'loss' line");
    for (size_t i = 0; i < g->np; i++) {
        int r = params_set(&gc->params, g->pnames[i], g->pvals[i], what, sizeof what);
        if (r == 1) FAIL("line %zu: %s", g->plines[i], what);
        if (r == 2) FAIL("line %zu: unknown parameter '%s'", g->plines[i], g->pnames[i]);
    }
    int proxies = dml_loss_has_proxies(gc->params.loss);
    if (!gc->y) FAIL("no 'labels' line");
    if (!gc->X) FAIL("no 'X' line");
    if (!g->have_value) FAIL("no 'value' line");
    if (!gc->dX) FAIL("no 'dX' line");
    if (proxies && !gc->P) FAIL("no 'P' line (the loss has proxies)");
    if (proxies && !gc->dP) FAIL("no 'dP' line (the loss has proxies)");
    return 0;
fail:
    return 1;
}

/* The record's key (at most 31 characters) into key; returns the rest of the line. */
static char *split_key(char *p, char key[32])
{
    int klen = 0;
    while (p[klen] && p[klen] != ' ' && p[klen] != '\t' && p[klen] != '\n' && klen < 31) {
        key[klen] = p[klen];
        klen++;
    }
    key[klen] = '\0';
    return p + klen;
}

int golden_load(const char *path, golden_case *gc, char *err, size_t errlen)
{
    memset(gc, 0, sizeof *gc);
    snprintf(gc->name, sizeof gc->name, "%s", base_name(path));
    char *dot = strrchr(gc->name, '.');
    if (dot && !strcmp(dot, ".txt")) *dot = '\0';
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return 1;
    }
    golden_reader g = { .gc = gc };
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (!rc && getline(&line, &cap, f) > 0) {
        g.lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\0') continue;
        char key[32];
        char *rest = split_key(p, key);
        rc = read_record(&g, key, rest, err, errlen);
    }
    if (!rc && ferror(f)) rc = failf(err, errlen, "read error: %s", strerror(errno));
    if (!rc) rc = finish(&g, err, errlen);
    free(line);
    fclose(f);
    if (rc) golden_free(gc);
    return rc;
}

void golden_free(golden_case *gc)
{
    free(gc->y); free(gc->X); free(gc->P); free(gc->dX); free(gc->dP);
    gc->y = NULL; gc->X = gc->P = NULL; gc->dX = gc->dP = NULL;
}

/* ‖a − b‖ and ‖b‖ in double. */
static void diff_norm(const float *a, const double *b, size_t n, double *err, double *ref)
{
    double e = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        e += d * d;
        r += b[i] * b[i];
    }
    *err = sqrt(e);
    *ref = sqrt(r);
}

int golden_eval(const golden_case *gc, dml_isa isa, int threads, golden_result *res, char *err,
                size_t errlen)
{
    memset(res, 0, sizeof *res);
    int proxies = dml_loss_has_proxies(gc->params.loss);
    dml_status st;
    dml_ctx *ctx = dml_ctx_create(gc->params.loss, gc->M, gc->C, gc->D, isa, threads, &st);
    float *dX = malloc(gc->M * gc->D * sizeof *dX);
    float *dP = proxies ? malloc(gc->C * gc->D * sizeof *dP) : NULL;
    int rc = 1;
    if (!ctx) {
        snprintf(err, errlen, "%s", lib_error(st));
        goto out;
    }
    if (!dX || (proxies && !dP)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    st = dml_loss_step(ctx, &gc->params, gc->X, gc->y, gc->P, &res->value, dX, dP);
    if (st != DML_OK) {
        snprintf(err, errlen, "%s", lib_error(st));
        goto out;
    }
    res->value_err = fabs((double)res->value - gc->value);
    res->value_tol = 1e-5 * fabs(gc->value) + 1e-6;
    diff_norm(dX, gc->dX, gc->M * gc->D, &res->dx_err, &res->dx_ref_norm);
    res->dx_tol = 1e-4 * res->dx_ref_norm + 1e-6;
    res->dp_err = res->dp_tol = res->dp_ref_norm = NAN;
    if (proxies) {
        diff_norm(dP, gc->dP, gc->C * gc->D, &res->dp_err, &res->dp_ref_norm);
        res->dp_tol = 1e-4 * res->dp_ref_norm + 1e-6;
    }
    /* Written so that a NaN anywhere fails. */
    res->pass = res->value_err <= res->value_tol && res->dx_err <= res->dx_tol &&
                (!proxies || res->dp_err <= res->dp_tol);
    rc = 0;
out:
    free(dX);
    free(dP);
    dml_ctx_destroy(ctx);
    return rc;
}
