/* resume.c — `--resume`: the rows an earlier run of the same study wrote
 * (its CSV, or the .partial.csv it leaves after every point) are kept for
 * the points whose key they carry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fileio.h"
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

/* Takes over the row `line` (passes and key already cut off) for point i. */
static int adopt_row(study *st, size_t i, char *line, long passes)
{
    sweep_point *p = &st->pts[i];
    /* The row's point index is this run's: rewrite the second field. */
    const char *rest = strchr(line, ',');
    rest = rest ? strchr(rest + 1, ',') : NULL;
    if (!rest) return 0;
    sbuf b = { 0 };
    sb_add(&b, "%s,%zu%s", st->name, p->gidx, rest);
    p->row = b.s;
    p->passes_done = (int)passes;
    char f[64];
    csv_field(line, header_index("value"), f, sizeof f);
    p->value = *f ? strtod(f, NULL) : NAN;
    csv_field(line, header_index("total_min_ms"), f, sizeof f);
    p->best_total = *f ? strtod(f, NULL) : INFINITY;
    csv_field(line, header_index("isa"), p->isa, sizeof p->isa);
    return 1;
}

size_t resume_from(study *st, const char *path)
{
    char *text = read_file_all(path, NULL);
    if (!text) return 0;
    size_t found = 0, hl = strlen(csv_header());
    if (strncmp(text, csv_header(), hl) || (text[hl] != '\n' && text[hl] != 0)) {
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
        for (size_t i = 0; i < st->n; i++)
            if (!st->pts[i].row && !strcmp(st->pts[i].key, key)) {
                found += (size_t)adopt_row(st, i, line, passes);
                break;
            }
    }
    free(text);
    return found;
}
