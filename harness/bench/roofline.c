/* roofline.c — the roofs and the points of the roofline, in one run.
 *
 * Roofs: the widest ISA's FMA probe on one thread and on every CPU this
 * process may use, and the triad bandwidth (stream.c) the same two ways.
 * Points: each proxy loss's step at M = 180, D = 128, C = 10² … 10⁶ (quick:
 * … 10⁵), fused and unfused interleaved on one thread, the fused step
 * with P in bf16 (precision bf16: its reads of P at half the bytes), and
 * the products of the step alone, and the S product as a kernel.  A point's arithmetic
 * intensity is its FLOPs (dml_ctx_flops) over the bytes the step moves by
 * the library's model (dml_ctx_traffic: passes over P, S and G when they
 * do not stay in cache); its height is the FLOPs over its fastest step.  A
 * variant the library refuses at a size (the unfused step's M×C buffers
 * above their cap) is left out with the library's line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/peak.h"
#include "bench/roofline.h"
#include "bench/stream.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/prov.h"
#include "core/timing.h"
#include "point/batch.h"
#include "point/kcase.h"
#include "point/loss_style.h"
#include "point/params.h"
#include "point/precision.h"

typedef struct roofs {
    char isa[16];
    double peak1, peakn, bw1, bwn; /* GFLOP/s, GB/s */
    int threads;
    stream_result s1, sn;
} roofs;

static const size_t roof_C[] = { 100, 1000, 10000, 100000, 1000000 };
enum { ROOF_M = 180, ROOF_D = 128, ROOF_PER_CLASS = 5 };

static int measure_roofs(const roofline_opts *o, roofs *r)
{
    peak pk[DML_ISA_COUNT];
    int n = peak_probe_all(pk);
    if (n == 0) return die("bench --roofline: no FMA probe runs on this machine");
    snprintf(r->isa, sizeof r->isa, "%s", pk[n - 1].isa); /* the widest: rows go narrow to wide */
    r->peak1 = pk[n - 1].gflops;
    r->threads = prov_ncores();
    if (r->threads < 1) r->threads = 1;
    r->peakn = peak_probe_threads(r->isa, r->threads);
    size_t llc, bytes = stream_array_bytes(o->quick, &llc);
    int runs = o->quick ? 2 : 5;
    if (stream_triad(bytes, 1, runs, &r->s1) || stream_triad(bytes, r->threads, runs, &r->sn))
        return die("bench --roofline: out of memory for the triad's 3 x %zu MiB", bytes >> 20);
    r->s1.llc_bytes = r->sn.llc_bytes = llc;
    r->bw1 = r->s1.gbps;
    r->bwn = r->sn.gbps;
    printf("roofline: %s FMA peak %.1f GFLOP/s (1 thread), %.1f (%d threads); triad over 3 x %zu MiB "
           "(LLC %zu MiB): %.1f GB/s (1 thread), %.1f (%d threads)\n",
           r->isa, r->peak1, r->peakn, r->threads, bytes >> 20, llc >> 20, r->bw1, r->bwn, r->threads);
    return 0;
}

typedef struct call { dml_ctx *ctx; dml_params p; const batch *b; float *dX, *dP; int products; dml_status st; } call;

static int call_once(void *arg)
{
    call *c = arg;
    float loss;
    if (c->products) {
        c->st = dml_ctx_forward_products(c->ctx, c->b->X, c->b->P);
        if (c->st == DML_OK) c->st = dml_ctx_backward_products(c->ctx, c->dX, c->dP);
    } else {
        c->st = precision_step(c->ctx, &c->p, c->b->X, c->b->y, c->b->P,
                               precision_is_bf16(&c->p) ? c->b->P16 : NULL, &loss, c->dX, c->dP);
    }
    return c->st != DML_OK;
}

static void row(sbuf *csv, const roofs *r, const char *kind, const char *name, const char *variant,
                size_t C, double flops, double bytes, double p_bytes, const sample_stats *t)
{
    sb_add(csv, "%s,%s,%s,%s,%d,%zu,%d,1,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
           kind, name, variant, r->isa, ROOF_M, C, ROOF_D, flops, bytes, p_bytes, flops / bytes,
           t->min / 1e6, t->median / 1e6, flops / t->min, flops / t->median, r->peak1, r->peakn,
           r->bw1, r->bwn, r->threads * 1.0);
    printf("  %-6s %-13s %-8s C=%-8zu AI %7.2f FLOP/B  %8.2f ms  %6.1f GFLOP/s\n", kind, name, variant,
           C, flops / bytes, t->min / 1e6, flops / t->min);
    fflush(stdout);
}

