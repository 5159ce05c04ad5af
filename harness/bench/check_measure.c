/* check_measure.c — bench-check's speed ratios: each SIMD kernel against its
 * ref twin, interleaved in epochs of about 1 ms of thread CPU time (the
 * timing runner's calibration and samples), pooled over passes, measured
 * again after pauses before a slowdown is believed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/check_run.h"
#include "core/error.h"
#include "core/stats.h"
#include "core/timing.h"

typedef struct kernel_call { const kernel_case *kc; const dml_kernels *k; } kernel_call;

static int call_kernel(void *arg)
{
    const kernel_call *c = arg;
    kernel_case_run(c->kc, c->k);
    return 0;
}

/* The rounds of one ratio, pooled over passes: each pass adds `rounds` rounds
 * (ref epoch, SIMD epoch), and the passes run over every case in turn, so one
 * measurement spreads over the whole run rather than one burst of it. */
typedef struct pool {
    double *sp, *ta, *tb; /* speed-up, ref and SIMD ns per call, per round */
    int n, cap;
    long ra, rb;          /* calls per epoch (about BC_EPOCH_NS each) */
} pool;

static void pool_reset(pool *p, int cap)
{
    free(p->sp);
    memset(p, 0, sizeof *p);
    p->sp = malloc(3 * (size_t)cap * sizeof *p->sp);
    if (!p->sp) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    p->ta = p->sp + cap;
    p->tb = p->ta + cap;
    p->cap = cap;
}

static void pool_measure(pool *p, const kernel_case *kc, const dml_kernels *ref,
                         const dml_kernels *k, int rounds)
{
    kernel_call a = { kc, ref }, b = { kc, k };
    for (int w = 0; w < 2; w++) { call_kernel(&a); call_kernel(&b); }
    if (!p->ra) {
        timing_calls_for(call_kernel, &a, BC_EPOCH_NS, 1000000, &p->ra, NULL);
        timing_calls_for(call_kernel, &b, BC_EPOCH_NS, 1000000, &p->rb, NULL);
    }
    for (int r = 0; r < rounds && p->n < p->cap; r++, p->n++) {
        timing_sample(call_kernel, &a, p->ra, NULL, &p->ta[p->n]);
        timing_sample(call_kernel, &b, p->rb, NULL, &p->tb[p->n]);
        p->sp[p->n] = p->ta[p->n] / p->tb[p->n];
    }
}

/* Median speed-up with its distribution-free 95 % interval; absolute medians beside. */
static void pool_finish(const pool *p, row *out)
{
    size_t n = (size_t)p->n;
    double *v = malloc(3 * n * sizeof *v);
    if (!v) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    memcpy(v, p->sp, n * sizeof *v);
    memcpy(v + n, p->ta, n * sizeof *v);
    memcpy(v + 2 * n, p->tb, n * sizeof *v);
    out->now = stats_of(v, n).median; /* sorts v */
    size_t lo, hi;
    median_ci_index(n, BC_ALPHA, &lo, &hi);
    out->lo = v[lo];
    out->hi = v[hi];
    out->ref_ns = stats_of(v + n, n).median;
    out->isa_ns = stats_of(v + 2 * n, n).median;
    out->rounds = p->n;
    out->measured = 1;
    free(v);
}

/* Speed ratios: one measurement is BC_PASSES passes over every ratio row,
 * BC_PASS_ROUNDS rounds each, pooled.  The machine's load can shift a ratio
 * by up to ~20 % for minutes (host contention slows scalar and vector code
 * differently), so further measurements ("looks") come after pauses.
 * Compare mode: a ratio whose whole interval lies beyond the threshold is
 * measured again, BC_CONFIRM times, after pauses of BC_PAUSE_S, 2 BC_PAUSE_S,
 * ...; it fails only if every one agrees.  Baseline mode: every ratio is
 * measured BC_BASE_BLOCKS times, BC_PAUSE_S apart, and the lowest
 * measurement is recorded, so that a later run in a calmer or busier spell
 * does not read as a slowdown. */
typedef struct looks {
    pool *pools;   /* per row */
    int *pending;  /* per row: to be measured at the next look */
    row *blocks;   /* baseline mode: BC_BASE_BLOCKS measurements per row */
} looks;

static int any_pending(const looks *L, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) any |= L->pending[i];
    return any;
}

/* Waits before look number `look` (> 0): the load that made a ratio look
 * slow has then had time to pass. */
static void pause_before(int look, int write_mode)
{
    int wait = write_mode ? BC_PAUSE_S : BC_PAUSE_S * look;
    printf("  (pause %d s, then measure again)\n", wait);
    fflush(stdout);
    struct timespec pause = { wait, 0 };
    nanosleep(&pause, NULL);
}

/* One measurement of every pending row, pooled over passes that each visit
 * every row in turn. */
static void measure_look(const bc_run *R, looks *L)
{
    const int passes = BC_PASSES;
    for (size_t i = 0; i < R->r.n; i++)
        if (L->pending[i]) pool_reset(&L->pools[i], passes * BC_PASS_ROUNDS);
    for (int pass = 0; pass < passes; pass++)
        for (size_t i = 0; i < R->r.n; i++)
            if (L->pending[i])
                pool_measure(&L->pools[i], &R->cases[R->r.v[i].ci], R->ref,
                             dml_kernels_for(R->r.v[i].isa_id), BC_PASS_ROUNDS);
}

