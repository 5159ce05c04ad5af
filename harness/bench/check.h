/* check.h — `dmlbench bench-check`: the CI regression check on kernel
 * throughput (instruction counts under callgrind, interleaved speed ratios
 * against ref), against a committed baseline (results/baseline/). */
#ifndef DML_BENCH_CHECK_H
#define DML_BENCH_CHECK_H

typedef struct bc_opts { const char *base_path, *counts, *json, *write_path; } bc_opts;

/* Compares (base_path) or writes a baseline (write_path); the exit status. */
int bench_check_main(const bc_opts *o);

#endif
