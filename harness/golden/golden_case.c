/* golden_case.c — the golden-case reader and checker. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "core/text.h"
#include "golden/golden_case.h"
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

/* The blank-separated tokens of s, counted (at most max stored, each
 * NUL-terminated in place); returns how many there are. */
static size_t split_blanks(char *s, char **tok, size_t max)
{
    size_t n = 0;
    for (char *p = s;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) return n;
        char *t = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (n < max) tok[n] = t;
        n++;
        if (*p) *p++ = 0;
    }
}

/* Exactly n numbers, the rest of a line, into doubles (strict: core/parse.h). */
static int read_numbers(char *rest, size_t n, double *out, char *what, size_t whatlen)
{
    size_t found = 0;
    for (char *p = rest;;) { /* count first: nothing is allocated for a short line */
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        found++;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    if (found != n) {
        if (found < n) snprintf(what, whatlen, "expected %zu numbers, found %zu", n, found);
        else snprintf(what, whatlen, "more than %zu numbers", n);
        return 1;
    }
    char *p = rest;
    for (size_t i = 0; i < n; i++) {
        while (*p == ' ' || *p == '\t') p++;
        char *t = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        char save = *p;
        *p = 0;
        if (parse_double(t, &out[i])) {
            char *end;
            double v = strtod(t, &end);
            snprintf(what, whatlen, "number %zu is %s", i + 1,
                     end != t && !*end && !isfinite(v) ? "not finite" : "not a number");
            return 1;
        }
        *p = save;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The records of a case; each may be given once. */
static const char *const record_names[] = { "loss", "M", "C", "D", "labels", "X", "P", "dX", "dP", "value" };
enum { NREC = sizeof record_names / sizeof *record_names, MAXPARAM = 16 };

/* What golden_load keeps between lines. */
typedef struct golden_reader {
    golden_case *gc;
    size_t lineno;
    size_t seen[NREC];     /* the line of each record, 0 until given */
    /* Parameters may come before or after "loss"; kept until the end. */
    char pnames[MAXPARAM][32], pvals[MAXPARAM][64];
    size_t np, plines[MAXPARAM];
} golden_reader;

/* The numbers of P (and dP): C·D, or C·K·D for SoftTriple's K centres a
 * class, by the loss and the parameters given so far (finish() checks it
 * again with them all). */
static size_t proxy_numbers(const golden_reader *g)
{
    const golden_case *gc = g->gc;
    dml_params p = gc->params;
    char what[128];
    for (size_t i = 0; g->seen[0] && i < g->np; i++)
        params_set(&p, g->pnames[i], g->pvals[i], what, sizeof what); /* errors: finish() */
    size_t R = g->seen[0] ? dml_proxy_rows(&p, gc->C) : 0;
    return (R ? R : gc->C) * gc->D;
}

/* A labels, X, P, dX, dP or value record: n numbers into its field. */
static int read_array(golden_reader *g, const char *key, char *rest, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    if (!gc->M || !gc->C || !gc->D)
        return failf(err, errlen, "line %zu: %s before M, C and D", g->lineno, key);
    size_t n = !strcmp(key, "labels") ? gc->M : !strcmp(key, "value") ? 1
             : (key[strlen(key) - 1] == 'X') ? gc->M * gc->D : proxy_numbers(g);
    char what[128];
    if (n > strlen(rest) / 2 + 1) { /* a number takes two characters with its blank */
        read_numbers(rest, n, NULL, what, sizeof what);
        return failf(err, errlen, "line %zu: %s: %s", g->lineno, key, what);
    }
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return failf(err, errlen, "line %zu: out of memory", g->lineno);
    if (read_numbers(rest, n, tmp, what, sizeof what)) {
        snprintf(err, errlen, "line %zu: %s: %s", g->lineno, key, what);
        free(tmp);
        return 1;
    }
    int rc = 0;
    if (!strcmp(key, "labels")) {
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
    } else if (!strcmp(key, "X") || !strcmp(key, "P")) {
        float **dst = key[0] == 'X' ? &gc->X : &gc->P;
        if (key[0] == 'P') gc->R = n / gc->D;
        *dst = malloc(n * sizeof **dst);
        if (!*dst) rc = failf(err, errlen, "line %zu: out of memory", g->lineno);
        for (size_t i = 0; i < n && !rc; i++) (*dst)[i] = (float)tmp[i];
    } else {
        double **dst = key[1] == 'X' ? &gc->dX : &gc->dP;
        *dst = tmp;
        return 0;
    }
    free(tmp);
    return rc;
}

/* A "param NAME VALUE" record, kept for finish(). */
static int read_param(golden_reader *g, char *rest, char *err, size_t errlen)
{
    char *tok[2];
    if (split_blanks(rest, tok, 2) != 2 || strlen(tok[0]) > 31 || strlen(tok[1]) > 63)
        return failf(err, errlen, "line %zu: param needs a name and a value", g->lineno);
    for (size_t i = 0; i < g->np; i++)
        if (!strcmp(g->pnames[i], tok[0]))
            return failf(err, errlen, "line %zu: param %s is given twice (first on line %zu)", g->lineno,
                         tok[0], g->plines[i]);
    if (g->np == MAXPARAM) return failf(err, errlen, "line %zu: too many parameters", g->lineno);
    snprintf(g->pnames[g->np], sizeof g->pnames[g->np], "%s", tok[0]);
    snprintf(g->pvals[g->np], sizeof g->pvals[g->np], "%s", tok[1]);
    g->plines[g->np++] = g->lineno;
    return 0;
}

/* One record (key and the rest of its line); 1 with err set. */
static int read_record(golden_reader *g, const char *key, char *rest, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    if (!strcmp(key, "param")) return read_param(g, rest, err, errlen);
    int r = 0;
    while (r < NREC && strcmp(key, record_names[r])) r++;
    if (r == NREC) return failf(err, errlen, "line %zu: unknown record '%s'", g->lineno, key);
    if (g->seen[r])
        return failf(err, errlen, "line %zu: %s is given twice (first on line %zu)", g->lineno, key, g->seen[r]);
    g->seen[r] = g->lineno;
    char *tok[1];
    if (!strcmp(key, "loss")) {
        if (split_blanks(rest, tok, 1) != 1 || dml_loss_parse(tok[0], &gc->params.loss) != DML_OK)
            return failf(err, errlen, "line %zu: unknown loss", g->lineno);
        gc->params = dml_params_default(gc->params.loss);
    } else if (!strcmp(key, "M") || !strcmp(key, "C") || !strcmp(key, "D")) {
        size_t v;
        if (split_blanks(rest, tok, 1) != 1 || parse_size(tok[0], &v) || v == 0 || v > (1u << 24))
            return failf(err, errlen, "line %zu: %s needs one positive integer", g->lineno, key);
        *(key[0] == 'M' ? &gc->M : key[0] == 'C' ? &gc->C : &gc->D) = v;
    } else {
        return read_array(g, key, rest, err, errlen);
    }
    return 0;
}

/* After the last line: the parameters (their loss is known now) and what must be there. */
static int finish(golden_reader *g, char *err, size_t errlen)
{
    golden_case *gc = g->gc;
    char what[128];
    if (!g->seen[0]) FAIL("no 'loss' line");
    for (size_t i = 0; i < g->np; i++) {
        int r = params_set(&gc->params, g->pnames[i], g->pvals[i], what, sizeof what);
        if (r == 1) FAIL("line %zu: %s", g->plines[i], what);
        if (r == 2) FAIL("line %zu: unknown parameter '%s'", g->plines[i], g->pnames[i]);
    }
    int proxies = dml_loss_kind_of(gc->params.loss) == DML_KIND_PROXY;
    size_t R = dml_proxy_rows(&gc->params, gc->C);
    if (proxies && gc->P && gc->R != R)
        FAIL("line %zu: P has %zu rows, but %s with these parameters takes %zu", g->seen[6], gc->R,
             dml_loss_name(gc->params.loss), R);
    if (!gc->y) FAIL("no 'labels' line");
    if (!gc->X) FAIL("no 'X' line");
    if (!g->seen[NREC - 1]) FAIL("no 'value' line");
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
    while (p[klen] && p[klen] != ' ' && p[klen] != '\t' && klen < 31) {
        key[klen] = p[klen];
        klen++;
    }
    key[klen] = '\0';
    return p + klen;
}

int golden_parse(const char *name, char *text, size_t len, golden_case *gc, char *err, size_t errlen)
{
    memset(gc, 0, sizeof *gc);
    snprintf(gc->name, sizeof gc->name, "%s", name);
    char *dot = strrchr(gc->name, '.');
    if (dot && !strcmp(dot, ".txt")) *dot = '\0';
    golden_reader g = { .gc = gc };
    text_lines tl;
    lines_init(&tl, text, len);
    char *line;
    size_t ll;
    int rc = 0, more;
    while (!rc && (more = lines_next(&tl, &line, &ll)) != 0) {
        g.lineno = tl.lineno;
        if (more < 0) { rc = failf(err, errlen, "line %zu: a NUL byte (not a text file)", g.lineno); break; }
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\0') continue;
        char key[32];
        char *rest = split_key(p, key);
        rc = read_record(&g, key, rest, err, errlen);
    }
    if (!rc) rc = finish(&g, err, errlen);
    if (rc) golden_free(gc);
    return rc;
}

int golden_load(const char *path, golden_case *gc, char *err, size_t errlen)
{
    size_t len;
    memset(gc, 0, sizeof *gc);
    char *text = read_text(path, &len, err, errlen);
    if (!text) return 1;
    int rc = golden_parse(base_name(path), text, len, gc, err, errlen);
    free(text);
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
    size_t R = dml_proxy_rows(&gc->params, gc->C);
    int proxies = dml_loss_kind_of(gc->params.loss) == DML_KIND_PROXY;
    dml_status st;
    dml_ctx *ctx = dml_ctx_create_for(&gc->params, gc->M, gc->C, gc->D, isa, threads, &st);
    float *dX = malloc(gc->M * gc->D * sizeof *dX);
    float *dP = proxies ? malloc((R ? R : 1) * gc->D * sizeof *dP) : NULL;
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
        diff_norm(dP, gc->dP, R * gc->D, &res->dp_err, &res->dp_ref_norm);
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
