/* dispatch.c — the kernel tables, one per ISA, and the choice among them.
 *
 * Tables are filled here and nowhere else: kernels know nothing of CPUID and
 * the losses know nothing of ISAs.  The default is the best ISA the CPU runs,
 * or the one DML_ISA names; naming one the CPU lacks is an error, never a
 * silent fallback. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "dml_error.h"
#include "dml_kernels.h"
#ifdef DML_TEST_SLOWDOWN /* test only: make bench-check-proof slows one table entry */
#include "slowdown.h"
#endif

/* The ISAs this build holds, as X(name, cosine, lse, bf16) ...: for each, the ISA
 * whose file serves each kernel family — its own (kernels/cosine/cosine_<name>.c,
 * kernels/lse/lse_<name>.c) or, where it has none, its parent's, up the rows'
 * parent column.  mk/isa.mk resolves it from the files that exist for this
 * architecture (ISA_PROVIDER) and passes it. */
#ifndef DML_BUILT_ISAS
#define DML_BUILT_ISAS(X) X(ref, ref, ref, ref)
#endif

/* dml_isa_id_<name>: the id of each row, as a constant the tables can use;
 * "none", the parent of a root row, is no row. */
#define DML_ISA_ID(name, id, parent, feature) dml_isa_id_##name = id,
enum { DML_ISA_ROWS(DML_ISA_ID) dml_isa_id_none = -1 };

/* A row's table: the GEMM family (normalisation included) from the file of
 * `from_cos`, the LSE family from that of `from_lse`, the bf16 family from
 * that of `from_bf16` (kernels/bf16/bf16_<isa>.c). */
#define DML_TABLE(name, from_cos, from_lse, from_bf16)                                      \
    [dml_isa_id_##name] = { .isa = dml_isa_id_##name,                                       \
                            .normalize = dml_normalize_f32_##from_cos,                      \
                            .normalize_backward = dml_normalize_backward_f32_##from_cos,    \
                            .gemm = dml_gemm_f32_##from_cos,                                \
                            .syrk = dml_syrk_f32_##from_cos,                                \
                            .lse = dml_lse_f32_##from_lse,                                  \
                            .exp = dml_exp_f32_##from_lse,                                  \
                            .gemm_acc = dml_gemm_acc_f32_##from_cos,                        \
                            .gemm_packed_floats = dml_gemm_packed_floats_f32_##from_cos,    \
                            .gemm_pack_b = dml_gemm_pack_b_f32_##from_cos,                  \
                            .gemm_packed = dml_gemm_packed_f32_##from_cos,                  \
                            .gemm_packed_nb = dml_gemm_packed_nb_f32_##from_cos,            \
                            .normalize_bf16 = dml_normalize_bf16_##from_bf16,               \
                            .gemm_bf16 = dml_gemm_bf16_##from_bf16 },
static const dml_kernels tables[DML_ISA_COUNT] = { DML_BUILT_ISAS(DML_TABLE) };
static const int built[DML_ISA_COUNT] = {
#define DML_BUILT(name, from_cos, from_lse, from_bf16) [dml_isa_id_##name] = 1,
    DML_BUILT_ISAS(DML_BUILT)
};
#define DML_ISA_PARENT(name, id, parent, feature) [id] = dml_isa_id_##parent,
static const int parent_of[DML_ISA_COUNT] = { DML_ISA_ROWS(DML_ISA_PARENT) };

#define DML_ISA_NAME(name, id, parent, feature) [id] = #name,
static const char *const isa_names[DML_ISA_COUNT] = { DML_ISA_ROWS(DML_ISA_NAME) };

const char *dml_isa_name(dml_isa isa)
{
    if (isa == DML_ISA_AUTO)
        return "auto";
    return (isa >= 0 && isa < DML_ISA_COUNT && isa_names[isa]) ? isa_names[isa] : "unknown";
}

dml_status dml_isa_parse(const char *name, dml_isa *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "ISA name is NULL");
    if (strcmp(name, "auto") == 0) {
        *out = DML_ISA_AUTO;
        return DML_OK;
    }
    for (int i = 0; i < DML_ISA_COUNT; i++) {
        if (isa_names[i] && strcmp(name, isa_names[i]) == 0) {
            *out = (dml_isa)i;
            return DML_OK;
        }
    }
    char known[256] = "";
    for (int i = 0; i < DML_ISA_COUNT; i++) /* the rows' names, so a new row is listed */
        if (isa_names[i])
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s, ", isa_names[i]);
    if (strlen(known) >= 2)
        known[strlen(known) - 2] = '\0';
    return dml_fail(DML_ERR_ARG, "unknown ISA '%s' (expected %s or auto)", name, known);
}

