/* context.c — the per-shape context: its creation (every buffer a step of its
 * loss needs, sized from the loss's row), its destruction and accessors.
 * The parallel products: parallel.c; the shared backward passes:
 * backward.c; the clock: common/clock.c; names and defaults: loss_table.c. */
#include <stdlib.h>
#include <string.h>

#include "gradstats_acc.h"
#include "loss_table.h"

/* a·b floats, or 0 with an error when the byte count would overflow. */
static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / sizeof(float) / a)
        return 0;
    *out = a * b;
    return 1;
}

static void *alloc_floats(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes ? bytes : 64);
}

/* DML_FUSED=0 makes new contexts unfused (so `dmlbench golden` can check the
 * unfused step without a flag of its own); anything else, or unset, is fused.
 * Read at every creation, not once, so a test can switch it. */
static int fused_default(void)
{
    const char *v = getenv("DML_FUSED");
    return !(v && strcmp(v, "0") == 0);
}

/* DML_FUSED_KEEP=0: a two-pass fused step never keeps its first weights
 * between its sweeps (fused_sweep.h), as above the cap, so that the tests
 * can check both ways give the same bits; anything else, or unset: kept
 * below the cap.  Read at every creation. */
static int keep_default(void)
{
    const char *v = getenv("DML_FUSED_KEEP");
    return !(v && strcmp(v, "0") == 0);
}

/* The fused step's buffers (sizes from its block plan; no overflow: each is
 * at most threads × max(R, M) × max(M, D), which the checks in
 * dml_ctx_create_for bound): per thread a block of P̂, of S and of G, and
 * the accumulators of the gradient statistics. */
static int fused_alloc(dml_ctx *ctx)
{
    size_t cb, nbt, t = (size_t)ctx->threads, M = ctx->M;
    dml_fused_plan(ctx->C, ctx->K, ctx->threads, &cb, &nbt);
    ctx->fpb = alloc_floats(t * (cb * ctx->D + cb));
    ctx->fsb = alloc_floats(t * cb * M);
    ctx->fgb = alloc_floats(t * cb * M);
    ctx->fyv = alloc_floats(M);
    ctx->fdpb = alloc_floats(t * cb * ctx->D);
    ctx->fdx = alloc_floats((t - 1) * M * ctx->D);
    ctx->flse = alloc_floats(M * t * nbt);
    ctx->fxp1 = alloc_floats(ctx->k->gemm_packed_floats(M, ctx->D));
    ctx->fxp0 = alloc_floats(ctx->k->gemm_packed_floats(ctx->D, M));
    ctx->gsp = calloc(t, sizeof *ctx->gsp);
    member_acc *m = ctx->gsp ? calloc(2 * t * M, sizeof *m) : NULL;
    for (size_t u = 0; m && u < t; u++) {
        ctx->gsp[u].rp = m + 2 * u * M;
        ctx->gsp[u].rn = m + (2 * u + 1) * M;
    }
    return ctx->fpb && ctx->fsb && ctx->fgb && ctx->fyv && ctx->fdpb && ctx->fdx && ctx->flse &&
           ctx->fxp1 && ctx->fxp0 && m;
}

static void free_whole(dml_ctx *ctx)
{
    free(ctx->S); free(ctx->G); free(ctx->Pn); free(ctx->pinv);
    ctx->S = ctx->G = ctx->Pn = ctx->pinv = NULL;
}

/* The cap on S whole (DML_UNFUSED_MAX_S_BYTES; R proxy rows), in one line:
 * the unfused step's, and the products timed alone's (which make it too). */
static dml_status unfused_fits(size_t M, size_t R, const char *what)
{
    double bytes = (double)M * (double)R * sizeof(float);
    if (bytes <= (double)DML_UNFUSED_MAX_S_BYTES)
        return dml_ok();
    return dml_fail(DML_ERR_SHAPE,
                    "%s refused at M = %zu, C = %zu: S and G would be %.0f MB each "
                    "(cap %zu MiB); the fused step sweeps P in blocks (leave DML_FUSED unset, or fused 1)",
                    what, M, R, bytes / 1e6, DML_UNFUSED_MAX_S_BYTES >> 20);
}

/* A proxy loss's S and G (M×R, the unfused step's layouts), P̂ and 1/‖p‖.
 * G starts at zero: after a fused step the products alone
 * (dml_ctx_backward_products) multiply it as they find it. */
dml_status dml_ctx_whole_buffers(dml_ctx *ctx)
{
    if (ctx->S)
        return dml_ok();
    dml_status st = unfused_fits(ctx->M, ctx->R, ctx->fused ? "the products alone" : "the unfused step");
    if (st != DML_OK) return st;
    size_t MR = ctx->M * ctx->R; /* no overflow: checked at creation */
    ctx->S = alloc_floats(MR);
    ctx->G = alloc_floats(MR);
    ctx->Pn = alloc_floats(ctx->R * ctx->D);
    ctx->pinv = alloc_floats(ctx->R);
    if (!ctx->S || !ctx->G || !ctx->Pn || !ctx->pinv) {
        free_whole(ctx);
        return dml_fail(DML_ERR_NOMEM, "S, G (%.0f MB each) and P̂ whole for M = %zu, C = %zu",
                        (double)MR * sizeof(float) / 1e6, ctx->M, ctx->C);
    }
    memset(ctx->G, 0, MR * sizeof(float));
    return dml_ok();
}

