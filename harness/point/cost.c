/* cost.c — a point's memory and least step time (see cost.h). */
#include <math.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "point/cost.h"
#include "point/params.h"

/* Per thread, at least twice as fast as anything measured here (results/:
 * GEMM-bound steps 1.7e11 flop/s on AVX-512, 5e9 on ref; triplets about 3e8/s;
 * a normal deviate of the batch about 5e7/s): a point refused on these
 * rates could not have fit on this machine. */
#define FLOPS_SIMD 4e11
#define FLOPS_REF 1e10
#define TRIPLETS 2e9
#define NORMALS 2e8

/* The context's share is the library's own count of its buffers
 * (dml_ctx_resident_bytes: X̂, S, G, P̂ when unfused, the fused step's
 * blocks), so that the two cannot drift apart; the point adds what it holds
 * beside the context. */
double point_bytes(const point_spec *sp)
{
    const batch_spec *b = &sp->batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D;
    size_t rows = dml_proxy_rows(&sp->params, b->C); /* rows of P: C, C·K, or 0 (pair loss) */
    double R = (double)rows;
    /* sampled proxies (proxy_sample < 1): the context's products run on the
     * sample's rows, at least M, and it holds the gathered rows twice */
    double r = param_value(&sp->params, param_name_index("proxy_sample"));
    size_t work = r < 1 ? dml_proxy_sample_count(rows, (float)r) : 0;
    work = work && work < b->M ? b->M : work;
    double batch = M * D + C * D + R * D + M + C; /* X, the class centres, P, labels */
    double grads = M * D + R * D;                  /* dX, dP */
    double ctx = dml_ctx_resident_bytes(sp->params.loss, b->M, work ? work : rows ? rows : b->C, b->D,
                                        point_fused(sp)) + 2.0 * (double)work * D * 4;
    return 4 * (batch + grads) + ctx + 16.0 * sp->reps;
}

double point_step_seconds(const point_spec *sp)
{
    const batch_spec *b = &sp->batch;
    double M = (double)b->M, C = (double)b->C, D = (double)b->D, k = (double)b->per_class;
    double R = (double)dml_proxy_rows(&sp->params, b->C);
    double flops = R > 0 ? 6 * M * R * D : 6 * M * M * D, triplets = 0;
    if (sp->params.loss == DML_LOSS_TRIPLET)
        triplets = sp->params.u.triplet.algorithm == DML_TRIPLET_SORTED ? M * M * log2(M + 1) : M * M * k;
    double threads = sp->threads > 0 ? sp->threads : 1;
    double rate = sp->isa == DML_ISA_REF ? FLOPS_REF : FLOPS_SIMD;
    return flops / (rate * threads) + triplets / (TRIPLETS * threads) + (M * D + 2 * C * D) / NORMALS;
}

double memory_available(void)
{
    double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    int lim[2] = { RLIMIT_AS, RLIMIT_DATA };
    for (int i = 0; i < 2; i++) {
        struct rlimit rl;
        if (!getrlimit(lim[i], &rl) && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < mem)
            mem = (double)rl.rlim_cur;
    }
    return mem > 0 ? mem : 1e18;
}

const char *bytes_text(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
    int u = 0;
    while (bytes >= 1000 && u < 6) { bytes /= 1000; u++; }
    snprintf(buf, len, "%.3g %s", bytes, unit[u]);
    return buf;
}