const dml_kernels *dml_kernels_for(dml_isa isa)
{
    return (isa >= 0 && isa < DML_ISA_COUNT && built[isa]) ? &tables[isa] : NULL;
}

int dml_isa_compiled(dml_isa isa)
{
    return dml_kernels_for(isa) != NULL;
}

static dml_cpu_features features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;
static void detect_once(void) { features = dml_cpu_detect(); }

/* What the CPU detection says of the row itself. */
static int own_feature(dml_isa isa)
{
    switch (isa) {
#define DML_ISA_FEATURE(name, id, parent, feature) case id: return features.feature;
        DML_ISA_ROWS(DML_ISA_FEATURE)
    default: return 0;
    }
}

/* Compiled, its own feature detected, and so for every ancestor: a row runs
 * its parent's kernels too. */
int dml_isa_supported(dml_isa isa)
{
    if (!dml_isa_compiled(isa))
        return 0;
    pthread_once(&features_once, detect_once);
    if (!own_feature(isa))
        return 0;
    return parent_of[isa] < 0 || dml_isa_supported((dml_isa)parent_of[isa]);
}

dml_isa dml_isa_best(void)
{
    for (int i = DML_ISA_COUNT - 1; i > DML_ISA_REF; i--)
        if (dml_isa_supported((dml_isa)i))
            return (dml_isa)i;
    return DML_ISA_REF;
}

/* The default: set by dml_isa_set, else DML_ISA, else the best. */
static dml_isa default_isa = DML_ISA_AUTO;
static dml_status env_status = DML_OK;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static char env_message[256];

static void read_env_once(void)
{
    const char *v = getenv("DML_ISA");
    dml_isa isa = DML_ISA_AUTO;
    if (v && *v) {
        env_status = dml_isa_parse(v, &isa);
        if (env_status == DML_OK && isa != DML_ISA_AUTO && !dml_isa_supported(isa))
            env_status = dml_fail(DML_ERR_ISA, "DML_ISA=%s: this %s", v,
                                  dml_isa_compiled(isa) ? "CPU cannot run it"
                                                        : "build does not contain it");
        if (env_status != DML_OK) {
            strncpy(env_message, dml_last_error(), sizeof env_message - 1);
            isa = DML_ISA_AUTO;
        }
    }
    if (default_isa == DML_ISA_AUTO)
        default_isa = isa == DML_ISA_AUTO ? dml_isa_best() : isa;
}

dml_status dml_isa_init(void)
{
    pthread_once(&env_once, read_env_once);
    if (env_status != DML_OK)
        return dml_fail(env_status, "%s", env_message);
    return DML_OK;
}

dml_isa dml_isa_default(void)
{
    pthread_once(&env_once, read_env_once);
    return default_isa;
}

dml_status dml_isa_set(dml_isa isa)
{
    pthread_once(&env_once, read_env_once);
    if (isa == DML_ISA_AUTO)
        isa = dml_isa_best();
    if (!dml_isa_supported(isa))
        return dml_fail(DML_ERR_ISA, "ISA %s: this %s", dml_isa_name(isa),
                        dml_isa_compiled(isa) ? "CPU cannot run it" : "build does not contain it");
    default_isa = isa;
    return DML_OK;
}

const dml_kernels *dml_kernels_default(void)
{
    return dml_kernels_for(dml_isa_default());
}
