/* check_cases.h — the fixed kernel cases of bench-check and of the counting
 * driver build/dmlcount (bench/count/), and which ISAs valgrind can count. */
#ifndef DML_BENCH_CHECK_CASES_H
#define DML_BENCH_CHECK_CASES_H

#include <stddef.h>

#include "point/kcase.h"

#define BENCH_CHECK_SEED 20260101u

/* Shapes where the scalar reference takes about a millisecond or less per
 * call; returns how many (KOP_COUNT). */
size_t bench_check_cases(kernel_op ops[KOP_COUNT], size_t M[KOP_COUNT], size_t C[KOP_COUNT],
                         size_t D[KOP_COUNT]);

/* The whole proxy steps that bench-check counts under callgrind's cache
 * simulation (instructions, and last-level data misses on a fixed simulated
 * cache, STEP_CACHE_SIM in the Makefile): at M 180, C 2000, D 512 the
 * proxies are 4 MB, four times the simulated last level, so the passes over
 * P that the fusion removes are misses that it no longer takes.  `fused` 1
 * is the context's default step (what undoing the fusion would change; the
 * driver does not force it), 0 the unfused step, forced. */
typedef struct step_count_case { dml_loss loss; int fused; size_t M, C, D; } step_count_case;
#define BENCH_CHECK_NSTEPS 4
const step_count_case *bench_check_steps(size_t *n);
/* "proxy_anchor_fused", "M=180 C=2000 D=512": the row's name and shape. */
void step_count_name(const step_count_case *s, char *name, size_t nlen, char *shape, size_t slen);

/* 0 for an ISA valgrind 3.19 cannot execute (AVX-512: SIGILL), whose
 * instruction counts are therefore not taken; its speed ratios still are. */
int valgrind_runs(dml_isa isa);
/* How the note names such an ISA ("AVX-512"). */
const char *valgrind_isa_name(dml_isa isa);

#endif
