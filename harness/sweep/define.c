/* define.c — reading a study definition (experiments/<study>.txt).
 *
 * Format (one study a file; `#` starts a comment):
 *
 *   study   batch                     output name (default: the file's stem)
 *   title   free text                 shown in the JSON
 *   losses  proxy_anchor ms | all     losses run with the top-level keys
 *   kernels gemm lse normalize | all  kernels timed alone (ISA study)
 *   M       geom 16 1024 13           a key with several values is swept
 *   D       64 128 256                (cartesian product, first key outermost)
 *   delta   range 0 0.4 0.1           LO HI STEP, inclusive
 *   isa     all                       every ISA this machine runs
 *   threads all                       1, 2, 4, ... up to the cores, and the cores
 *   quick M 64 128                    used instead of `M ...` with --quick
 *   [proxy_anchor]                    a section: keys for this loss (or kernel) only
 *
 *   train   proxy_anchor ms           losses to train (the learning studies)
 *   baseline pixels                   retrieval on the pixels, one point per protocol
 *
 * Keys: M C D per_class classes_in_batch noise proxy_noise seed reps warmup
 * max_seconds isa threads, every loss parameter of the parameter table
 * (point/params.h: alpha delta scale include_positive beta base epsilon mine
 * margin), for train and baseline units protocol H epochs lr train_limit
 * eval_limit eval_every eval_untrained (C, per_class, classes_in_batch, noise,
 * proxy_noise, reps, warmup and max_seconds are the timing units' alone), and
 * at the top level study title losses kernels train baseline fit_min_M passes.
 * In a study with `train`, a [loss] section gives keys to that loss's train
 * unit (without it, a section makes a timing unit of its loss).
 *
 * passes N runs every point N times, one pass over all points after another
 * (so a burst of load on the shared machine hits one pass, not one point),
 * and keeps each point's pass with the fastest step (column passes). */
#include <limits.h>
#include <string.h>

#include "core/text.h"

#include "sweep/study.h"

/* A "[name]" line: the section it opens, or -1 after a message. */
static int open_section(definition *def, char *tok, int nt, const char *file, int ln)
{
    size_t L = strlen(tok);
    if (nt != 1 || L < 3 || tok[L - 1] != ']')
        return -def_error(file, ln, "a section is written [loss] or [kernel]");
    tok[L - 1] = 0;
    const char *nm = tok + 1;
    dml_loss l;
    int cur = -1;
    if (dml_loss_parse(nm, &l) == DML_OK) cur = SEC_LOSS0 + (int)l;
    for (int j = 0; j < KER_COUNT; j++)
        if (!strcmp(nm, kernel_names[j])) cur = SEC_KER0 + j;
    if (cur < 0) {
        char losses[256];
        size_t o = 0;
        for (int j = 0; j < DML_LOSS_COUNT && o < sizeof losses; j++)
            o += (size_t)snprintf(losses + o, sizeof losses - o, "%s%s", j ? " " : "", dml_loss_name((dml_loss)j));
        return -def_error(file, ln, "unknown section [%s] (a loss: %s, or a kernel: gemm lse normalize)",
                          nm, losses);
    }
    if (def->sec[cur].used)
        return -def_error(file, ln, "section [%s] appears twice", nm);
    def->sec[cur].used = 1;
    def->sec[cur].line = ln;
    return cur;
}

/* A "[quick] key values..." line of section cur. */
static int key_line(definition *def, int cur, char **tok, int nt, const char *file, int ln)
{
    int quick = !strcmp(tok[0], "quick");
    char **kt = tok + quick;
    int nk = nt - quick;
    if (nk == 0)
        return def_error(file, ln, "quick: needs a key and values");
    int id = key_id(kt[0]);
    if (id < 0)
        return def_error(file, ln, "unknown key '%s'", kt[0]);
    if (key_top_only(id) && cur != SEC_TOP)
        return def_error(file, ln, "'%s' belongs at the top of the file, before any section", kt[0]);
    kv *slot = quick ? &def->sec[cur].q[id] : &def->sec[cur].k[id];
    if (slot->set)
        return def_error(file, ln, "%s'%s' is set twice here (first on line %d)", quick ? "quick " : "",
                         kt[0], slot->line);
    return parse_values(id, kt + 1, nk - 1, slot, file, ln);
}

/* Splits a line (comment removed) into tokens; -1 after a message. */
static int tokens(char *line, char **tok, const char *file, int ln)
{
    line[strcspn(line, "#")] = 0;
    int nt = 0;
    char *save = NULL;
    for (char *p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (nt >= MAXV + 8) return -def_error(file, ln, "too many values");
        tok[nt++] = p;
    }
    return nt;
}

enum { LINE_MAX_CHARS = 1022 };

int parse_definition_text(const char *file, char *text, size_t len, definition *def)
{
    memset(def, 0, sizeof *def);
    int cur = SEC_TOP, rc = 0, more;
    def->sec[SEC_TOP].used = 1;
    text_lines tl;
    lines_init(&tl, text, len);
    char *line;
    size_t ll;
    while (!rc && (more = lines_next(&tl, &line, &ll)) != 0) {
        int ln = tl.lineno > INT_MAX ? INT_MAX : (int)tl.lineno;
        if (more < 0) return def_error(file, ln, "a NUL byte (not a text file)");
        if (ll > LINE_MAX_CHARS) return def_error(file, ln, "line longer than %d characters", LINE_MAX_CHARS);
        char *tok[MAXV + 8];
        int nt = tokens(line, tok, file, ln);
        if (nt <= 0) { rc = nt < 0; continue; }
        if (tok[0][0] == '[') {
            cur = open_section(def, tok[0], nt, file, ln);
            rc = cur < 0;
        } else {
            rc = key_line(def, cur, tok, nt, file, ln);
        }
    }
    return rc;
}