enum { NVAR = 4, VAR_BF16 = 3 };
static const char *const variant_names[NVAR] = { "unfused", "fused", "products", "fused_bf16" };

/* Creates the variants' contexts; a refused one gets ctx NULL and a line. */
static int make_calls(dml_loss loss, size_t C, const batch *b, float *dX, float *dP, call *c)
{
    int made = 0;
    char err[128];
    for (int v = 0; v < NVAR; v++) {
        dml_status st;
        c[v] = (call){ dml_ctx_create(loss, ROOF_M, C, ROOF_D, DML_ISA_AUTO, 1, &st),
                       dml_params_default(loss), b, dX, dP, v == 2, DML_OK };
        if (v == VAR_BF16)
            params_set(&c[v].p, "precision", "bf16", err, sizeof err); /* a choice: cannot fail */
        if (c[v].ctx && (st = dml_ctx_set_fused(c[v].ctx, v == 1 || v == VAR_BF16)) != DML_OK) {
            dml_ctx_destroy(c[v].ctx);
            c[v].ctx = NULL;
        }
        /* the products alone need a step's G on their context */
        if (c[v].ctx && c[v].products) {
            c[v].products = 0;
            st = call_once(&c[v]) ? c[v].st : DML_OK;
            c[v].products = 1;
            if (st != DML_OK) { dml_ctx_destroy(c[v].ctx); c[v].ctx = NULL; }
        }
        if (!c[v].ctx) printf("  step   %-13s %-8s C=%-8zu left out: %s\n", dml_loss_name(loss),
                              variant_names[v], C, lib_error(st));
        made += c[v].ctx != NULL;
    }
    return made;
}

/* The made variants of one loss at one C, interleaved, one row each. */
static int time_steps(const roofline_opts *o, const roofs *r, dml_loss loss, size_t C, sbuf *csv)
{
    batch_spec bs = { .M = ROOF_M, .C = C, .D = ROOF_D, .per_class = ROOF_PER_CLASS,
                      .noise = 2.5f, .proxy_noise = 1.0f, .seed = 7 };
    batch b;
    char err[256];
    if (batch_make(&bs, &b, err, sizeof err)) return die("bench --roofline: %s", err);
    dml_params p16 = dml_params_default(loss);
    params_set(&p16, "precision", "bf16", err, sizeof err);
    float *dX = malloc(sizeof(float) * ROOF_M * ROOF_D), *dP = malloc(sizeof(float) * C * ROOF_D);
    call c[NVAR];
    int rc = !dX || !dP || precision_copy(&p16, b.P, C * ROOF_D, &b.P16, err, sizeof err)
                 ? die("bench --roofline: out of memory at C = %zu", C) : 0;
    int n = rc ? 0 : make_calls(loss, C, &b, dX, dP, c);
    timed_fn fns[NVAR];
    void *args[NVAR];
    int idx[NVAR], k = 0;
    for (int v = 0; v < NVAR && n; v++)
        if (c[v].ctx) fns[k] = call_once, args[k] = &c[v], idx[k++] = v;
    /* samples of at least 20 ms; a step of a second is one call a sample, and
     * three of them (4 s each variant) at C = 10⁶ */
    timing_spec ts = { .warmup = 1, .samples = o->quick ? 3 : 5, .min_samples = 3, .epoch_ns = 20e6,
                       .budget_ns = 4e9 };
    timing_result tr[NVAR];
    if (k && (rc = timing_interleaved(fns, args, k, &ts, tr)) != 0)
        rc = die("bench --roofline: %s C = %zu: %s", dml_loss_name(loss), C, "step failed");
    for (int j = 0; j < k && !rc; j++) {
        call *cv = &c[idx[j]];
        double fwd, bwd, bytes, p_bytes;
        dml_ctx_flops(cv->ctx, &fwd, &bwd);
        dml_ctx_traffic(cv->ctx, &p_bytes, &bytes);
        row(csv, r, "step", dml_loss_name(loss), variant_names[idx[j]], C, fwd + bwd, bytes, p_bytes,
            &tr[j].cpu);
    }
    for (int v = 0; v < NVAR && n; v++) dml_ctx_destroy(c[v].ctx);
    free(dX); free(dP);
    batch_keep(&b); /* the other loss at this C has the same batch (point/batch.h) */
    return rc;
}