/* The arguments every context checks; DML_OK or the error (message set). */
static dml_status check_shape(const dml_params *p, size_t M, size_t C, size_t D, dml_isa *isa,
                              int threads)
{
    if (!p) return dml_fail(DML_ERR_NULL, "parameters are NULL");
    if (!dml_loss_row_of(p->loss)) return dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)p->loss);
    if (M == 0) return dml_fail(DML_ERR_M_ZERO, "M = 0: the batch is empty");
    if (C == 0) return dml_fail(DML_ERR_C_ZERO, "C = 0: there are no classes");
    if (D == 0) return dml_fail(DML_ERR_D_ZERO, "D = 0: embeddings have no dimension");
    if (threads < 1 || threads > 1024)
        return dml_fail(DML_ERR_ARG, "threads = %d: expected 1 to 1024", threads);
    if (*isa == DML_ISA_AUTO) {
        dml_status s = dml_isa_init(); /* a bad DML_ISA is an error, not a fallback */
        if (s != DML_OK) return s;
        *isa = dml_isa_default();
    }
    if (!dml_isa_supported(*isa))
        return dml_fail(DML_ERR_ISA, "ISA %s: this %s", dml_isa_name(*isa),
                        dml_isa_compiled(*isa) ? "CPU cannot run it" : "build does not contain it");
    return DML_OK;
}

/* Every buffer of the context; 0 when one could not be had. */
static int alloc_buffers(dml_ctx *ctx, const dml_loss_row *row, size_t SS, size_t wk)
{
    const size_t M = ctx->M, C = ctx->C, rows = M > C ? M : C;
    size_t extra = row->scratch(M, C, ctx->R, ctx->threads);
    ctx->Xn = alloc_floats(M * ctx->D);
    ctx->xinv = alloc_floats(M);
    ctx->rowv = alloc_floats(rows * 2);
    ctx->y = malloc(M * sizeof(int32_t));
    ctx->seen = malloc(C);
    ctx->work = alloc_floats(wk);
    ctx->scratch = extra ? alloc_floats(extra) : NULL;
    int ok = ctx->Xn && ctx->xinv && ctx->rowv && ctx->y && ctx->seen && ctx->work &&
             (!extra || ctx->scratch);
    if (row->kind == DML_KIND_PROXY) { /* S, G, P̂ whole only for the unfused step */
        ok = ok && (!row->fused || fused_alloc(ctx));
        ok = ok && (ctx->fused || dml_ctx_whole_buffers(ctx) == DML_OK);
    } else {
        ctx->S = alloc_floats(SS);
        ctx->G = alloc_floats(SS);
        ctx->H = alloc_floats(M * M);
        ok = ok && ctx->S && ctx->G && ctx->H;
    }
    return ok;
}

dml_ctx *dml_ctx_create_for(const dml_params *p, size_t M, size_t C, size_t D, dml_isa isa,
                            int threads, dml_status *err)
{
    dml_status st_local, *st = err ? err : &st_local;
    if ((*st = check_shape(p, M, C, D, &isa, threads)) != DML_OK)
        return NULL;
    const dml_loss_row *row = dml_loss_row_of(p->loss);
    int proxies = row->kind == DML_KIND_PROXY;
    size_t K = row->rows(p), R = proxies ? dml_proxy_rows(p, C) : 0;
    if (proxies && K == 0) {
        *st = dml_fail(DML_ERR_PARAM, "%s: the parameters give no proxy rows per class",
                       row->name);
        return NULL;
    }
    /* a loss without a fused step always runs unfused */
    float r = dml_sample_ratio(p); /* sampled proxies: the cap is on the sample */
    if (r != 1.0f && (*st = dml_check_ratio("proxy_sample", r)) != DML_OK)
        return NULL;
    size_t Rw = r != 1.0f ? dml_sample_rows_max(M, C, r) : R;
    if (proxies && !(row->fused && fused_default()) && (*st = unfused_fits(M, Rw, "the unfused step")) != DML_OK)
        return NULL;
    size_t MD, RD, SS, MM, MR, rows = M > C ? M : C, rv, wk;
    if ((proxies && R == 0) || !mul_ok(M, D, &MD) || !mul_ok(R, D, &RD) || !mul_ok(M, M, &MM) ||
        !mul_ok(M, proxies ? R : C, &MR) || !mul_ok(rows, 2, &rv) ||
        !mul_ok((size_t)threads, DML_GEMM_WORK_FLOATS, &wk) || M > (size_t)INT32_MAX ||
        C > (size_t)INT32_MAX || R > (size_t)INT32_MAX) {
        *st = dml_fail(DML_ERR_OVERFLOW, "M = %zu, C = %zu, D = %zu: buffer sizes overflow", M, C, D);
        return NULL;
    }
    SS = proxies ? MR : MM;

    dml_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) { *st = dml_fail(DML_ERR_NOMEM, "context"); return NULL; }
    ctx->loss = p->loss;
    ctx->M = M; ctx->C = C; ctx->D = D;
    ctx->K = proxies ? K : 0;
    ctx->R = R;
    ctx->k = dml_kernels_for(isa);
    ctx->threads = threads;
    ctx->fused = row->fused && fused_default();
    ctx->fkeep_ok = keep_default();
    ctx->sample_r = r;
    if (r != 1.0f ? !dml_sampled_alloc(ctx, p) : !alloc_buffers(ctx, row, SS, wk)) {
        dml_ctx_destroy(ctx);
        *st = dml_fail(DML_ERR_NOMEM, "context buffers for M = %zu, C = %zu, D = %zu", M, C, D);
        return NULL;
    }
    *st = dml_ok();
    return ctx;
}

