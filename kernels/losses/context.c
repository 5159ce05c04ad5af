/* context.c — the per-shape context and the thread-parallel wrappers around
 * the product kernels (input validation: validate.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dml_internal.h"

static const char *const loss_names[DML_LOSS_COUNT] = { "proxy_anchor", "proxy_nca", "ms",
                                                        "triplet" };

const char *dml_loss_name(dml_loss loss)
{
    return (loss >= 0 && loss < DML_LOSS_COUNT) ? loss_names[loss] : "unknown";
}

dml_status dml_loss_parse(const char *name, dml_loss *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "loss name is NULL");
    for (int i = 0; i < DML_LOSS_COUNT; i++)
        if (strcmp(name, loss_names[i]) == 0) {
            *out = (dml_loss)i;
            return dml_ok();
        }
    return dml_fail(DML_ERR_ARG,
                    "unknown loss '%s' (expected proxy_anchor, proxy_nca, ms or triplet)", name);
}

int dml_loss_has_proxies(dml_loss loss)
{
    return loss == DML_LOSS_PROXY_ANCHOR || loss == DML_LOSS_PROXY_NCA;
}

dml_params dml_params_default(dml_loss loss)
{
    dml_params p;
    memset(&p, 0, sizeof p);
    p.loss = loss;
    switch (loss) {
    case DML_LOSS_PROXY_ANCHOR: p.u.pa = DML_PROXY_ANCHOR_DEFAULTS; break;
    case DML_LOSS_PROXY_NCA: p.u.nca = DML_PROXY_NCA_DEFAULTS; break;
    case DML_LOSS_MS: p.u.ms = DML_MS_DEFAULTS; break;
    case DML_LOSS_TRIPLET: p.u.triplet = DML_TRIPLET_DEFAULTS; break;
    default: break;
    }
    return p;
}

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

/* The fused step's buffers (sizes from its block plan; no overflow: each is
 * at most threads × max(C, M) × D, which the checks in dml_ctx_create bound). */
static int fused_alloc(dml_ctx *ctx)
{
    size_t cb, nbt, t = (size_t)ctx->threads;
    dml_fused_plan(ctx->C, ctx->threads, &cb, &nbt);
    ctx->fpb = alloc_floats(t * (cb * ctx->D + cb));
    ctx->fdx = alloc_floats((t - 1) * ctx->M * ctx->D);
    ctx->flse = alloc_floats(ctx->M * t * nbt);
    ctx->fxp1 = alloc_floats(ctx->k->gemm_packed_floats(ctx->M, ctx->D));
    ctx->fxp0 = alloc_floats(ctx->k->gemm_packed_floats(ctx->D, ctx->M));
    return ctx->fpb && ctx->fdx && ctx->flse && ctx->fxp1 && ctx->fxp0;
}

