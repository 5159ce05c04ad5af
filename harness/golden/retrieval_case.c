/* retrieval_case.c — reading a golden retrieval case (tests/golden/README.md,
 * "Retrieval cases"): an embedding set and the metrics PML 2.8.1 gives for it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "golden/retrieval_case.h"

static const char *const metric_names[7] = {
    "recall_at_1", "recall_at_2", "recall_at_4", "recall_at_8", "r_precision", "map_at_r",
    "precision_at_1",
};

static double *metric_slot(retrieval_metrics *m, int i)
{
    if (i < 4) return &m->recall[i];
    if (i == 4) return &m->r_precision;
    return &m->map_at_r;  /* i == 5; precision_at_1 (6) is checked against recall_at_1 */
}

/* The first record (first line that is neither blank nor a comment). */
static const char *first_record(const char *p)
{
    while (*p) {
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r') {
            p = strchr(p, '\n');
            if (!p) return "";
            p++;
            continue;
        }
        return p;
    }
    return p;
}

int retrieval_case_is(const char *path)
{
    size_t len;
    char *text = read_file_all(path, &len);
    if (!text) return 0;
    const char *r = first_record(text);
    int is = !strncmp(r, "retrieval", 9) && (r[9] == '\n' || r[9] == '\0' || r[9] == ' ' ||
                                             r[9] == '\r');
    free(text);
    return is;
}

/* Exactly n numbers in s (to the end of the line). */
static int numbers(char *s, size_t n, double *out, char *what, size_t len)
{
    char *end;
    for (size_t i = 0; i < n; i++) {
        errno = 0;
        out[i] = strtod(s, &end);
        if (end == s) {
            snprintf(what, len, "expected %zu numbers, found %zu", n, i);
            return 1;
        }
        if (!isfinite(out[i])) {
            snprintf(what, len, "number %zu is not finite", i + 1);
            return 1;
        }
        s = end;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    if (*s) {
        snprintf(what, len, "more than %zu numbers", n);
        return 1;
    }
    return 0;
}

/* One record "name rest" into rc; `seen` counts what has been read. */
static int record(retrieval_case *rc, char *name, char *rest, unsigned *seen, char *what,
                  size_t len)
{
    double v, *buf;
    if (!strcmp(name, "N") || !strcmp(name, "D")) {
        if (numbers(rest, 1, &v, what, len)) return 1;
        if (v < 1 || v > 1e6 || v != floor(v)) {
            snprintf(what, len, "%s must be an integer in [1, 1e6]", name);
            return 1;
        }
        *(name[0] == 'N' ? &rc->N : &rc->D) = (size_t)v;
        *seen |= name[0] == 'N' ? 1u : 2u;
        return 0;
    }
    if (!strcmp(name, "labels") || !strcmp(name, "E")) {
        if ((*seen & 3u) != 3u) {
            snprintf(what, len, "%s before N and D", name);
            return 1;
        }
        int lab = name[0] == 'l';
        size_t n = lab ? rc->N : rc->N * rc->D;
        if (!(buf = malloc(n * sizeof(double)))) {
            snprintf(what, len, "out of memory");
            return 1;
        }
        int bad = numbers(rest, n, buf, what, len);
        for (size_t i = 0; !bad && i < n; i++) {
            if (lab && (buf[i] < 0 || buf[i] >= (double)rc->N || buf[i] != floor(buf[i]))) {
                snprintf(what, len, "label %zu (%g) is not an integer in [0, N)", i + 1, buf[i]);
                bad = 1;
            } else if (lab) rc->labels[i] = (int32_t)buf[i];
            else rc->E[i] = (float)buf[i];
        }
        free(buf);
        *seen |= lab ? 4u : 8u;
        return bad;
    }
    for (int i = 0; i < 7; i++)
        if (!strcmp(name, metric_names[i])) {
            if (numbers(rest, 1, &v, what, len)) return 1;
            if (i < 6) *metric_slot(&rc->want, i) = v;
            *seen |= 16u << i;
            return 0;
        }
    snprintf(what, len, "unknown record '%s'", name);
    return 1;
}

/* Splits one line into its record name and the rest; returns 0 for a blank or
 * comment line. */
static int split(char *line, char **name, char **rest)
{
    while (*line == ' ' || *line == '\t') line++;
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\r' || line[l - 1] == ' ')) line[--l] = '\0';
    if (!*line || *line == '#') return 0;
    *name = line;
    char *sp = strpbrk(line, " \t");
    *rest = sp ? sp + 1 : line + l;
    if (sp) *sp = '\0';
    return 1;
}

int retrieval_case_load(const char *path, retrieval_case *rc, char *err, size_t errlen)
{
    memset(rc, 0, sizeof *rc);
    size_t len;
    char *text = read_file_all(path, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return 1;
    }
    unsigned seen = 0;
    int lineno = 0, started = 0;
    char what[200] = "";
    for (char *line = text, *next; line && !*what; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        char *name, *rest;
        if (!split(line, &name, &rest)) continue;
        if (!started) {
            if (strcmp(name, "retrieval") || *rest)
                snprintf(what, sizeof what, "the first record must be 'retrieval'");
            started = 1;
            continue;
        }
        if (((seen & 3u) == 3u) && !rc->labels) {
            rc->labels = malloc(rc->N * sizeof(int32_t));
            rc->E = malloc(rc->N * rc->D * sizeof(float));
            if (!rc->labels || !rc->E) snprintf(what, sizeof what, "out of memory");
        }
        if (!strcmp(name, "N") || !strcmp(name, "D")) {
            if (rc->labels) snprintf(what, sizeof what, "%s given twice or after the data", name);
        }
        if (!*what) record(rc, name, rest, &seen, what, sizeof what);
    }
    if (!*what && seen != (16u << 7) - 1)
        snprintf(what, sizeof what, "end of file: missing records (needs N, D, labels, E and the 7 metrics)");
    free(text);
    if (*what) {
        snprintf(err, errlen, "line %d: %s", lineno, what);
        retrieval_case_free(rc);
        return 1;
    }
    return 0;
}

void retrieval_case_free(retrieval_case *rc)
{
    free(rc->labels);
    free(rc->E);
    rc->labels = NULL;
    rc->E = NULL;
}

double retrieval_max_error(const retrieval_metrics *got, const retrieval_metrics *want)
{
    double e = 0;
    for (int i = 0; i < 6; i++) {
        double d = fabs(*metric_slot((retrieval_metrics *)got, i) -
                        *metric_slot((retrieval_metrics *)want, i));
        if (!(d <= e)) e = d;  /* a NaN wins */
    }
    return e;
}
