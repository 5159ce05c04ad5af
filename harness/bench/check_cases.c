/* check_cases.c — bench-check's fixed cases (see check_cases.h). */
#include <stdio.h>
#include <string.h>

#include "bench/check_cases.h"
#include "dml_kernels.h"

size_t bench_check_cases(kernel_op ops[KOP_COUNT], size_t M[KOP_COUNT], size_t C[KOP_COUNT],
                         size_t D[KOP_COUNT])
{
    /* op, M, C, D: the smallest loss shape of the paper (M 180, C 100, D 64)
     * for the products; the scalar reference runs each in about a millisecond. */
    static const struct { kernel_op op; size_t M, C, D; } t[KOP_COUNT] = {
        { KOP_NORMALIZE, 180, 180, 512 },
        { KOP_NORMALIZE_BWD, 180, 180, 512 },
        { KOP_GEMM_S, 180, 100, 64 },
        { KOP_GEMM_DX, 180, 100, 64 },
        { KOP_GEMM_DP, 180, 100, 64 },
        { KOP_SYRK, 180, 180, 64 },
        { KOP_LSE, 50, 1000, 1 },
        { KOP_EXP, 180, 256, 1 },
    };
    for (size_t i = 0; i < KOP_COUNT; i++) {
        ops[i] = t[i].op;
        M[i] = t[i].M;
        C[i] = t[i].C;
        D[i] = t[i].D;
    }
    return KOP_COUNT;
}

/* AVX-512 or a row below it (avx512bf16): the rows' parent column, walked up. */
#define ROW_PARENT(name, id, parent, feature) [id] = #parent,
static const char *const parent_name[DML_ISA_COUNT] = { DML_ISA_ROWS(ROW_PARENT) };

static int is_avx512(dml_isa isa)
{
    for (int depth = 0; depth < DML_ISA_COUNT && isa >= 0 && isa < DML_ISA_COUNT; depth++) {
        if (isa == DML_ISA_AVX512) return 1;
        if (dml_isa_parse(parent_name[isa], &isa) != DML_OK) return 0; /* "none" */
    }
    return 0;
}

int valgrind_runs(dml_isa isa) { return !is_avx512(isa); }

const char *valgrind_isa_name(dml_isa isa) { return is_avx512(isa) ? "AVX-512" : dml_isa_name(isa); }

const step_count_case *bench_check_steps(size_t *n)
{
    static const step_count_case t[BENCH_CHECK_NSTEPS] = {
        { DML_LOSS_PROXY_ANCHOR, 1, 32, 4000, 128 },
        { DML_LOSS_PROXY_ANCHOR, 0, 32, 4000, 128 },
        { DML_LOSS_PROXY_NCA, 1, 32, 4000, 128 },
        { DML_LOSS_PROXY_NCA, 0, 32, 4000, 128 },
    };
    *n = BENCH_CHECK_NSTEPS;
    return t;
}

void step_count_name(const step_count_case *s, char *name, size_t nlen, char *shape, size_t slen)
{
    snprintf(name, nlen, "%s_%s", dml_loss_name(s->loss), s->fused ? "fused" : "unfused");
    snprintf(shape, slen, "M=%zu C=%zu D=%zu", s->M, s->C, s->D);
}
