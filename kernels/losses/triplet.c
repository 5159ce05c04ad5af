/* triplet.c — triplet margin loss over all triplets (PML TripletMarginLoss
 * defaults: every valid triplet, mean over the active ones), forward and backward.
 *
 * The default algorithm enumerates every (a, p, n) and is the O(M³) reference
 * of the complexity study; it must stay that way.  DML_TRIPLET_SORTED
 * (triplet_sorted.c) computes the same counts in O(M² log M) from the same
 * distances; the passes before and after the counts are shared, so the two
 * differ in nothing else.  Distances come from S on unit vectors:
 * d = sqrt(max(0, 2 − 2S)).  Each active triplet adds 1/K to ∂L/∂d_ap and
 * subtracts it from ∂L/∂d_an; ∂d/∂S = −1/d (0 where d = 0). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "loss_table.h"
#include "triplet_internal.h"

static const char *const algorithm_names[DML_TRIPLET_ALGORITHM_COUNT] = { "enumerate", "sorted" };

const char *dml_triplet_algorithm_name(dml_triplet_algorithm a)
{
    return (a >= 0 && a < DML_TRIPLET_ALGORITHM_COUNT) ? algorithm_names[a] : "unknown";
}

dml_status dml_triplet_algorithm_parse(const char *name, dml_triplet_algorithm *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "triplet algorithm name is NULL");
    for (int i = 0; i < DML_TRIPLET_ALGORITHM_COUNT; i++)
        if (strcmp(name, algorithm_names[i]) == 0) {
            *out = (dml_triplet_algorithm)i;
            return dml_ok();
        }
    return dml_fail(DML_ERR_ARG, "unknown triplet algorithm '%s' (expected enumerate or sorted)",
                    name);
}

static const char *algorithm_choice(int v)
{
    return v >= 0 && v < DML_TRIPLET_ALGORITHM_COUNT ? algorithm_names[v] : NULL;
}

const dml_param_info dml_triplet_param_info[] = {
    { "margin", DML_PARAM_NONNEG, offsetof(dml_params, u.triplet.margin), "M", NULL },
    { "algorithm", DML_PARAM_CHOICE, offsetof(dml_params, u.triplet.algorithm), "enumerate|sorted",
      algorithm_choice },
    { NULL, DML_PARAM_ANY, 0, NULL, NULL },
};

/* The O(M³) reference: every (a, p, n), counts accumulated into cnt. */
static dml_triplet_tally enumerate_counts(dml_ctx *ctx, const float *dist, float m, float *cnt)
{
    const size_t M = ctx->M;
    const int32_t *y = ctx->y;
    double total = 0, active = 0, sum = 0;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1) if (ctx->threads > 1) reduction(+ : total, active, sum)
    for (size_t a = 0; a < M; a++) {
        const float *da = dist + a * M;
        float *ca = cnt + a * M; /* row a is written by this anchor only */
        memset(ca, 0, M * sizeof *ca);
        for (size_t pp = 0; pp < M; pp++) {
            if (pp == a || y[pp] != y[a])
                continue;
            for (size_t n = 0; n < M; n++) {
                if (y[n] == y[a])
                    continue;
                total += 1;
                if (dml_triplet_active(da[pp], da[n], m)) {
                    active += 1;
                    sum += dml_triplet_hinge(da[pp], da[n], m);
                    ca[pp] += 1.0f;
                    ca[n] -= 1.0f;
                }
            }
        }
    }
    dml_triplet_tally t = { total, active, sum };
    return t;
}

/* ∂L/∂S of a count c at distance d: −(c/K)/d, 0 where c = 0 or d = 0.  tab
 * (when not NULL) holds −(float)(c/K) for c in [−M, M] at tab[c]: the same
 * bits as the division in double, with one division per count value
 * instead of one per entry. */
static inline float grad_of(float c, float d, const float *tab, double K)
{
    if (c == 0.0f || !(d > 0.0f))
        return 0.0f;
    return (tab ? tab[(long)c] : -(float)(c / K)) / d;
}

static const float *grad_table(dml_ctx *ctx, double K)
{
    const size_t M = ctx->M;
    if (!(K > 0) || 2 * M + 1 > DML_GEMM_WORK_FLOATS)
        return NULL; /* no count to divide, or no room: divide per entry */
    float *tab = ctx->work + M; /* the work buffer is free until the backward product */
    for (long c = -(long)M; c <= (long)M; c++)
        tab[c] = -(float)((double)c / K);
    return tab;
}

/* G from the counts in cnt (= G, overwritten) and the distances. */
static void grad_pass(dml_ctx *ctx, const float *dist, double K)
{
    const size_t M = ctx->M;
    const float *tab = grad_table(ctx, K);
    float *G = ctx->G;
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++)
        G[i] = grad_of(G[i], dist[i], tab, K);
}

/* G and, for the backward, H = G + Gᵀ in one pass over tile pairs (I, J),
 * (J, I), I ≤ J: each pair's blocks of cnt (= G) and dist (= H) are read
 * into the tile before either is overwritten, and no other pair touches
 * them.  Whole rows of a block are copied, so the transposed access reads
 * each cache line once (a column walk with a 4 KB stride thrashes L1).
 * Float addition commutes, so H is what dml_par_sym_sum would give. */
