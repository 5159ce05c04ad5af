/* check_report.c — bench-check's verdicts and what it prints and writes:
 * the table, the JSON report, the baseline when asked to record one. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/check_run.h"
#include "core/error.h"
#include "core/json.h"

static void bc_json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fprintf(f, "null");
}

static int write_json(const char *path, const provenance *now, const baseline *b,
                      const rows *r, const char *result, const char *waiver)
{
    FILE *f = fopen(path, "w");
    if (!f) return die("bench-check: cannot write %s", path);
    json_kv(f, "{\n  \"result\": ", result);
    json_kv(f, ",\n  \"waiver\": ", waiver);
    fprintf(f, ",\n  \"provenance\": {");
    for (int i = 0; i < PV_COUNT; i++) {
        fprintf(f, "%s", i ? ", " : "");
        json_str(f, pv_keys[i]);
        json_kv(f, ": ", now->v[i]);
    }
    fprintf(f, "},\n  \"baseline_provenance\": {");
    for (int i = 0; b && i < PV_COUNT; i++) {
        fprintf(f, "%s", i ? ", " : "");
        json_str(f, pv_keys[i]);
        json_kv(f, ": ", b->pv.v[i]);
    }
    fprintf(f, "},\n  \"rows\": [\n");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        json_kv(f, "    {\"kernel\": ", x->what);
        json_kv(f, ", \"isa\": ", x->isa);
        json_kv(f, ", \"shape\": ", x->shape);
        static const char *const measures[] = { "instructions", "speedup_vs_ref", "step_instructions",
                                                "step_ll_data_misses" };
        fprintf(f, ", \"measure\": \"%s\"", measures[x->kind]);
        fprintf(f, ", \"baseline\": ");
        bc_json_num(f, x->has_base ? x->base : NAN);
        fprintf(f, ", \"now\": ");
        bc_json_num(f, x->measured ? x->now : NAN);
        fprintf(f, ", \"now_lo\": ");
        bc_json_num(f, x->measured ? x->lo : NAN);
        fprintf(f, ", \"now_hi\": ");
        bc_json_num(f, x->measured ? x->hi : NAN);
        fprintf(f, ", \"change\": ");
        bc_json_num(f, x->measured && x->has_base ? x->now / x->base - 1 : NAN);
        fprintf(f, ", \"ref_ns\": ");
        bc_json_num(f, x->kind == KIND_RATIO && x->measured ? x->ref_ns : NAN);
        fprintf(f, ", \"isa_ns\": ");
        bc_json_num(f, x->kind == KIND_RATIO && x->measured ? x->isa_ns : NAN);
        json_kv(f, ", \"verdict\": ", x->verdict);
        json_kv(f, ", \"note\": ", x->note);
        fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) ? die("bench-check: cannot write %s", path) : 0;
}

void print_table(const rows *r)
{
    printf("%-20s %-7s %-18s %-13s %12s  %-26s %8s  %-7s %s\n", "kernel", "isa", "shape",
           "measure", "baseline", "now", "change", "verdict", "note");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        char base[32] = "-", now[64] = "-", chg[16] = "-";
        if (kind_counted(x->kind)) {
            if (x->has_base) snprintf(base, sizeof base, "%.0f", x->base);
            if (x->measured) snprintf(now, sizeof now, "%.0f", x->now);
        } else {
            if (x->has_base) snprintf(base, sizeof base, "%.2fx", x->base);
            if (x->measured) snprintf(now, sizeof now, "%.2fx [%.2f, %.2f]", x->now, x->lo, x->hi);
        }
        if (x->measured && x->has_base)
            snprintf(chg, sizeof chg, "%+.1f%%", 100 * (x->now / x->base - 1));
        printf("%-20s %-7s %-18s %-13s %12s  %-26s %8s  %-7s %s\n", x->what, x->isa,
               x->shape, kind_measure(x->kind), base, now, chg,
               x->verdict, x->note);
    }
}

/* A baseline is only written complete: a missing count would leave a row
 * that no later run can be compared with. */
