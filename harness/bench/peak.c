/* peak.c — the FMA peak of this core, measured in the same run as what is
 * compared with it: the best of 9 runs of each ISA's probe. */
#include <stdio.h>
#include <string.h>

#include "bench/peak.h"
#include "core/timing.h"

typedef struct probe_call { double (*fn)(uint64_t); uint64_t iters; double flops; } probe_call;

static int call_probe(void *arg)
{
    probe_call *c = arg;
    c->flops = c->fn(c->iters);
    return 0;
}

static double probe(double (*fn)(uint64_t))
{
    double best = 0;
    fn(200000); /* warm: clocks up, code in cache */
    probe_call c = { fn, 4000000, 0 };
    for (int i = 0; i < 9; i++) {
        double t;
        timing_sample(call_probe, &c, 1, NULL, &t);
        if (c.flops / t > best) best = c.flops / t;
    }
    return best;
}

typedef struct probe_row { dml_isa isa; double (*fn)(uint64_t); const char *parent; } probe_row;
static const probe_row probes[] = {
#define DML_PEAK_ROW(name, id, parent, feature) { id, dml_peak_fma_##name, #parent },
    DML_ISA_ROWS(DML_PEAK_ROW)
#undef DML_PEAK_ROW
};
#define N_PROBES (sizeof probes / sizeof *probes)

/* The probe of row i, or of its nearest ancestor that has one (NULL: none). */
static double (*probe_of(size_t i))(uint64_t)
{
    for (size_t hops = 0; hops < N_PROBES && !probes[i].fn; hops++) {
        const char *up = probes[i].parent; /* "none" names no row */
        for (i = 0; i < N_PROBES && strcmp(dml_isa_name(probes[i].isa), up) != 0; i++) {}
        if (i == N_PROBES) return NULL;
    }
    return probes[i].fn;
}

int peak_probe_all(peak *p)
{
    int n = 0;
    for (size_t i = 0; i < N_PROBES; i++) {
        double (*fn)(uint64_t) = probe_of(i);
        /* a probe compiled out for this architecture does no work */
        if (!fn || !dml_isa_supported(probes[i].isa) || fn(1) == 0) continue;
        snprintf(p[n].isa, sizeof p[n].isa, "%s", dml_isa_name(probes[i].isa));
        p[n].fn = fn;
        p[n++].gflops = probe(fn);
    }
    return n;
}
