/* resume.c — `--resume`: the rows an earlier run of the same study wrote
 * (its CSV, or the .partial.csv it leaves after every point) are kept for
 * the points whose key they carry. */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/text.h"
#include "core/parse.h"
#include "sweep/study.h"

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
    char h[2048];
    snprintf(h, sizeof h, "%s", csv_header());
    int i = 0;
    for (char *t = strtok(h, ","); t; t = strtok(NULL, ","), i++)
        if (!strcmp(t, name)) return i;
    return -1;
}

/* Takes over the row `line` (passes and key already cut off) for point i:
 * its first line, or (gen: this read) one more of a learning point's lines.
 * Returns 1 when the point is newly adopted. */
static int adopt_row(study *st, size_t i, char *line, long passes, unsigned gen)
{
    sweep_point *p = &st->pts[i];
    if (p->row && (p->adopt_gen != gen || p->rows_want == 1)) return 0; /* kept from an earlier file */
    int more = p->row != NULL; /* a further line of a learning point of this read */
    size_t commas = 0, want = 0;
    for (const char *c = line; *c; c++) commas += *c == ',';
    for (const char *c = csv_header(); *c; c++) want += *c == ',';
    if (commas + 2 != want) return 0; /* not a row of this header: run the point again */
    /* The row's point index is this run's: rewrite the second field. */
    const char *rest = strchr(line, ',');
    rest = rest ? strchr(rest + 1, ',') : NULL;
    if (!rest) return 0;
    sbuf b = { 0 };
    if (p->row) sb_add(&b, "%s\n", p->row);
    sb_add(&b, "%s,%zu%s", st->name, p->gidx, rest);
    free(p->row);
    p->row = b.s;
    p->passes_done = (int)passes;
    if (more) {
        p->nrows++;
        return 0;
    }
    p->adopt_gen = gen;
    p->nrows = 1;
    char f[64];
    csv_field(line, header_index("value"), f, sizeof f);
    p->value = *f ? strtod(f, NULL) : NAN;
    csv_field(line, header_index("total_min_ms"), f, sizeof f);
    p->best_total = *f ? strtod(f, NULL) : INFINITY;
    csv_field(line, header_index("isa"), p->isa, sizeof p->isa);
    return 1;
}

/* A learning point is done only with all its lines (a run killed between
 * them cannot leave fewer, as a point's lines are written together, but a
 * file edited by hand can): the others run again. */
static size_t drop_incomplete(study *st, unsigned gen)
{
    size_t dropped = 0;
    for (size_t i = 0; i < st->n; i++) {
        sweep_point *p = &st->pts[i];
        if (!p->row || p->adopt_gen != gen || p->nrows == p->rows_want) continue;
        free(p->row);
        p->row = NULL;
        p->nrows = p->passes_done = 0;
        dropped++;
    }
    return dropped;
}

size_t resume_from_text(study *st, const char *path, char *text, size_t len)
{
    static unsigned gens;
    unsigned gen = ++gens;
    size_t found = 0, hl = strlen(csv_header());
    text_lines tl;
    lines_init(&tl, text, len);
    char *line;
    size_t ll;
    if (lines_next(&tl, &line, &ll) != 1 || ll != hl || strcmp(line, csv_header())) {
        die("sweep: %s has another header; not resuming from it", path);
        return 0;
    }
    for (int more; (more = lines_next(&tl, &line, &ll)) != 0;) {
        if (more < 0) {
            die("sweep: %s:%zu: a NUL byte; not resuming from the rest", path, tl.lineno);
            break;
        }
        char *key = strrchr(line, ',');
        if (!key) continue;
        *key++ = 0;
        char *pas = strrchr(line, ',');
        if (!pas) continue;
        *pas++ = 0;
        long passes;
        if (parse_int(pas, 1, STUDY_MAX_PASSES, &passes)) continue;
        size_t i = pointset_find(st, key);
        if (i != SIZE_MAX) found += (size_t)adopt_row(st, i, line, passes, gen);
    }
    return found - drop_incomplete(st, gen);
}

size_t resume_from(study *st, const char *path)
{
    size_t len;
    char err[256];
    char *text = read_text(path, &len, err, sizeof err);
    if (!text) {
        if (access(path, F_OK) == 0) die("sweep: %s: %s; not resuming from it", path, err);
        return 0;
    }
    size_t found = resume_from_text(st, path, text, len);
    free(text);
    return found;
}
