/* check_bf16_loss.c — the bf16 step against the float32 step, within the
 * bound derived in docs/scale.md ("bf16 proxies: the error bound"):
 *
 *   u = 2^-9 (bf16 rounding), εp = 2u/(2 − u) (P̂ of the rounded P, by the
 *   Dunkl–Williams inequality), εs = εp + 2D·2^-24 (a cosine: P̂, and the
 *   float32 sums of both steps), a = α (Proxy-Anchor) or the scale s,
 *   ρ = exp(2a·εs) − 1 (a softmax weight's relative change).
 *
 *   |ΔL| <= 2a·εs
 *   ‖ΔdX_i‖ <= gx·(ρ + 2εp)/‖x_i‖, gx = Σ_c |∂L/∂S_ic| <= α(1/|P⁺| + 1) or s/M
 *   ‖ΔdP_c‖ <= gp·(ρ + 2εp + 2u)/(‖p_c‖(1 − u)), gp = Σ_i |∂L/∂S_ic| <= α(1/|P⁺| + 1/C),
 *                                                          or (s/M)(M + n_c)
 *
 * each plus the float32 step's own tolerance against float64 (golden
 * README: 1e-5 of L, 1e-4 of a gradient, + 1e-6). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf16_loss.h"

/* P rounded to 7 − coarse fraction bits (coarse 0: dml_bf16_round). */
static void round_p(const float *P, size_t n, int coarse, uint16_t *out)
{
    dml_bf16_round(P, n, out);
    for (size_t i = 0; coarse > 0 && i < n; i++) {
        uint32_t s = (uint32_t)coarse, u = out[i];
        u = (u + (1u << (s - 1)) - 1u + ((u >> s) & 1u)) >> s << s;
        out[i] = (uint16_t)u;
    }
}

static double norm2(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return sqrt(s);
}

static double diff2(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return sqrt(s);
}

typedef struct bound_in {
    double a, eps_s, eps_p, gx, gp_pos, gp_per_sample; /* gp_c = gp_pos + gp_per_sample·(M + n_c) */
} bound_in;

static bound_in bounds_of(const dml_params *p, size_t M, size_t C, size_t D, const int32_t *y)
{
    const double u = ldexp(1.0, -9);
    bound_in b = { 0 };
    b.eps_p = 2 * u / (2 - u);
    b.eps_s = b.eps_p + 2.0 * (double)D * ldexp(1.0, -24);
    size_t n_pos = 0;
    unsigned char *seen = calloc(C, 1);
    for (size_t i = 0; seen && i < M; i++)
        n_pos += !seen[y[i]], seen[y[i]] = 1;
    free(seen);
    if (p->loss == DML_LOSS_PROXY_ANCHOR) {
        b.a = p->u.pa.alpha;
        b.gx = b.a * (1.0 / (double)n_pos + 1.0);
        b.gp_pos = b.a * (1.0 / (double)n_pos + 1.0 / (double)C);
    } else {
        b.a = p->loss == DML_LOSS_PROXY_NCA ? p->u.nca.scale : 1.0 / p->u.ns.temperature;
        b.gx = b.a / (double)M;
        b.gp_per_sample = b.a / (double)M;
    }
    return b;
}

/* The largest error of a row over its bound. */
static void ratios(const bound_in *b, size_t M, size_t C, size_t D, const float *X,
                   const float *P, const int32_t *y, const float *dX32, const float *dX16,
                   const float *dP32, const float *dP16, bf16_err *out)
{
    const double u = ldexp(1.0, -9), rho = expm1(2 * b->a * b->eps_s);
    out->dx_ratio = out->dp_ratio = 0;
    for (size_t i = 0; i < M; i++) {
        double bound = b->gx * (rho + 2 * b->eps_p) / norm2(X + i * D, D) +
                       1e-4 * norm2(dX32 + i * D, D) + 1e-6;
        out->dx_ratio = fmax(out->dx_ratio, diff2(dX16 + i * D, dX32 + i * D, D) / bound);
    }
    for (size_t c = 0; c < C; c++) {
        size_t n_c = 0;
        for (size_t i = 0; i < M; i++)
            n_c += (size_t)y[i] == c;
        double g = b->gp_pos + b->gp_per_sample * (double)(M + n_c);
        double bound = g * (rho + 2 * b->eps_p + 2 * u) / (norm2(P + c * D, D) * (1 - u)) +
                       1e-4 * norm2(dP32 + c * D, D) + 1e-6;
        out->dp_ratio = fmax(out->dp_ratio, diff2(dP16 + c * D, dP32 + c * D, D) / bound);
    }
}

int dml_bf16_loss_errors(const dml_params *p, size_t M, size_t C, size_t D, const float *X,
                         const int32_t *y, const float *P, dml_isa isa, int threads, int coarse,
                         bf16_err *out, char *why, size_t whylen)
{
    int status = 1;
    dml_status s;
    dml_ctx *ctx = dml_ctx_create_for(p, M, C, D, isa, threads, &s);
    float *dX32 = malloc(M * D * sizeof(float)), *dX16 = malloc(M * D * sizeof(float));
    float *dP32 = malloc(C * D * sizeof(float)), *dP16 = malloc(C * D * sizeof(float));
    uint16_t *P16 = malloc(C * D * sizeof(uint16_t));
    float L32, L16;
    if (!ctx || !dX32 || !dX16 || !dP32 || !dP16 || !P16) {
        snprintf(why, whylen, "setup: %s", ctx ? "out of memory" : dml_last_error());
        goto done;
    }
    round_p(P, C * D, coarse, P16);
    if (dml_ctx_set_fused(ctx, 1) != DML_OK ||
        dml_loss_step(ctx, p, X, y, P, &L32, dX32, dP32) != DML_OK ||
        dml_loss_step_bf16(ctx, p, X, y, P16, &L16, dX16, dP16) != DML_OK) {
        snprintf(why, whylen, "step refused: %s", dml_last_error());
        goto done;
    }
    bound_in b = bounds_of(p, M, C, D, y);
    out->value_rel = fabs((double)L16 - L32) / fabs((double)L32);
    out->dx_rel = diff2(dX16, dX32, M * D) / norm2(dX32, M * D);
    out->dp_rel = diff2(dP16, dP32, C * D) / norm2(dP32, C * D);
    out->value_ratio = fabs((double)L16 - L32) / (2 * b.a * b.eps_s + 1e-5 * fabs(L32) + 1e-6);
    ratios(&b, M, C, D, X, P, y, dX32, dX16, dP32, dP16, out);
    status = 0;
done:
    dml_ctx_destroy(ctx);
    free(dX32), free(dX16), free(dP32), free(dP16), free(P16);
    return status;
}