enum { TILE = 16 };
static void grad_sym_pass(dml_ctx *ctx, double K)
{
    const size_t M = ctx->M, nb = (M + TILE - 1) / TILE;
    const float *tab = grad_table(ctx, K);
    float *G = ctx->G, *H = ctx->H;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1) if (ctx->threads > 1)
    for (size_t bi = 0; bi < nb; bi++) {
        float a[TILE][TILE], b[TILE][TILE];
        const size_t i0 = bi * TILE, ni = M - i0 < TILE ? M - i0 : TILE;
        for (size_t bj = bi; bj < nb; bj++) {
            const size_t j0 = bj * TILE, nj = M - j0 < TILE ? M - j0 : TILE;
            for (size_t r = 0; r < ni; r++)
                for (size_t c = 0; c < nj; c++)
                    a[r][c] = grad_of(G[(i0 + r) * M + j0 + c], H[(i0 + r) * M + j0 + c], tab, K);
            for (size_t r = 0; r < nj; r++)
                for (size_t c = 0; c < ni; c++)
                    b[r][c] = grad_of(G[(j0 + r) * M + i0 + c], H[(j0 + r) * M + i0 + c], tab, K);
            for (size_t r = 0; r < ni; r++)
                for (size_t c = 0; c < nj; c++) {
                    G[(i0 + r) * M + j0 + c] = a[r][c];
                    H[(i0 + r) * M + j0 + c] = a[r][c] + b[c][r];
                }
            for (size_t r = 0; r < nj; r++)
                for (size_t c = 0; c < ni; c++) {
                    G[(j0 + r) * M + i0 + c] = b[r][c];
                    H[(j0 + r) * M + i0 + c] = b[r][c] + a[c][r];
                }
        }
    }
}

/* The pair backward (dml_pair_backward) with H already formed. */
static void backward(dml_ctx *ctx, float *dX, double t1)
{
    const size_t M = ctx->M, D = ctx->D;
    dml_par_gemm(ctx, 0, 0, M, D, M, ctx->H, M, ctx->Xn, D, dX, D); /* (G + Gᵀ) X̂ */
    dml_par_normalize_backward(ctx, ctx->Xn, ctx->xinv, dX, M);
    ctx->bwd_ns = dml_now_ns() - t1;
    ctx->bwd_flops = 2.0 * (double)M * M * D;
}

static dml_status check_params(const dml_ctx *ctx, const dml_triplet_params *p)
{
    dml_status s = dml_check_params(DML_LOSS_TRIPLET, p);
    if (s != DML_OK) return s;
    if (p->algorithm != DML_TRIPLET_ENUMERATE && p->algorithm != DML_TRIPLET_SORTED)
        return dml_fail(DML_ERR_ARG, "triplet algorithm %d: expected %d (enumerate) or %d (sorted)",
                        p->algorithm, DML_TRIPLET_ENUMERATE, DML_TRIPLET_SORTED);
    if (p->algorithm == DML_TRIPLET_SORTED && !dml_triplet_sorted_fits(ctx->M))
        return dml_fail(DML_ERR_SHAPE, "triplet algorithm sorted: M = %zu exceeds what its "
                        "per-thread scratch (the context's work buffer) holds", ctx->M);
    return DML_OK;
}

dml_status dml_triplet(dml_ctx *ctx, const dml_triplet_params *p, const float *X,
                       const int32_t *y, float *loss, float *dX)
{
    dml_status s = dml_check_step(ctx, DML_LOSS_TRIPLET, X, y, NULL, loss);
    if (s != DML_OK) return s;
    if ((s = check_params(ctx, p)) != DML_OK) return s;

    const size_t M = ctx->M, D = ctx->D;
    double t0 = dml_now_ns();
    memcpy(ctx->y, y, M * sizeof *y);
    dml_par_normalize(ctx, X, M, ctx->Xn, ctx->xinv);
    dml_par_syrk(ctx, M, D, ctx->Xn, D, ctx->S, M);

    float *dist = ctx->H, *cnt = ctx->G; /* G holds ∂L/∂d counts until the end */
#pragma omp parallel for num_threads(ctx->threads) schedule(static) if (ctx->threads > 1)
    for (size_t i = 0; i < M * M; i++) {
        float v = 2.0f - 2.0f * ctx->S[i];
        dist[i] = sqrtf(v > 0.0f ? v : 0.0f); /* ≥ +0: the sorted algorithm orders the bits */
    }

    dml_triplet_tally t = p->algorithm == DML_TRIPLET_SORTED
                              ? dml_triplet_sorted_counts(ctx, dist, p->margin, cnt)
                              : enumerate_counts(ctx, dist, p->margin, cnt);
    const double active = t.active;
    *loss = active > 0 ? (float)(t.sum / active) : 0.0f;
    /* With a backward, H = G + Gᵀ is formed in the pass that makes G, so it
     * is timed with the forward. */
    if (dX)
        grad_sym_pass(ctx, active);
    else
        grad_pass(ctx, dist, active);
    double t1 = dml_forward_done(ctx, t0, (double)M * M * D, dX != NULL);
    ctx->active = active;
    ctx->candidates = t.total;
    if (!dX)
        return dml_ok();

    backward(ctx, dX, t1);
    return dml_ok();
}

/* Pair losses take no proxies: P and dP are ignored. */
dml_status dml_triplet_step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,
                            const float *P, float *loss, float *dX, float *dP)
{
    (void)P, (void)dP;
    return dml_triplet(ctx, &p->u.triplet, X, y, loss, dX);
}
