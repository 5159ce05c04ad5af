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

/* 0 for an ISA valgrind 3.19 cannot execute (AVX-512: SIGILL), whose
 * instruction counts are therefore not taken; its speed ratios still are. */
int valgrind_runs(dml_isa isa);
/* How the note names such an ISA ("AVX-512"). */
const char *valgrind_isa_name(dml_isa isa);

#endif