int bc_write_baseline(bc_run *R)
{
    if (R->count_errors) {
        print_table(&R->r);
        return die("bench-check: %d instruction counts missing; baseline not written",
                   R->count_errors);
    }
    char unfused[512] = "";
    if (fusion_gate(&R->r, unfused, sizeof unfused)) {
        print_table(&R->r);
        return die("bench-check: the fused step is not fused (%s); baseline not written", unfused);
    }
    if (baseline_write(R->o.write_path, &R->pv, &R->r, BC_PASSES * BC_PASS_ROUNDS)) return 1;
    for (size_t i = 0; i < R->r.n; i++) {
        row *x = &R->r.v[i];
        snprintf(x->verdict, sizeof x->verdict, "%s", x->measured ? "recorded" : "n/a");
    }
    print_table(&R->r);
    printf("bench-check: baseline written to %s (commit %s, %s)\n", R->o.write_path,
           R->pv.v[PV_COMMIT], R->pv.v[PV_DATE]);
    return 0;
}

/* The gated provenance fields that differ from the baseline's ("" if none):
 * a regression measured against a baseline from another setup only warns. */
static void provenance_diff(const provenance *now, const provenance *base, char *diff, size_t len)
{
    diff[0] = 0;
    for (int i = 0; i < PV_GATED; i++)
        if (strcmp(now->v[i], base->v[i])) {
            char t[1200];
            snprintf(t, sizeof t, "%s%s: baseline '%s', now '%s'", diff[0] ? "; " : "", pv_keys[i],
                     base->v[i], now->v[i]);
            strncat(diff, t, len - strlen(diff) - 1);
        }
}

typedef struct tally {
    int fails, warns, missing, unfused;
    char failed[1024];  /* the failing rows, for the summary line */
    char unfused_names[512]; /* fused steps that failed the fusion gate */
} tally;

/* A regression: a failure, or only a warning when the baseline was recorded
 * on another setup (diff non-empty). */
static void mark_regression(row *x, const char *diff, tally *t)
{
    if (diff[0]) {
        snprintf(x->verdict, sizeof x->verdict, "WARN");
        t->warns++;
        return;
    }
    snprintf(x->verdict, sizeof x->verdict, "FAIL");
    t->fails++;
    char s[200];
    snprintf(s, sizeof s, "%s%s %s (%s)", t->failed[0] ? ", " : "", x->what, x->isa,
             x->kind == KIND_RATIO ? "speed-up" : kind_measure(x->kind));
    strncat(t->failed, s, sizeof t->failed - strlen(t->failed) - 1);
}

/* The verdict of one row against its baseline entry. */
static void judge_row(const baseline *b, const char *diff, row *x, tally *t)
{
    const row *y = baseline_find(b, x);
    if (y) {
        x->has_base = 1;
        x->base = y->now;
        x->base_lo = y->lo;
        x->base_hi = y->hi;
    }
    int fail = 0;
    if (!x->measured) {
        /* a count that should be there and is not fails; one not taken here is n/a */
        int missing_count = strstr(x->note, "no callgrind") != NULL;
        snprintf(x->verdict, sizeof x->verdict, "%s", missing_count ? "FAIL" : "n/a");
        t->missing += missing_count;
    } else if (!y) {
        snprintf(x->verdict, sizeof x->verdict, "new");
        if (!x->note[0])
            snprintf(x->note, sizeof x->note, "no baseline entry: run make bench-baseline");
    } else if (kind_counted(x->kind)) {
        double tol = x->kind == KIND_STEP_LL ? BC_LL_TOL : BC_COUNT_TOL;
        if (x->now > y->now * (1 + tol)) fail = 1;
        snprintf(x->verdict, sizeof x->verdict, "ok");
        if (!fail && x->now < y->now * (1 - tol))
            snprintf(x->note, sizeof x->note, "fewer %s: refresh with make bench-baseline",
                     x->kind == KIND_STEP_LL ? "misses" : "instructions");
    } else {
        fail = x->confirmed;
        snprintf(x->verdict, sizeof x->verdict, "ok");
    }
    if (fail) mark_regression(x, diff, t);
}

