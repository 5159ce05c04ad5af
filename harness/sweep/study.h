/* study.h — private to sweep/: a study definition as parsed, its points as
 * expanded, and the steps of a run over them. */
#ifndef DML_SWEEP_STUDY_H
#define DML_SWEEP_STUDY_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/prov.h"
#include "point/point.h"
#include "train/train.h"

/* ------------------------------------------------------------------ keys */

typedef enum ktype {
    T_INT_POS, T_INT_NONNEG, T_U64, T_FLOAT_POS, T_FLOAT_NONNEG, T_FLOAT_ANY, T_FLAG,
    T_ISA, T_THREADS, T_LOSSES, T_KERNELS, T_STRING, T_CHOICE, T_PROTOCOL, T_BASELINE
} ktype;

/* The keys of the sweep itself; the loss parameters follow from K_PARAM0
 * on, one per name of the parameter table (point/params.h). */
enum {
    K_STUDY, K_TITLE, K_LOSSES, K_KERNELS, K_FIT_MIN_M, K_PASSES,
    K_M, K_C, K_D, K_PER_CLASS, K_CLASSES, K_NOISE, K_PROXY_NOISE, K_SEED, K_REPS, K_WARMUP,
    K_MAX_SECONDS, K_ISA, K_THREADS,
    /* the learning studies (train and baseline units, sweep/learn_point.c) */
    K_TRAIN, K_BASELINE, K_PROTOCOL, K_H, K_EPOCHS, K_LR, K_TRAIN_LIMIT, K_EVAL_LIMIT,
    K_EVAL_EVERY, K_EVAL_UNTRAINED, K_DATA, K_CONV, K_PROXY_LR_MULT,
    K_PARAM0,
    K_MAX = K_PARAM0 + 24  /* room for 24 parameter names */
};
int key_count(void);                /* K_PARAM0 + the parameter names */
int key_id(const char *name);       /* -1 when unknown */
const char *key_name(int id);
ktype key_type(int id);
int key_top_only(int id);
/* 1 for the keys that only train (and baseline) units read, 2 for those
 * that only timing units (losses, kernels) read, 0 for shared ones. */
int key_unit_only(int id);

/* The kernels the ISA study times alone, each a kernel case (point/kcase.h). */
enum { KER_GEMM, KER_LSE, KER_NORMALIZE, KER_COUNT };
extern const char *const kernel_names[KER_COUNT];

#define MAXV 64
typedef struct kv {
    int set, line, n;
    double v[MAXV];
    char str[256];
} kv;

/* Parses the values of key id (tokens tok[0..nt)) into k; 1 after a message. */
int parse_values(int id, char **tok, int nt, kv *k, const char *file, int line);

