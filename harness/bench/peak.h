/* peak.h — FP32 FMA-throughput probes, one file per ISA (peak_<isa>.c,
 * compiled with that ISA's flags), chosen through DML_ISA_ROWS: a new ISA
 * is its probe file, and its row in dml_kernels.h lists it here.  A row
 * with a parent may have no probe of its own (its FP32 FMA peak is the
 * parent's): the probes are weak symbols, and a missing one is the parent's. */
#ifndef DML_BENCH_PEAK_H
#define DML_BENCH_PEAK_H

#include <stdint.h>

#include "dml_kernels.h"

/* Runs `iters` iterations and returns the FLOPs done (0: no probe here). */
#define DML_PEAK_DECLARE(name, id, parent, feature)                                        \
    double dml_peak_fma_##name(uint64_t iters) __attribute__((weak));
DML_ISA_ROWS(DML_PEAK_DECLARE)
#undef DML_PEAK_DECLARE

/* fn: the probe itself, so that a caller can run it again between the
 * kernels it divides (bench interleaves it with every product). */
typedef struct peak { char isa[16]; double gflops; double (*fn)(uint64_t iters); } peak;

/* Probes every vector ISA this machine runs, in row order; returns how many
 * (at most DML_ISA_COUNT) it wrote to p. */
int peak_probe_all(peak *p);

#endif
