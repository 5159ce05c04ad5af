/* point.h — one measured point: a loss on a batch, its steps timed, its
 * gradient statistics, and the products of its forward pass timed alone. */
#ifndef DML_POINT_POINT_H
#define DML_POINT_POINT_H

#include <stddef.h>

#include "core/stats.h"
#include "dml.h"
#include "point/batch.h"

typedef struct point_spec {
    dml_params params;
    batch_spec batch;
    int reps, warmup;
    dml_isa isa;
    int threads;
    int fused;  /* proxy losses: 1 fused step, 0 unfused, -1 the context's default (DML_FUSED) */
    int no_stats; /* 1: no gradient statistics */
    double budget_s; /* > 0: the first warm-up step is a pilot, and reps and warm-up
                      * shrink to what budget_s allows (reps at least 3); 0: as given */
} point_spec;

typedef struct point_result {
    float loss;
    int reps;               /* the timed steps that ran (budget_s can shrink them) */
    sample_stats fwd_ns, bwd_ns, total_ns, cpu_ns;
    double fwd_flops, bwd_flops;
    dml_gradstats gs;
    dml_isa isa;
    int threads;
    int fused;  /* what the context ran (dml_ctx_fused); -1: the loss has no fused step */
    double p_bytes, bytes;  /* moved per step by the library's model (dml_ctx_traffic) */
    double peak_rss;        /* bytes: peak resident set of the point over the resident set
                             * before it (NaN where the peak cannot be reset) */
} point_result;

/* The default point of `dmlbench run`: M = 180, C = 100, D = 512, 5 per
 * class, noise 2.5 (roughly half of the triplets active at margin 0.1). */
void point_spec_default(point_spec *sp, dml_loss loss);

/* 0 when the point's memory (point_bytes, point/cost.h: its batch, its
 * gradients and its context's buffers as the library counts them,
 * dml_ctx_resident_bytes) fits the memory left (core/memuse.h); else 1 with
 * one line in err saying what and how much. */
int point_fits(const point_spec *spec, char *err, size_t errlen);
/* Whether the point's step runs fused: its spec, else DML_FUSED as the library reads it. */
int point_fused(const point_spec *sp);

/* Builds the batch, runs `warmup` then `reps` forward+backward steps and
 * collects timing, traffic, peak memory and gradient statistics.  A point
 * whose batch, gradients and context would not fit the memory left
 * (core/memuse.h) is refused before anything is allocated.  Returns 0, or 1
 * with err set. */
int point_run(const point_spec *spec, point_result *res, char *err, size_t errlen);

/* The forward products of the loss alone (dml_ctx_forward_products: its
 * normalisations and S, with its kernels, threads and shapes) and its
 * forward step alone (no gradient), on the same batch, interleaved:
 * `samples` samples each (at least 3) within budget_ns.  Returns 0 with
 * *prod_ns and *fwd_ns the fastest call's thread-CPU time of each (a
 * 1-thread point's whole work, which a process competing for the core does
 * not inflate), or 1 with err set. */
int point_products(const point_spec *spec, int samples, double budget_ns, double *prod_ns, double *fwd_ns,
                   char *err, size_t errlen);

#endif
