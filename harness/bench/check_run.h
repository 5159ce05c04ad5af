/* check_run.h — private to bench/: the rows, the baseline and the run of
 * `dmlbench bench-check` (check.c), shared by its steps: the baseline file
 * (baseline.c), measuring the ratios (check_measure.c), the verdicts and
 * the report (check_report.c). */
#ifndef DML_BENCH_CHECK_RUN_H
#define DML_BENCH_CHECK_RUN_H

#include <stddef.h>

#include "bench/check.h"
#include "bench/check_cases.h"
#include "point/kcase.h"

#define BC_PASSES 5           /* passes over all ratio rows per measurement */
#define BC_PASS_ROUNDS 11     /* rounds of A B per row and pass: 55 rounds (>= 31) */
#define BC_EPOCH_NS 1.0e6     /* about 1 ms of thread CPU time per epoch */
#define BC_COUNT_TOL 0.03     /* instruction counts: +3 % */
#define BC_LL_TOL 0.10        /* a step's simulated LL data misses: +10 % (docs/bench.md: why) */
#define BC_FUSED_LL_MAX 0.60  /* fused step's LL misses / the unfused step's, same run: below this */
#define BC_RATIO_TOL 0.15     /* speed ratios: 15 % beyond the baseline */
#define BC_ALPHA 0.05         /* 95 % interval of the median */
#define BC_CONFIRM 2          /* later measurements that must agree before a ratio fails */
#define BC_PAUSE_S 10         /* seconds between measurements of one ratio (x look number) */
#define BC_BASE_BLOCKS 5      /* the baseline ratio: the lowest of 5 measurements */

/* What produced a measurement, as the baseline records it ("# key\tvalue"
 * lines); the fields before PV_GATED turn a failure into a warning when
 * they differ from the baseline's. */
enum { PV_COMPILER, PV_FLAGS, PV_GLIBC, PV_CPU, PV_GATED, /* the rest are informative */
       PV_VALGRIND = PV_GATED, PV_COMMIT, PV_DATE, PV_COUNT };
extern const char *const pv_keys[PV_COUNT];
typedef struct provenance { char v[PV_COUNT][512]; } provenance;

/* This run's, from the one collector (core/prov.h). */
void provenance_now(provenance *p);

typedef enum {
    KIND_COUNT,   /* a kernel's instructions (callgrind) */
    KIND_RATIO,   /* a kernel's speed-up over ref, measured here */
    KIND_STEP_IR, /* a whole proxy step's instructions (callgrind, cache simulation on) */
    KIND_STEP_LL, /* its last-level data misses, DLmr + DLmw, on the simulated cache */
} row_kind;
/* Rows whose value is read from callgrind dumps: deterministic. */
static inline int kind_counted(row_kind k) { return k != KIND_RATIO; }
/* The kind as the baseline file names it, and as the table and JSON do. */
const char *kind_file_name(row_kind k);
const char *kind_measure(row_kind k);
int kind_parse(const char *s, row_kind *k);

typedef struct row {
    row_kind kind;
    kernel_op op;            /* kernel rows */
    char what[40];           /* the kernel's name, or the step's ("proxy_anchor_fused") */
    char isa[16], shape[96];
    int measured;            /* 0: not measured here (note says why) */
    int confirmed;           /* ratio rows: beyond the threshold in every measurement */
    int rounds;              /* ratio rows: rounds pooled */
    int ci;                  /* ratio rows: the case */
    dml_isa isa_id;
    double now, lo, hi;      /* count; or speed-up median and interval */
    double ref_ns, isa_ns;   /* ratio rows: absolute times per call, medians (not gated) */
    int has_base;
    double base, base_lo, base_hi;
    char verdict[16];        /* ok, FAIL, WARN, new, n/a */
    char note[640];
} row;

typedef struct rows { row *v; size_t n, cap; } rows;

row *rows_add(rows *r);
/* Drops trailing newlines and blanks. */
void bc_chomp(char *s);

typedef struct baseline {
    provenance pv;
    int has_pv[PV_COUNT];
    rows r;
} baseline;

int baseline_read(const char *path, baseline *b, char *err, size_t errlen);
const row *baseline_find(const baseline *b, const row *x);
int baseline_write(const char *path, const provenance *pv, const rows *r, int rounds);

/* What one `dmlbench bench-check` works on, kept together so that each step
 * of the run can be a short function of its own. */
typedef struct bc_run {
    bc_opts o;
    provenance pv;               /* of this run */
    baseline b;                  /* empty when writing a baseline */
    dml_isa isas[DML_ISA_COUNT]; /* whatever this build and CPU support */
    int nisa;
    const dml_kernels *ref;
    kernel_op ops[KOP_COUNT];
    kernel_case cases[KOP_COUNT];
    size_t ncase;
    rows r;
    int count_errors;            /* instruction counts that should be there and are not */
} bc_run;

/* check_counts.c: a dump's instructions and DLmr + DLmw (-1 without cache
 * simulation; ll may be NULL) from DIR/callgrind.<tag>.out.N; the step rows;
 * the fusion gate (how many fused steps failed it, named in failed). */
int read_dump(const char *dir, const char *tag, const char *want, double *ir, double *ll,
              char *err, size_t errlen);
void add_step_rows(bc_run *R);
int fusion_gate(rows *r, char *failed, size_t len);

/* check_measure.c: every ratio row, look after look; 0 or the exit status. */
int measure_ratios(bc_run *R);
void note_abs_times(rows *r);
/* check_report.c */
void print_table(const rows *r);
int bc_write_baseline(bc_run *R);
int bc_compare(bc_run *R);

#endif