dml_ctx *dml_ctx_create(dml_loss loss, size_t M, size_t C, size_t D, dml_isa isa, int threads,
                        dml_status *err)
{
    if (!dml_loss_row_of(loss)) {
        dml_status s = dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)loss);
        if (err) *err = s;
        return NULL;
    }
    dml_params p = dml_params_default(loss);
    return dml_ctx_create_for(&p, M, C, D, isa, threads, err);
}

void dml_ctx_destroy(dml_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->Xn); free(ctx->xinv); free(ctx->Pn); free(ctx->pinv);
    free(ctx->S); free(ctx->G); free(ctx->H); free(ctx->rowv);
    free(ctx->y); free(ctx->seen); free(ctx->work); free(ctx->scratch);
    free(ctx->fpb); free(ctx->fdx); free(ctx->flse); free(ctx->fxp1); free(ctx->fxp0);
    free(ctx->fsb); free(ctx->fgb); free(ctx->fgkeep); free(ctx->fyv); free(ctx->fdpb);
    if (ctx->gsp) free(ctx->gsp[0].rp);
    free(ctx->gsp);
    dml_sampled_free(ctx);
    free(ctx);
}

dml_isa dml_ctx_isa(const dml_ctx *ctx) { return ctx ? ctx->k->isa : DML_ISA_AUTO; }
int dml_ctx_threads(const dml_ctx *ctx) { return ctx ? ctx->threads : 0; }
size_t dml_ctx_proxy_rows(const dml_ctx *ctx) { return ctx ? ctx->R : 0; }

/* A loss without a fused form (its row says 0) accepts the flag and ignores
 * it: it always runs its one step, and dml_ctx_fused says so. */
dml_status dml_ctx_set_fused(dml_ctx *ctx, int on)
{
    if (!ctx)
        return dml_fail(DML_ERR_NULL, "context is NULL");
    if (on != 0 && on != 1)
        return dml_fail(DML_ERR_ARG, "fused = %d: expected 0 or 1", on);
    const dml_loss_row *row = dml_loss_row_of(ctx->loss);
    size_t Rw = ctx->sample_r != 1.0f ? dml_sample_rows_max(ctx->M, ctx->C, ctx->sample_r) : ctx->R;
    int sampled = ctx->sample_r != 1.0f; /* its sub-context holds the step's buffers */
    if (row->kind == DML_KIND_PROXY && !(on && row->fused)) {
        dml_status st = unfused_fits(ctx->M, Rw, "the unfused step");
        if (st == DML_OK && !sampled) st = dml_ctx_whole_buffers(ctx);
        if (st != DML_OK) return st;
    } else if (row->kind == DML_KIND_PROXY && !sampled) {
        free_whole(ctx); /* the fused step holds no M×R array */
    }
    ctx->fused = on && row->fused;
    if (ctx->sub) /* a sampled context's sub-problem runs what it runs */
        return dml_ctx_set_fused(ctx->sub, ctx->fused);
    return dml_ok();
}

int dml_ctx_fused(const dml_ctx *ctx) { return ctx ? ctx->fused : 0; }

void dml_ctx_phase_ns(const dml_ctx *ctx, double *forward_ns, double *backward_ns)
{
    if (forward_ns) *forward_ns = ctx ? ctx->fwd_ns : 0;
    if (backward_ns) *backward_ns = ctx ? ctx->bwd_ns : 0;
}

void dml_ctx_flops(const dml_ctx *ctx, double *forward_flops, double *backward_flops)
{
    if (forward_flops) *forward_flops = ctx ? ctx->fwd_flops : 0;
    if (backward_flops) *backward_flops = ctx ? ctx->bwd_flops : 0;
}
