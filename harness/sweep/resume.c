/* resume.c — `--resume`: the rows an earlier run of the same study wrote
 * (its CSV, or the .partial.csv it leaves after every point) are kept for
 * the points whose key they carry. */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/text.h"
#include "core/parse.h"
#include "sweep/study.h"

/* A row is the point's only when its own columns say what its key says:
 * kind, name (a baseline's two lines have names of their own), shape, batch
 * and loss parameters as this build writes them for the point (isa, threads
 * and reps are what ran, and may differ from what was asked). */
static int row_matches(const study *st, const sweep_point *p, const char *line)
{
    static const char *const kinds[] = { [PK_LOSS] = "loss", [PK_KERNEL] = "kernel", [PK_TRAIN] = "train",
                                         [PK_BASELINE] = "baseline" };
    enum { C_KIND = 2, C_NAME = 3, C_SHAPE = 6, C_REPS = 14 };
    char kind[16], name[64], a[64], e[64];
    if (csv_get(line, C_KIND, kind, sizeof kind) || strcmp(kind, kinds[p->kind]) ||
        csv_get(line, C_NAME, name, sizeof name))
        return 0;
    const char *want = p->kind == PK_KERNEL ? kernel_names[p->kernel] : p->kind == PK_BASELINE ? NULL
                     : dml_loss_name(p->sp.params.loss);
    if (want && strcmp(name, want)) return 0;
    sbuf b = { 0 };
    fmt_what(&b, st, p, kind, name, "", 0);
    int ok = 1;
    for (int i = C_SHAPE, n = (int)csv_count(b.s); i < n && ok; i++)
        ok = i == C_REPS || (!csv_get(line, i, a, sizeof a) && !csv_get(b.s, i, e, sizeof e) && !strcmp(a, e));
    free(b.s);
    return ok;
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
    if (commas + 2 != want || !row_matches(st, p, line)) return 0; /* not this point's row: run it again */
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
    csv_get(line, csv_find(csv_header(), "value"), f, sizeof f);
    p->value = *f ? strtod(f, NULL) : NAN;
    csv_get(line, csv_find(csv_header(), "total_min_ms"), f, sizeof f);
    p->best_total = *f ? strtod(f, NULL) : INFINITY;
    csv_get(line, csv_find(csv_header(), "isa"), p->isa, sizeof p->isa);
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
    /* a file that lost its last bytes: its last line may be any prefix of a
     * row, a key cut short among them (delta=0.15 read as delta=0.1) */
    char *last = len ? memrchr(text, '\n', len) : NULL;
    if (len && text[len - 1] != '\n') {
        die("sweep: %s: its last line is cut short (no newline); that point runs again", path);
        len = last ? (size_t)(last - text) + 1 : 0;
        text[len] = 0;
    }
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