/* Prints "dmlbench: FILE:LINE: message"; returns 1. */
int def_error(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ----------------------------------------------------------- definitions */

enum { SEC_TOP = 0, SEC_LOSS0 = 1, SEC_KER0 = SEC_LOSS0 + DML_LOSS_COUNT, SEC_COUNT = SEC_KER0 + KER_COUNT };

typedef struct scope {
    int used, line;
    kv k[K_MAX], q[K_MAX]; /* normal and quick values */
} scope;

typedef struct definition {
    scope sec[SEC_COUNT];
} definition;


/* ---------------------------------------------------------------- points */

/* What a point is: a loss step or a kernel timed (the timing studies), a
 * network trained (train), or the pixels retrieved as they are (baseline). */
enum { PK_LOSS, PK_KERNEL, PK_TRAIN, PK_BASELINE };
/* The baselines a `baseline` line names. */
enum { BASE_PIXELS, BASE_COUNT };

/* A train or baseline point's settings beyond point_spec (whose params,
 * batch.M, batch.D, batch.seed, isa and threads it uses too). */
typedef struct learn_spec {
    int protocol;             /* train_protocol */
    size_t H, train_limit, eval_limit;  /* limits: 0 = all */
    size_t conv;              /* the first convolution's channels (0: none) */
    int epochs, eval_every, eval_untrained;
    double lr, proxy_lr_mult;
    char data[256];           /* the `data` key: fashion-mnist, glyphs or a directory */
} learn_spec;

/* A point's time model (eta.c): the FLOPs of a step (a learning point's
 * whole), its reps and warm-up, its budget (max_seconds), the FLOPs of
 * drawing its batches, whether it runs a pilot step and its products alone. */
typedef struct point_eta { double flops, reps, cap, setup; int pilot, products; } point_eta;

typedef struct sweep_point {
    int kind;            /* PK_* */
    int is_kernel, kernel;
    point_spec sp;
    learn_spec ls;
    int rows_want;       /* CSV lines of the point when done: 1, or a train point's evaluations */
    int nrows;           /* lines in row */
    unsigned adopt_gen;  /* which resume read adopted row (resume.c) */
    double max_seconds;
    char key[400];
    char *row;           /* the CSV row(s) up to host, once done: one line per
                          * evaluation of a train point, joined by '\n' */
    int passes_done;
    double best_total;   /* total_min_ms of the kept pass */
    double best_judged, second_judged; /* the fastest and second fastest pass by the time
                          * passes are judged by (run.c keep_pass); 0: not known (resumed) */
    double value;        /* loss value, for the thread-agreement check */
    char isa[16];
    point_eta eta;       /* its time model (eta.c) */
    double cost;         /* its seconds at the nominal rate (eta.c): the shards' balance */
    int line;            /* definition line of the unit */
    size_t gidx;         /* its index in the whole study (column point), also in a shard */
} sweep_point;

/* The most points one study may have: a grid with more is refused, with
 * its size, before anything is expanded or run. */
#define STUDY_MAX_POINTS 100000
/* The most passes over a study. */
#define STUDY_MAX_PASSES 100
/* The longest study name (names.c): files are named by it whole. */
#define STUDY_NAME_MAX 100

/* 0 when name may name a study (stem: it is a file's stem, not a `study`
 * line); 1 with why set. */
int study_name_check(const char *name, int stem, char *why, size_t len);

typedef struct study {
    char path[4096], name[STUDY_NAME_MAX + 1], title[256];
    double fit_min_M;
    int fit_line;        /* of fit_min_M in the definition */
    int passes;
    size_t todo;         /* point-passes in this run, for the progress line */
    sweep_point *pts;
    size_t n, cap;
    size_t total;        /* points of the whole study (n is the shard's share) */
    unsigned long long points_hash; /* of the whole study's keys, in order */
    size_t *hash, hcap;  /* the points by key (pointset.c): index + 1, 0 empty */
} study;

/* What a point implies (memory; the time of a timing point's first step
 * against max_seconds), checked as it is expanded: 0, or 1 after a message
 * naming file:line (limits.c). */
int point_limits(const sweep_point *p, const char *file, int line);
/* A study with fit_min_M: the fit has rows at two values of M at least. */
int fit_limits(const study *st, const char *file);

/* Reads and expands one definition.  Returns 0, or 1 after a message. */
int load_study(const char *file, int quick, int cli_threads, study *st);
/* The same from memory (text[len] is NUL; split in place); file names it in messages. */
int load_study_text(const char *file, char *text, size_t len, int quick, int cli_threads, study *st);
int parse_definition_text(const char *file, char *text, size_t len, definition *def);
void study_free(study *st);

/* The points by key: builds the table, 1 when two points have the same key
 * (*first, *again); the index of a key, or SIZE_MAX. */
int pointset_build(study *st, size_t *first, size_t *again);
size_t pointset_find(const study *st, const char *key);
/* The point's identity: what it runs, not its results (threads as given). */
void point_key(const sweep_point *p, int threads, char *out, size_t len);

/* ---------------------------------------------------------------- shards */

/* FNV-1a 64 of s, continuing from h (start with SHARD_HASH0). */
#define SHARD_HASH0 1469598103934665603ULL
unsigned long long shard_hash(unsigned long long h, const char *s);
/* Numbers the points (gidx), sets total and points_hash; with n > 0 keeps
 * only the points of shard k of n (see shard.c for the rule). */
void shard_select(study *st, int k, int n);
/* The CPUs this process may use: its affinity, bounded by what Slurm gave
 * the task; why says where the number comes from. */
int shard_cpus(char *why, size_t len);

/* --------------------------------------------------------------- records */

const char *csv_header(void);
/* The CSV row of one pass, up to value_err_vs_1thread; prod_min and
 * specific (ns, NaN where not measured): fwd_products_min_ms and
 * specific_min_ms. */
void fmt_row(sbuf *b, const study *st, size_t idx, const sweep_point *p, const point_result *r,
             const char *isa, int threads, double gelem, double prod_min, double specific, double value_err);
int write_csv(const study *st, const char *path, char *err, size_t errlen);
/* The same text into *b (the caller frees b->s); 1 with err set when a row
 * is not as wide as the header. */
int csv_text(const study *st, sbuf *b, char *err, size_t errlen);
/* Rows of an earlier run (same header) whose key matches a point of st. */
size_t resume_from(study *st, const char *path);
size_t resume_from_text(study *st, const char *path, char *text, size_t len);

typedef struct run_info {
    const prov *pv;
    int quick, max_threads;
    int shard_k, shard_n;   /* shard_n = 0: not a shard run */
    const char *binding;
    size_t resumed;
    double elapsed_s;
} run_info;
int write_json(const study *st, const char *path, const char *csv_path, const run_info *ri,
               char *err, size_t errlen);
int write_meta(const study *st, const char *path, const prov *pv, char *err, size_t errlen);
/* The label line of the figures (META = "..."'s text) into b. */
void meta_label(sbuf *b, const study *st, const prov *pv);
/* This machine's host name, as the host column gives it. */
const char *host_name(void);

/* The studies this process runs (for the ETA of them all) and, for a
 * shard, the file its latest progress line is kept in ("" or NULL: none). */
void progress_begin(const study *studies, int n, const char *file);
/* The progress line of st: done point-passes, elapsed, the ETA of st and of
 * every study after it (eta.c's model at the calibrated rates). */
void progress(const study *st, size_t done, double elapsed_s, int final);

/* ------------------------------------------------------------------ ETA */

/* A point's time model: its work (FLOPs: a step's for a timing point, the
 * whole point's for a learning one) at a FLOP rate, capped by its budget
 * (eta.c).  Set when the point is expanded. */
void eta_model(sweep_point *p, double flops);
/* Its seconds at the nominal rate (the shards' balance: the same on every host). */
double eta_nominal(const sweep_point *p);
/* A pass of p took `seconds`: the rate of its class is calibrated anew. */
void eta_done(const sweep_point *p, double seconds);
/* The calibrated FLOP rate of timing (0) or learning (1) points. */
double eta_rate(int learn);
/* The seconds the point-passes of st still to run take, at the calibrated rates. */
double eta_left(const study *st);

/* Runs one pass of point idx; 0, or 1 with err set. */
int run_point(study *st, size_t idx, char *err, size_t errlen);

/* ------------------------------------------------------ learning points */

/* A train or baseline point's defaults (M 180, D 128, H 512, 4 epochs, ...). */
void learn_point_default(sweep_point *p, int kind, dml_loss loss);
/* Its key, cost estimate and number of CSV lines (learn_point.c). */
void learn_point_key(const sweep_point *p, int threads, char *out, size_t len);
double learn_point_cost(const sweep_point *p);
int learn_point_rows(const sweep_point *p);
const char *learn_protocol_name(int protocol);
/* The data set of a learning point when its study names none. */
#define LEARN_DEFAULT_DATA "fashion-mnist"
/* The directory of a `data` value: fashion-mnist and glyphs are names of the
 * sets this project knows (train.h), anything else a directory. */
const char *learn_data_dir(const char *data);
extern const char *const baseline_names[BASE_COUNT];
/* Trains (or retrieves) point idx, its rows into p->row (learn_run.c). */
int run_learn_point(study *st, size_t idx, char *err, size_t errlen);
/* The columns of one evaluation (protocol ... eval_s), or as many empty
 * fields for a timing row (csv.c). */
void fmt_learn_cols(sbuf *b, const sweep_point *p, const train_row *w);
/* The leading fields of a row: study ... the loss parameters (csv.c). */
void fmt_what(sbuf *b, const study *st, const sweep_point *p, const char *kind, const char *name,
              const char *isa, int threads);
/* n empty fields. */
void sb_empty(sbuf *b, int n);
void sb_num(sbuf *b, double v);

#endif
