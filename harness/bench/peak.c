/* peak.c — the FMA peak of this core, measured in the same run as what is
 * compared with it: the best of 9 runs of each ISA's probe. */
#include <stdio.h>

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

int peak_probe_all(peak *p)
{
    static const struct { dml_isa isa; double (*fn)(uint64_t); } probes[] = {
#define DML_PEAK_ROW(name, id, feature) { id, dml_peak_fma_##name },
        DML_ISA_ROWS(DML_PEAK_ROW)
#undef DML_PEAK_ROW
    };
    int n = 0;
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        /* a probe compiled out for this architecture does no work */
        if (!dml_isa_supported(probes[i].isa) || probes[i].fn(1) == 0) continue;
        snprintf(p[n].isa, sizeof p[n].isa, "%s", dml_isa_name(probes[i].isa));
        p[n].fn = probes[i].fn;
        p[n++].gflops = probe(probes[i].fn);
    }
    return n;
}