typedef struct kcall { const kernel_case *kc; const dml_kernels *k; } kcall;
static int kernel_once(void *arg) { kcall *c = arg; kernel_case_run(c->kc, c->k); return 0; }

/* The S product (Sᵀ = P̂ X̂ᵀ) alone: reads P̂ and X̂, writes S once. */
static int time_gemm(const roofline_opts *o, const roofs *r, size_t C, sbuf *csv)
{
    kernel_case kc;
    char err[256];
    if (kernel_case_init(&kc, KOP_GEMM_S, ROOF_M, C, ROOF_D, 7, err, sizeof err))
        return die("bench --roofline: %s", err);
    kcall kcl = { &kc, dml_kernels_for(dml_isa_default()) };
    timing_spec ts = { .warmup = 1, .samples = o->quick ? 3 : 5, .min_samples = 3, .epoch_ns = 20e6 };
    timing_result tr;
    int rc = timing_run(kernel_once, &kcl, &ts, &tr);
    double bytes = 4.0 * ((double)C * ROOF_D + (double)ROOF_M * ROOF_D + (double)ROOF_M * C);
    if (!rc) row(csv, r, "kernel", "gemm_S", "-", C, kc.work, bytes, 4.0 * C * ROOF_D, &tr.cpu);
    kernel_case_free(&kc);
    return rc ? die("bench --roofline: gemm_S C = %zu: out of memory", C) : 0;
}

static const char roof_header[] =
    "kind,name,variant,isa,M,C,D,threads,flops,bytes,p_bytes,ai,min_ms,median_ms,gflops,"
    "gflops_median,peak1_gflops,peakn_gflops,bw1_gbps,bwn_gbps,roof_threads\n";

/* The CSV, and beside it OUT.meta.gp with the figure's label line and the
 * losses' styles. */
static int write_out(const roofline_opts *o, const roofs *r, const sbuf *csv)
{
    char err[512], meta_path[4096];
    if (write_file_atomic(o->out, csv->s, strlen(csv->s), err, sizeof err))
        return die("bench --roofline: %s", err);
    size_t n = strlen(o->out);
    if (n > 4 && !strcmp(o->out + n - 4, ".csv")) n -= 4;
    snprintf(meta_path, sizeof meta_path, "%.*s.meta.gp", (int)n, o->out);
    prov pv;
    prov_collect(&pv);
    sbuf m = { 0 };
    sb_add(&m, "# written by dmlbench bench --roofline: the label of the roofline figure\n"
               "META = \"%s, %d cores | isa %s | triad 3 x %zu MiB | commit %.10s%s | %s\"\n",
           pv.cpu_model, pv.cores, r->isa, r->s1.array_bytes >> 20, pv.commit, pv.dirty > 0 ? "+dirty" : "",
           pv.date);
    loss_style_lines(&m); /* the two losses' titles and colours */
    int rc = write_file_atomic(meta_path, m.s, strlen(m.s), err, sizeof err);
    free(m.s);
    if (rc) return die("bench --roofline: %s", err);
    printf("roofline: wrote %s and %s\n", o->out, meta_path);
    return 0;
}

int bench_roofline(const roofline_opts *o)
{
    roofs r;
    memset(&r, 0, sizeof r);
    if (measure_roofs(o, &r)) return 1;
    sbuf csv = { 0 };
    sb_add(&csv, "%s", roof_header);
    size_t nC = sizeof roof_C / sizeof *roof_C - (o->quick ? 1 : 0);
    static const dml_loss losses[] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_PROXY_NCA };
    int rc = 0;
    for (size_t i = 0; i < nC && !rc; i++) {
        rc = time_gemm(o, &r, roof_C[i], &csv);
        for (size_t l = 0; l < 2 && !rc; l++) rc = time_steps(o, &r, losses[l], roof_C[i], &csv);
    }
    batch_kept_for(NULL);
    if (!rc) rc = write_out(o, &r, &csv);
    free(csv.s);
    return rc;
}