/* Baseline rows with nothing to compare here (an ISA this machine or build
 * lacks, a kernel case that changed its shape): said, not gated. */
static void print_unmatched(const baseline *b, const rows *r)
{
    size_t unmatched = 0;
    char which[512] = "";
    for (size_t i = 0; i < b->r.n; i++) {
        const row *y = &b->r.v[i];
        int found = 0;
        for (size_t j = 0; j < r->n && !found; j++)
            found = baseline_find(&(baseline){ .r = { .v = &r->v[j], .n = 1 } }, y) != NULL;
        if (found) continue;
        if (unmatched++ < 6) {
            char t[160];
            snprintf(t, sizeof t, "%s%s %s %s", which[0] ? ", " : "", y->what, y->isa,
                     y->shape);
            strncat(which, t, sizeof which - strlen(which) - 1);
        }
    }
    if (unmatched)
        printf("not compared: %zu baseline rows have no counterpart here (%s%s)\n", unmatched, which,
               unmatched > 6 ? ", ..." : "");
}

/* The closing lines, and the exit status: 1 on a failure or a missing count. */
static int print_outcome(const tally *t, const char *diff, const char *counts)
{
    if (diff[0] && !t->warns)
        printf("bench-check: note: the baseline was recorded differently — %s\n", diff);
    if (t->warns)
        printf("bench-check: WARNING: %d regression(s) not gated because the baseline was recorded "
               "differently — %s.  Re-record it with make bench-baseline on this setup.\n",
               t->warns, diff);
    if (t->missing)
        printf("bench-check: FAIL: %d instruction counts missing from %s (run make bench-counts, "
               "or make bench-check)\n", t->missing, counts);
    if (t->fails)
        printf("bench-check: FAIL: slower than the baseline: %s\n", t->failed);
    if (t->unfused)
        printf("bench-check: FAIL: the fused step is not fused (its LL misses are not below %.2f of "
               "the unfused step's): %s\n", BC_FUSED_LL_MAX, t->unfused_names);
    if (t->fails || t->missing || t->unfused) return 1;
    printf("bench-check: %s\n", t->warns ? "passed with warnings" : "pass");
    return 0;
}

int bc_compare(bc_run *R)
{
    char diff[1024];
    provenance_diff(&R->pv, &R->b.pv, diff, sizeof diff);
    tally t = { 0 };
    for (size_t i = 0; i < R->r.n; i++) judge_row(&R->b, diff, &R->r.v[i], &t);
    /* after the verdicts: it overrides them, and needs no baseline */
    t.unfused = fusion_gate(&R->r, t.unfused_names, sizeof t.unfused_names);
    printf("\n");
    print_table(&R->r);
    printf("\nbaseline: %s (commit %s, %s)\n", R->o.base_path, R->b.pv.v[PV_COMMIT],
           R->b.pv.v[PV_DATE]);
    print_unmatched(&R->b, &R->r);
    printf("gates: instructions +%.0f%%; speed-up: whole 95%% interval more than %.0f%% below the "
           "baseline, and %d later measurements agree; step LL misses +%.0f%%; fused step's LL "
           "misses below %.2f of the unfused step's, same run; absolute times never gated\n",
           100 * BC_COUNT_TOL, 100 * BC_RATIO_TOL, BC_CONFIRM, 100 * BC_LL_TOL, BC_FUSED_LL_MAX);
    const char *result = t.fails || t.missing || t.unfused ? "fail" : t.warns ? "warn" : "pass";
    if (R->o.json && write_json(R->o.json, &R->pv, &R->b, &R->r, result, diff)) return 1;
    if (R->o.json) printf("the same as JSON: %s\n", R->o.json);
    return print_outcome(&t, diff, R->o.counts);
}