dml_ctx *dml_ctx_create(dml_loss loss, size_t M, size_t C, size_t D, dml_isa isa,
                        int threads, dml_status *err)
{
    dml_status st_local, *st = err ? err : &st_local;
    if (loss < 0 || loss >= DML_LOSS_COUNT) {
        *st = dml_fail(DML_ERR_ARG, "unknown loss id %d", (int)loss);
        return NULL;
    }
    if (M == 0) { *st = dml_fail(DML_ERR_M_ZERO, "M = 0: the batch is empty"); return NULL; }
    if (C == 0) { *st = dml_fail(DML_ERR_C_ZERO, "C = 0: there are no classes"); return NULL; }
    if (D == 0) { *st = dml_fail(DML_ERR_D_ZERO, "D = 0: embeddings have no dimension"); return NULL; }
    if (threads < 1 || threads > 1024) {
        *st = dml_fail(DML_ERR_ARG, "threads = %d: expected 1 to 1024", threads);
        return NULL;
    }
    if (isa == DML_ISA_AUTO) {
        dml_status s = dml_isa_init(); /* a bad DML_ISA is an error, not a fallback */
        if (s != DML_OK) { *st = s; return NULL; }
        isa = dml_isa_default();
    }
    if (!dml_isa_supported(isa)) {
        *st = dml_fail(DML_ERR_ISA, "ISA %s: this %s", dml_isa_name(isa),
                       dml_isa_compiled(isa) ? "CPU cannot run it" : "build does not contain it");
        return NULL;
    }

    int proxies = dml_loss_has_proxies(loss);
    size_t MD, CD, SS, MM, CM, rows = M > C ? M : C, rv, wk;
    if (!mul_ok(M, D, &MD) || !mul_ok(C, D, &CD) || !mul_ok(M, M, &MM) || !mul_ok(M, C, &CM) ||
        !mul_ok(rows, 2, &rv) || !mul_ok((size_t)threads, DML_GEMM_WORK_FLOATS, &wk) ||
        M > (size_t)INT32_MAX || C > (size_t)INT32_MAX) {
        *st = dml_fail(DML_ERR_OVERFLOW, "M = %zu, C = %zu, D = %zu: buffer sizes overflow", M, C, D);
        return NULL;
    }
    SS = proxies ? CM : MM;

    dml_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) { *st = dml_fail(DML_ERR_NOMEM, "context"); return NULL; }
    ctx->loss = loss;
    ctx->M = M; ctx->C = C; ctx->D = D;
    ctx->k = dml_kernels_for(isa);
    ctx->threads = threads;
    ctx->fused = fused_default();
    ctx->Xn = alloc_floats(MD);
    ctx->xinv = alloc_floats(M);
    ctx->S = alloc_floats(SS);
    ctx->G = alloc_floats(SS);
    ctx->rowv = alloc_floats(rv);
    ctx->y = malloc(M * sizeof(int32_t));
    ctx->seen = malloc(C);
    ctx->work = alloc_floats(wk);
    int ok = ctx->Xn && ctx->xinv && ctx->S && ctx->G && ctx->rowv && ctx->y && ctx->seen && ctx->work;
    if (proxies) {
        ctx->Pn = alloc_floats(CD);
        ctx->pinv = alloc_floats(C);
        ok = ok && ctx->Pn && ctx->pinv && fused_alloc(ctx);
    } else {
        ctx->H = alloc_floats(MM);
        ok = ok && ctx->H;
    }
    if (!ok) {
        dml_ctx_destroy(ctx);
        *st = dml_fail(DML_ERR_NOMEM, "context buffers for M = %zu, C = %zu, D = %zu", M, C, D);
        return NULL;
    }
    *st = dml_ok();
    return ctx;
}

void dml_ctx_destroy(dml_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->Xn); free(ctx->xinv); free(ctx->Pn); free(ctx->pinv);
    free(ctx->S); free(ctx->G); free(ctx->H); free(ctx->rowv);
    free(ctx->y); free(ctx->seen); free(ctx->work);
    free(ctx->fpb); free(ctx->fdx); free(ctx->flse); free(ctx->fxp1); free(ctx->fxp0);
    free(ctx);
}

dml_isa dml_ctx_isa(const dml_ctx *ctx) { return ctx ? ctx->k->isa : DML_ISA_AUTO; }
int dml_ctx_threads(const dml_ctx *ctx) { return ctx ? ctx->threads : 0; }

dml_status dml_ctx_set_fused(dml_ctx *ctx, int on)
{
    if (!ctx)
        return dml_fail(DML_ERR_NULL, "context is NULL");
    if (on != 0 && on != 1)
        return dml_fail(DML_ERR_ARG, "fused = %d: expected 0 or 1", on);
    ctx->fused = on;
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

/* ------------------------------------------------ thread-parallel products */

static void slice(size_t n, int parts, int t, size_t *lo, size_t *hi)
{
    *lo = n * (size_t)t / (size_t)parts;
    *hi = n * (size_t)(t + 1) / (size_t)parts;
}

void dml_par_gemm(dml_ctx *ctx, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                  size_t lda, const float *B, size_t ldb, float *C, size_t ldc)
{
    int nt = ctx->threads;
    if (nt == 1) {
        ctx->k->gemm(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, ctx->work);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        float *work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
        size_t lo, hi;
        if (m >= n) { /* rows of C: rows of op(A) */
            slice(m, nt, t, &lo, &hi);
            const float *As = ta ? A + lo : A + lo * lda;
            if (hi > lo)
                ctx->k->gemm(ta, tb, hi - lo, n, k, As, lda, B, ldb, C + lo * ldc, ldc, work);
        } else {      /* columns of C: columns of op(B) */
            slice(n, nt, t, &lo, &hi);
            const float *Bs = tb ? B + lo * ldb : B + lo;
            if (hi > lo)
                ctx->k->gemm(ta, tb, m, hi - lo, k, A, lda, Bs, ldb, C + lo, ldc, work);
        }
    }
}

void dml_par_syrk(dml_ctx *ctx, size_t n, size_t k, const float *A, size_t lda, float *C,
                  size_t ldc)
{
    int nt = ctx->threads;
    if (nt == 1) {
        ctx->k->syrk(n, k, A, lda, C, ldc, ctx->work);
        return;
    }
    /* Slab t owns rows [lo, hi) of the lower triangle: its diagonal block by
     * syrk, the block left of it by gemm, mirrored into the upper triangle
     * (which no other slab writes).  Bounds split the triangle's area evenly. */
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        float *work = ctx->work + (size_t)t * DML_GEMM_WORK_FLOATS;
        size_t lo = (size_t)((double)n * sqrt((double)t / nt));
        size_t hi = t == nt - 1 ? n : (size_t)((double)n * sqrt((double)(t + 1) / nt));
        if (hi <= lo)
            continue;
        ctx->k->syrk(hi - lo, k, A + lo * lda, lda, C + lo * ldc + lo, ldc, work);
        if (lo > 0) {
            ctx->k->gemm(0, 1, hi - lo, lo, k, A + lo * lda, lda, A, lda, C + lo * ldc, ldc, work);
            for (size_t i = lo; i < hi; i++)
                for (size_t j = 0; j < lo; j++)
                    C[j * ldc + i] = C[i * ldc + j];
        }
    }
}