/* what: "measured" or "again"; x names the row, m holds the measurement. */
static void print_look(const char *what, const row *x, const row *m)
{
    printf("  %-8s %-13s %-7s %-18s speed-up %.2fx [%.2f, %.2f] (%d rounds)\n", what,
           kernel_op_name(x->op), x->isa, x->shape, m->now, m->lo, m->hi, m->rounds);
}

/* A ratio whose whole interval lies beyond the threshold below its baseline. */
static int beyond(const row *m, const row *base)
{
    return m->hi < base->now / (1 + BC_RATIO_TOL);
}

/* Baseline mode: keeps every measurement of row i; the lowest is chosen at the end. */
static void record_block(bc_run *R, looks *L, size_t i, int look)
{
    row *x = &R->r.v[i];
    row *bl = &L->blocks[i * BC_BASE_BLOCKS + (size_t)look];
    *bl = *x;
    pool_finish(&L->pools[i], bl);
    print_look("measured", x, bl);
}

/* Compare mode, first look: row i stays pending only if it looks slower. */
static void first_look(bc_run *R, looks *L, size_t i)
{
    row *x = &R->r.v[i];
    pool_finish(&L->pools[i], x);
    print_look("measured", x, x);
    const row *y = baseline_find(&R->b, x);
    L->pending[i] = y && beyond(x, y);
}

/* Compare mode, a later look at a row that looked slower: it is confirmed
 * once BC_CONFIRM later looks agree, and cleared (keeping the later, calmer
 * measurement) as soon as one does not. */
static void confirm_look(bc_run *R, looks *L, size_t i, int look)
{
    row *x = &R->r.v[i];
    row again = *x;
    pool_finish(&L->pools[i], &again);
    print_look("again", x, &again);
    const row *y = baseline_find(&R->b, x);
    char t[128];
    snprintf(t, sizeof t, "%s%.2fx [%.2f, %.2f]", look == 1 ? "" : ", ", again.now, again.lo,
             again.hi);
    if (beyond(&again, y)) {
        strncat(x->note, t, sizeof x->note - strlen(x->note) - 1);
        if (look == BC_CONFIRM) {
            x->confirmed = 1;
            char u[sizeof x->note];
            snprintf(u, sizeof u, "%d later measurements agree: %s; ", BC_CONFIRM, x->note);
            snprintf(x->note, sizeof x->note, "%s", u);
        }
    } else {
        snprintf(x->note, sizeof x->note,
                 "first measurement %.2fx [%.2f, %.2f] not confirmed later; ", x->now, x->lo, x->hi);
        x->now = again.now, x->lo = again.lo, x->hi = again.hi;
        x->ref_ns = again.ref_ns, x->isa_ns = again.isa_ns;
        L->pending[i] = 0;
    }
}

/* Baseline mode: each ratio row becomes its lowest measurement. */
static void keep_lowest(bc_run *R, row *blocks)
{
    for (size_t i = 0; i < R->r.n; i++) {
        if (R->r.v[i].kind != KIND_RATIO) continue;
        row *m = &blocks[i * BC_BASE_BLOCKS];
        for (int a = 0; a < BC_BASE_BLOCKS; a++)
            for (int z = a + 1; z < BC_BASE_BLOCKS; z++)
                if (m[z].now < m[a].now) { row t = m[a]; m[a] = m[z]; m[z] = t; }
        R->r.v[i] = m[0];
    }
}

/* Measures every ratio row, look after look.  Returns 0 or the exit status. */
int measure_ratios(bc_run *R)
{
    const char *write_path = R->o.write_path;
    size_t n = R->r.n;
    looks L = { calloc(n + 1, sizeof *L.pools), calloc(n + 1, sizeof *L.pending),
                calloc(n * BC_BASE_BLOCKS + 1, sizeof *L.blocks) };
    if (!L.pools || !L.pending || !L.blocks) return die("bench-check: out of memory");
    int nlooks = write_path ? BC_BASE_BLOCKS : 1 + BC_CONFIRM;
    for (size_t i = 0; i < n; i++) L.pending[i] = R->r.v[i].kind == KIND_RATIO;
    for (int look = 0; look < nlooks && any_pending(&L, n); look++) {
        if (look > 0) pause_before(look, write_path != NULL);
        measure_look(R, &L);
        for (size_t i = 0; i < n; i++) {
            if (!L.pending[i]) continue;
            if (write_path) record_block(R, &L, i, look);
            else if (look == 0) first_look(R, &L, i);
            else confirm_look(R, &L, i, look);
        }
        fflush(stdout);
    }
    if (write_path) keep_lowest(R, L.blocks);
    free(L.blocks);
    for (size_t i = 0; i < n; i++) free(L.pools[i].sp);
    free(L.pools);
    free(L.pending);
    return 0;
}

/* Absolute times go in the note: recorded for the reader, never gated. */
void note_abs_times(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->v[i];
        if (x->kind != KIND_RATIO) continue;
        char t[128];
        snprintf(t, sizeof t, "ref %.1f us, %s %.2f us per call", x->ref_ns / 1e3, x->isa,
                 x->isa_ns / 1e3);
        strncat(x->note, t, sizeof x->note - strlen(x->note) - 1);
    }
}

