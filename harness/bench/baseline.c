/* baseline.c — bench-check's provenance and its baseline file: a TSV of
 * rows under "# key\tvalue" provenance lines (results/baseline/bench-check.tsv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/check_run.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/parse.h"
#include "core/text.h"
#include "core/prov.h"

const char *const pv_keys[PV_COUNT] = { "compiler", "flags", "glibc", "cpu",
                                        "valgrind", "commit", "date" };

void bc_chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = 0;
}

void provenance_now(provenance *p)
{
    prov pv;
    prov_collect(&pv);
    memset(p, 0, sizeof *p);
    snprintf(p->v[PV_COMPILER], sizeof p->v[0], "%s", pv.compiler);
    bc_chomp(p->v[PV_COMPILER]);
    snprintf(p->v[PV_FLAGS], sizeof p->v[0], "%s", pv.flags);
    bc_chomp(p->v[PV_FLAGS]);
    snprintf(p->v[PV_GLIBC], sizeof p->v[0], "%s", pv.glibc);
    snprintf(p->v[PV_CPU], sizeof p->v[0], "%s", pv.cpu_model);
    if (prov_first_line("valgrind --version 2>/dev/null", p->v[PV_VALGRIND], sizeof p->v[0]) ||
        !p->v[PV_VALGRIND][0])
        snprintf(p->v[PV_VALGRIND], sizeof p->v[0], "unknown");
    /* the short hash, as `git rev-parse --short` writes it in this repository */
    snprintf(p->v[PV_COMMIT], sizeof p->v[0], "%.7s%s", pv.commit, pv.dirty > 0 ? " (dirty)" : "");
    snprintf(p->v[PV_DATE], sizeof p->v[0], "%s", pv.date);
}

row *rows_add(rows *r)
{
    return grow_slot(&r->v, &r->cap, r->n++, sizeof *r->v, 64);
}

static char *field(char **s)
{
    char *f = *s;
    if (!f) return NULL;
    char *t = strchr(f, '\t');
    if (t) { *t = 0; *s = t + 1; } else *s = NULL;
    return f;
}

int baseline_read(const char *path, baseline *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    size_t len, ll;
    char why[128];
    char *text = read_text(path, &len, why, sizeof why);
    if (!text) {
        snprintf(err, errlen, "cannot read baseline %s: %s (record one with make bench-baseline)", path, why);
        return 1;
    }
    text_lines tl;
    lines_init(&tl, text, len);
    char *line;
    int more, rc = 0;
    while (!rc && (more = lines_next(&tl, &line, &ll)) != 0) {
        size_t lineno = tl.lineno;
        if (more < 0) {
            snprintf(err, errlen, "%s:%zu: a NUL byte (not a text file)", path, lineno);
            rc = 1;
            break;
        }
        bc_chomp(line);
        if (!*line) continue;
        if (line[0] == '#') {
            char *s = line + 1;
            while (*s == ' ') s++;
            char *tab = strchr(s, '\t');
            if (!tab) continue;
            *tab = 0;
            for (int i = 0; i < PV_COUNT; i++)
                if (!strcmp(s, pv_keys[i])) {
                    snprintf(b->pv.v[i], sizeof b->pv.v[i], "%s", tab + 1);
                    b->has_pv[i] = 1;
                }
            continue;
        }
        char *s = line;
        char *kind = field(&s), *op = field(&s), *isa = field(&s), *shape = field(&s);
        char *val = field(&s), *lo = field(&s), *hi = field(&s);
        if (kind && !strcmp(kind, "kind")) continue; /* header */
        row *x = rows_add(&b->r);
        if (!kind || !op || !isa || !shape || !val || !lo || !hi || kind_parse(kind, &x->kind) ||
            ((x->kind == KIND_COUNT || x->kind == KIND_RATIO) && kernel_op_parse(op, &x->op))) {
            snprintf(err, errlen, "%s:%zu: malformed baseline line", path, lineno);
            rc = 1;
            break;
        }
        snprintf(x->what, sizeof x->what, "%s", op);
        snprintf(x->isa, sizeof x->isa, "%s", isa);
        snprintf(x->shape, sizeof x->shape, "%s", shape);
        if (parse_double(val, &x->now) || parse_double(lo, &x->lo) || parse_double(hi, &x->hi)) {
            snprintf(err, errlen, "%s:%zu: a value, lo or hi that is not a number", path, lineno);
            rc = 1;
        }
    }
    free(text);
    if (!rc && b->r.n == 0) { /* it would check nothing, and pass */
        snprintf(err, errlen, "baseline %s has no rows (an empty baseline checks nothing; record one with "
                 "make bench-baseline)", path);
        rc = 1;
    }
    return rc;
}

static const char *const kind_files[] = { "count", "ratio", "stepcount", "llmiss" };
static const char *const kind_measures[] = { "instructions", "speedup/ref", "step instrs", "LL misses" };

const char *kind_file_name(row_kind k) { return kind_files[k]; }
const char *kind_measure(row_kind k) { return kind_measures[k]; }

int kind_parse(const char *s, row_kind *k)
{
    for (int i = 0; i < (int)(sizeof kind_files / sizeof *kind_files); i++)
        if (!strcmp(s, kind_files[i])) {
            *k = (row_kind)i;
            return 0;
        }
    return 1;
}

const row *baseline_find(const baseline *b, const row *x)
{
    for (size_t i = 0; i < b->r.n; i++) {
        const row *y = &b->r.v[i];
        if (y->kind == x->kind && !strcmp(y->what, x->what) && !strcmp(y->isa, x->isa) &&
            !strcmp(y->shape, x->shape))
            return y;
    }
    return NULL;
}

int baseline_write(const char *path, const provenance *pv, const rows *r, int rounds)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return die("bench-check: cannot write %s", tmp);
    fprintf(f, "# dmlbench bench-check baseline, written by `make bench-baseline`.\n"
               "# Commit it with any change that makes a kernel slower on purpose.\n"
               "# count: instructions of one call under callgrind; ratio: speed-up over ref\n"
               "# stepcount, llmiss: instructions and last-level data misses (DLmr + DLmw)\n"
               "# of one whole proxy step under callgrind's cache simulation (STEP_CACHE_SIM)\n"
               "# (median and 95%% interval over %d interleaved rounds, pooled from %d\n"
               "# passes over all kernels); ref_ns, isa_ns: absolute thread-CPU times\n"
               "# per call, for the record only.  Each ratio is the lowest of %d such\n"
               "# measurements taken %d s apart (the machine's load shifts a ratio by up\n"
               "# to ~20 %% for minutes, up or down depending on the kernel; the lowest\n"
               "# is the conservative reference).\n", rounds, BC_PASSES, BC_BASE_BLOCKS,
            BC_PAUSE_S);
    for (int i = 0; i < PV_COUNT; i++) fprintf(f, "# %s\t%s\n", pv_keys[i], pv->v[i]);
    fprintf(f, "kind\top\tisa\tshape\tvalue\tlo\thi\tref_ns\tisa_ns\n");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        if (!x->measured) continue;
        if (kind_counted(x->kind))
            fprintf(f, "%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t-\t-\n", kind_file_name(x->kind), x->what,
                    x->isa, x->shape, x->now, x->now, x->now);
        else
            fprintf(f, "ratio\t%s\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.0f\t%.0f\n", x->what,
                    x->isa, x->shape, x->now, x->lo, x->hi, x->ref_ns, x->isa_ns);
    }
    if (fclose(f) || rename(tmp, path)) {
        remove(tmp);
        return die("bench-check: cannot write %s", path);
    }
    return 0;
}

