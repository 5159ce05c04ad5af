/* harness.h — what the parts of the dmlbench program share. */
#ifndef DML_HARNESS_H
#define DML_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dml.h"

/* ------------------------------------------------------------ subcommands */
int cmd_golden(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sweep(int argc, char **argv); /* sweep.c */
int cmd_fit(int argc, char **argv);   /* sweep.c */
int cmd_bench(int argc, char **argv);
int cmd_bench_check(int argc, char **argv);
int cmd_train(int argc, char **argv); /* cmd/train.c */

/* Prints "dmlbench: <message>" on stderr; returns 1 (the exit code). */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The detail of the library's last error, or the code's fixed text. */
const char *lib_error(dml_status st);

/* Strict number parsing for the CLI and file readers: the whole string must
 * be a number in range; returns 0 on success. */
int parse_size(const char *s, size_t *out);
int parse_int(const char *s, long lo, long hi, long *out);
int parse_float(const char *s, float *out);
int parse_u64(const char *s, uint64_t *out);

/* ---------------------------------------------------------------- random */
typedef struct rng { uint64_t s[4]; } rng;
void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);  /* [0, 1) */
double rng_normal(rng *r);   /* standard normal */

/* ------------------------------------------------------------------ batch
 * A seeded class-balanced batch: `per_class` samples from each of
 * ceil(M / per_class) classes drawn without replacement from C (the last class
 * may have fewer); class centres uniform on the unit sphere; a sample is its
 * centre plus Gaussian noise of expected norm `noise`; a proxy is its class
 * centre plus noise of expected norm `proxy_noise`.  `noise` is the difficulty:
 * 0 puts every sample on its centre, 1 makes noise as large as the centre. */
typedef struct batch_spec {
    size_t M, C, D, per_class;
    float noise, proxy_noise;
    uint64_t seed;
} batch_spec;

typedef struct batch {
    size_t M, C, D;
    float *X, *P;
    int32_t *y;
} batch;

int batch_make(const batch_spec *spec, batch *b, char *err, size_t errlen);
void batch_free(batch *b);

/* --------------------------------------------------------------- timing */
double now_ns(void);        /* CLOCK_MONOTONIC */
double thread_cpu_ns(void); /* CLOCK_THREAD_CPUTIME_ID */
#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

typedef struct sample_stats { double min, median, p90, mean; } sample_stats;
sample_stats stats_of(double *v, size_t n); /* sorts v */

/* ------------------------------------------------------------ one point */
typedef struct point_spec {
    dml_params params;
    batch_spec batch;
    int reps, warmup;
    dml_isa isa;
    int threads;
} point_spec;

typedef struct point_result {
    float loss;
    sample_stats fwd_ns, bwd_ns, total_ns, cpu_ns;
    double fwd_flops, bwd_flops;
    dml_gradstats gs;
    dml_isa isa;
    int threads;
} point_result;

/* The default point of `dmlbench run`: M = 180, C = 100, D = 512, 5 per class. */
void point_spec_default(point_spec *sp, dml_loss loss);

/* Builds the batch, runs `warmup` then `reps` forward+backward steps and
 * collects timing and gradient statistics.  Returns 0, or 1 with err set. */
int point_run(const point_spec *spec, point_result *res, char *err, size_t errlen);

/* Parses the loss-parameter options shared by `run` and sweep definitions:
 * name is the option without dashes (alpha, delta, scale, include_positive,
 * beta, base, mine, epsilon, margin).  Returns 0, 1 for a bad value (err set),
 * 2 for a name that is not a parameter of any loss. */
int params_set(dml_params *p, const char *name, const char *value, char *err, size_t errlen);

#endif
