/* blas.c — loading OpenBLAS for `dmlbench bench` (see blas.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/blas.h"

/* The library to load: DML_OPENBLAS (a name or path) or libopenblas.so.0. */
const char *blas_name(void)
{
    const char *e = getenv("DML_OPENBLAS");
    return e && *e ? e : "libopenblas.so.0";
}

/* Loads libopenblas.so.0 with OPENBLAS_CORETYPE = coretype (NULL: as the
 * environment says), in a new link namespace when newns (a second, independent
 * copy).  Sets it to one thread. */
static int blas_load(blas *b, const char *coretype, int newns)
{
    memset(b, 0, sizeof *b);
    char *saved = getenv("OPENBLAS_CORETYPE") ? strdup(getenv("OPENBLAS_CORETYPE")) : NULL;
    if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
    b->h = newns ? dlmopen(LM_ID_NEWLM, blas_name(), RTLD_NOW | RTLD_LOCAL)
                 : dlopen(blas_name(), RTLD_NOW | RTLD_LOCAL);
    if (coretype) {
        if (saved) setenv("OPENBLAS_CORETYPE", saved, 1);
        else unsetenv("OPENBLAS_CORETYPE");
    }
    free(saved);
    if (!b->h) return 1;
    b->sgemm = (cblas_sgemm_fn)dlsym(b->h, "cblas_sgemm");
    void (*set_threads)(int) = (void (*)(int))dlsym(b->h, "openblas_set_num_threads");
    char *(*get_config)(void) = (char *(*)(void))dlsym(b->h, "openblas_get_config");
    char *(*get_core)(void) = (char *(*)(void))dlsym(b->h, "openblas_get_corename");
    if (!b->sgemm) {
        dlclose(b->h);
        b->h = NULL;
        return 1;
    }
    if (set_threads) set_threads(1);
    snprintf(b->core, sizeof b->core, "%s", get_core ? get_core() : "unknown");
    snprintf(b->config, sizeof b->config, "%s%s", get_config ? get_config() : blas_name(),
             set_threads ? ", 1 thread" : ", thread count not settable");
    return 0;
}

static int core_in(const char *core, const char *const *list)
{
    for (; *list; list++)
        if (!strcasecmp(core, *list)) return 1;
    return 0;
}

/* The yardstick: OpenBLAS as the environment configures it; but when it picks
 * kernels narrower than the CPU runs (OpenBLAS 0.3.21 takes this Sapphire
 * Rapids VM, CPUID model 207, for a "Prescott" and runs SSE3 kernels at a
 * quarter of its speed), it is reloaded with the widest core type the CPU
 * runs, and the note says so.  OPENBLAS_CORETYPE set by the user is kept. */
void blas_open(blas *b, blas *b256, char *note, size_t notelen)
{
    static const char *const wide512[] = { "SkylakeX", "Cooperlake", "SapphireRapids", NULL };
    static const char *const wide256[] = { "SkylakeX", "Cooperlake", "SapphireRapids", "Haswell",
                                           "Zen", "Excavator", NULL };
    note[0] = 0;
    memset(b256, 0, sizeof *b256);
    if (blas_load(b, NULL, 0)) return;
    const char *want = NULL;
    if (!getenv("OPENBLAS_CORETYPE")) {
        if (dml_isa_supported(DML_ISA_AVX512) && !core_in(b->core, wide512)) want = "SkylakeX";
        else if (dml_isa_supported(DML_ISA_AVX2) && !core_in(b->core, wide256)) want = "Haswell";
    }
    if (want) {
        char was[64];
        snprintf(was, sizeof was, "%s", b->core);
        dlclose(b->h);
        if (dlopen(blas_name(), RTLD_NOW | RTLD_NOLOAD)) {
            snprintf(note, notelen, "OpenBLAS chose %s kernels, narrower than this CPU runs, and "
                     "could not be reloaded: set OPENBLAS_CORETYPE=%s", was, want);
            blas_load(b, NULL, 0);
        } else {
            blas_load(b, want, 0);
            snprintf(note, notelen, "OpenBLAS chose %s kernels on this CPU; reloaded with "
                     "OPENBLAS_CORETYPE=%s (set it yourself to choose)", was, want);
        }
    }
    /* For the AVX2 kernels, also the same vector width: a second copy with
     * Haswell (AVX2) kernels, when the first uses AVX-512 ones. */
    if (b->h && dml_isa_supported(DML_ISA_AVX2) && core_in(b->core, wide512))
        blas_load(b256, "Haswell", 1);
}

void blas_close(blas *b)
{
    if (b->h) dlclose(b->h);
    b->h = NULL;
}