void dml_par_normalize(dml_ctx *ctx, const float *X, size_t n, float *Y, float *inv)
{
    size_t d = ctx->D;
    int nt = ctx->threads;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        slice(n, nt, t, &lo, &hi);
        if (hi > lo)
            ctx->k->normalize(X + lo * d, hi - lo, d, Y + lo * d, inv + lo);
    }
}

void dml_par_normalize_backward(dml_ctx *ctx, const float *Y, const float *inv, float *dX,
                                size_t n)
{
    size_t d = ctx->D;
    int nt = ctx->threads;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        slice(n, nt, t, &lo, &hi);
        if (hi > lo)
            ctx->k->normalize_backward(Y + lo * d, inv + lo, dX + lo * d, hi - lo, d, dX + lo * d);
    }
}

void dml_par_sym_sum(dml_ctx *ctx, const float *G, size_t n, float *H)
{
    /* In 32×32 tiles, so the transposed read of G stays in cache. */
    enum { T = 32 };
    size_t tiles = (n + T - 1) / T;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t bi = 0; bi < tiles; bi++)
        for (size_t bj = 0; bj < tiles; bj++)
            for (size_t i = bi * T; i < n && i < (bi + 1) * T; i++)
                for (size_t j = bj * T; j < n && j < (bj + 1) * T; j++)
                    H[i * n + j] = G[i * n + j] + G[j * n + i];
}

/* ------------------------------------------------- the end of every step */

double dml_forward_done(dml_ctx *ctx, double t0, double flops, int backward)
{
    double t1 = dml_now_ns();
    ctx->fwd_ns = t1 - t0;
    ctx->fwd_flops = flops;
    ctx->has_grad = backward;
    ctx->bwd_ns = 0;
    ctx->bwd_flops = 0;
    return t1;
}

void dml_proxy_backward(dml_ctx *ctx, int g_by_class, float *dX, float *dP, double t1)
{
    const size_t M = ctx->M, C = ctx->C, D = ctx->D;
    /* G is M×C, or C×M when g_by_class (Gᵀ, Proxy-Anchor's layout). */
    size_t ldg = g_by_class ? M : C;
    dml_par_gemm(ctx, g_by_class, 0, M, D, C, ctx->G, ldg, ctx->Pn, D, dX, D);  /* G P̂ */
    dml_par_gemm(ctx, !g_by_class, 0, C, D, M, ctx->G, ldg, ctx->Xn, D, dP, D); /* Gᵀ X̂ */
    dml_par_normalize_backward(ctx, ctx->Xn, ctx->xinv, dX, M);
    dml_par_normalize_backward(ctx, ctx->Pn, ctx->pinv, dP, C);
    ctx->bwd_ns = dml_now_ns() - t1;
    ctx->bwd_flops = 4.0 * (double)M * C * D;
}

void dml_pair_backward(dml_ctx *ctx, float *dX, double t1)
{
    const size_t M = ctx->M, D = ctx->D;
    /* ∂L/∂X̂ = (G + Gᵀ) X̂: S is symmetric, so each entry feeds both rows. */
    dml_par_sym_sum(ctx, ctx->G, M, ctx->H);
    dml_par_gemm(ctx, 0, 0, M, D, M, ctx->H, M, ctx->Xn, D, dX, D);
    dml_par_normalize_backward(ctx, ctx->Xn, ctx->xinv, dX, M);
    ctx->bwd_ns = dml_now_ns() - t1;
    ctx->bwd_flops = 2.0 * (double)M * M * D;
}
