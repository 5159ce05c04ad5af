/* check_counts.c — bench-check's deterministic rows, read from callgrind
 * dumps: each kernel's instruction count, and each whole proxy step's
 * instructions and last-level data misses on the simulated cache of the
 * Makefile's STEP_CACHE_SIM; and the fusion gate, which compares the fused
 * step's misses with the unfused step's of the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/check_run.h"

/* The column of each event we want in a dump's "events:" line. */
typedef struct ev_cols { int ir, dlmr, dlmw; } ev_cols;

static void parse_events(const char *s, ev_cols *c)
{
    *c = (ev_cols){ -1, -1, -1 };
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    int i = 0;
    for (char *save, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
        if (!strcmp(t, "Ir")) c->ir = i;
        if (!strcmp(t, "DLmr")) c->dlmr = i;
        if (!strcmp(t, "DLmw")) c->dlmw = i;
    }
}

/* Field `col` of a "summary:" line, or -1. */
static double summary_field(const char *s, int col)
{
    char *end;
    double v = -1;
    for (int i = 0; i <= col && col >= 0; i++, s = end) {
        v = strtod(s, &end);
        if (end == s) return -1;
    }
    return v;
}

/* Reads DIR/callgrind.<tag>.out.N (N = 1, 2, ...) for the dump whose trigger
 * is `want`: its instructions, and its DLmr + DLmw (-1 when the dump has no
 * cache simulation; ll may be NULL). */
int read_dump(const char *dir, const char *tag, const char *want, double *ir, double *ll,
              char *err, size_t errlen)
{
    for (int n = 1; n < 1000; n++) {
        char path[1024], line[1024];
        snprintf(path, sizeof path, "%s/callgrind.%s.out.%d", dir, tag, n);
        FILE *f = fopen(path, "r");
        if (!f) break;
        int match = 0;
        ev_cols c = { 0, -1, -1 };
        double v = -1, mr = -1, mw = -1;
        while (fgets(line, sizeof line, f)) {
            bc_chomp(line);
            if (!strncmp(line, "desc: Trigger: Client Request: ", 31))
                match = !strcmp(line + 31, want);
            else if (!strncmp(line, "events: ", 8))
                parse_events(line + 8, &c);
            else if (!strncmp(line, "summary: ", 9)) {
                v = summary_field(line + 9, c.ir);
                mr = summary_field(line + 9, c.dlmr);
                mw = summary_field(line + 9, c.dlmw);
            } else if ((!strncmp(line, "positions:", 10) || !strncmp(line, "ob=", 3)) && v >= 0)
                break;
        }
        fclose(f);
        if (match && v >= 0) {
            *ir = v;
            if (ll) *ll = mr >= 0 && mw >= 0 ? mr + mw : -1;
            return 0;
        }
    }
    snprintf(err, errlen, "no callgrind count for '%s' in %s (run make bench-counts)", want, dir);
    return 1;
}

/* A step row of kind k (instructions or LL misses) for step s on isa. */
static void add_step_row(bc_run *R, const step_count_case *s, dml_isa isa, row_kind k)
{
    row *x = rows_add(&R->r);
    x->kind = k;
    step_count_name(s, x->what, sizeof x->what, x->shape, sizeof x->shape);
    snprintf(x->isa, sizeof x->isa, "%s", dml_isa_name(isa));
    char want[200], tag[40], err[512];
    snprintf(want, sizeof want, "count %s %s %s", x->what, x->isa, x->shape);
    snprintf(tag, sizeof tag, "%s.steps", x->isa);
    double ir, ll;
    if (!R->o.counts) {
        snprintf(x->note, sizeof x->note, "not counted: no --counts DIR given");
    } else if (read_dump(R->o.counts, tag, want, &ir, &ll, err, sizeof err)) {
        snprintf(x->note, sizeof x->note, "%s", err);
        R->count_errors++;
    } else if (k == KIND_STEP_LL && ll < 0) {
        snprintf(x->note, sizeof x->note, "no callgrind count for '%s': dump without --cache-sim", want);
        R->count_errors++;
    } else {
        x->measured = 1;
        x->now = x->lo = x->hi = k == KIND_STEP_LL ? ll : ir;
    }
}

/* The step rows: every SIMD ISA valgrind can run (the scalar reference's
 * step would take minutes under the cache simulation). */
void add_step_rows(bc_run *R)
{
    size_t n;
    const step_count_case *t = bench_check_steps(&n);
    for (int i = 0; i < R->nisa; i++) {
        if (R->isas[i] == DML_ISA_REF || !valgrind_runs(R->isas[i])) continue;
        for (size_t c = 0; c < n; c++) add_step_row(R, &t[c], R->isas[i], KIND_STEP_IR);
        for (size_t c = 0; c < n; c++) add_step_row(R, &t[c], R->isas[i], KIND_STEP_LL);
    }
}

static const row *find_ll(const rows *r, const char *isa, const char *what, const char *shape)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].kind == KIND_STEP_LL && r->v[i].measured && !strcmp(r->v[i].isa, isa) &&
            !strcmp(r->v[i].what, what) && !strcmp(r->v[i].shape, shape))
            return &r->v[i];
    return NULL;
}

/* The fusion gate: each fused step's LL misses below BC_FUSED_LL_MAX of the
 * unfused step's, same run, same ISA — no baseline, so it holds whatever
 * CPU recorded one.  Returns how many failed; names them in failed. */
int fusion_gate(rows *r, char *failed, size_t len)
{
    int fails = 0;
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->v[i];
        size_t wl = strlen(x->what);
        if (x->kind != KIND_STEP_LL || !x->measured || wl < 6 || strcmp(x->what + wl - 6, "_fused"))
            continue;
        char un[40];
        snprintf(un, sizeof un, "%.*sunfused", (int)(wl - 5), x->what);
        const row *u = find_ll(r, x->isa, un, x->shape);
        if (!u || u->now <= 0) continue;
        double q = x->now / u->now;
        char t[200];
        snprintf(t, sizeof t, "%s%.2f of %s's (gate < %.2f)", x->note[0] ? "; " : "", q, un,
                 BC_FUSED_LL_MAX);
        strncat(x->note, t, sizeof x->note - strlen(x->note) - 1);
        if (q < BC_FUSED_LL_MAX) continue;
        snprintf(x->verdict, sizeof x->verdict, "FAIL");
        snprintf(t, sizeof t, "%s%s %s (LL misses %.2f of unfused, not fused)", failed[0] ? ", " : "",
                 x->what, x->isa, q);
        strncat(failed, t, len - strlen(failed) - 1);
        fails++;
    }
    return fails;
}
