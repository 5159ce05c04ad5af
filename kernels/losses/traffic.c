/* traffic.c — the bytes one step moves to and from memory, by model: how
 * many passes each step makes over its large operands when they do not stay
 * in cache.  The roofline (harness/bench/roofline.c, docs/bench.md) divides
 * the step's FLOPs by these bytes for its arithmetic intensity, and the
 * classes study logs the bytes of P streamed per step.
 *
 * Passes over C×D floats (P, P̂, ∂L/∂P):
 *   unfused: read P, write P̂ (normalise); read P̂ (S = P̂ X̂ᵀ); read P̂ (G P̂);
 *            write ∂L/∂P̂ (Gᵀ X̂); read ∂L/∂P̂ and P̂, write ∂L/∂P (the
 *            normalisation's backward)                                  = 8
 *   fused:   read P once, write ∂L/∂P once (Proxy-Anchor)                = 2;
 *            Proxy-NCA's second sweep normalises P again                 = 3
 * Passes over M×C floats (S and G):
 *   unfused: write S, read S, write G, read G twice                     = 5
 *   fused:   none: a thread's block of S and of G stays in its L2, and
 *            Proxy-NCA's sweep 2 computes its blocks again from P (the
 *            third pass over P above) rather than reading them back     = 0;
 *            below DML_FUSED_KEEP_MAX_BYTES Proxy-NCA keeps its first
 *            weights instead: G written and read                         = 2
 * Precision bf16 (fused only): each read of P moves 2 bytes an element, the
 * write of ∂L/∂P (float32, for the master copy) still 4.
 * X, X̂ and ∂L/∂X (M×D) are read or written once each: 3 passes.
 * The pair losses: X̂ once each way, S and G (M×M) written and read.
 * Packed copies of blocks stay in L2 and count nothing. */
#include "fused_sweep.h"

void dml_ctx_traffic(const dml_ctx *ctx, double *p_bytes, double *total_bytes)
{
    double p = 0, t = 0;
    if (ctx && ctx->sub) { /* sampled: the sub-step's, the gather and the scatter */
        const double f = sizeof(float), nD = (double)ctx->sn * (double)ctx->D;
        dml_ctx_traffic(ctx->sub, &p, &t);
        double extra = 3 * nD * f + (double)ctx->C * (double)ctx->D * f; /* P rows in, sP, sdP; dP */
        p += extra, t += extra;
    } else if (ctx) {
        /* C: the proxy rows (C·K for SoftTriple) */
        const double M = (double)ctx->M, C = (double)ctx->R, D = (double)ctx->D, f = sizeof(float);
        if (dml_loss_kind_of(ctx->loss) == DML_KIND_PROXY) {
            /* a fused step that reduces rows over every class sweeps twice, as Proxy-NCA's */
            int nca = ctx->loss != DML_LOSS_PROXY_ANCHOR;
            double p_passes = ctx->fused ? (nca ? 3 : 2) : 8;
            double s_passes = ctx->fused ? (ctx->fkeep_on ? 2 : 0) : 5;
            p = p_passes * C * D * f;
            if (ctx->fused && ctx->precision == DML_PRECISION_BF16)
                p -= (p_passes - 1) * C * D * (f - 2); /* the reads at 2 bytes */
            t = p + s_passes * M * C * f + 3 * M * D * f;
        } else {
            t = 3 * M * D * f + 4 * M * M * f;
        }
    }
    if (p_bytes) *p_bytes = p;
    if (total_bytes) *total_bytes = t;
}

/* Fused: X̂, rowv (2 max(M, C)), seen, the block LSEs (M × blocks), and one
 * thread's blocks of P̂, S and G (a few MB more for each further thread:
 * blocks and a ∂L/∂X̂ accumulator, M×D).  Unfused: X̂, S, G, rowv, 1/‖p‖,
 * seen and P̂ whole.  Proxy-NCA and NormalizedSoftmax also keep their first
 * weights (M × C) below DML_FUSED_KEEP_MAX_BYTES (dml_fused_keeps_weights). */
double dml_ctx_resident_bytes(dml_loss loss, size_t M, size_t C, size_t D, int fused)
{
    const double m = (double)M, c = (double)C, d = (double)D, f = sizeof(float);
    if (dml_loss_kind_of(loss) != DML_KIND_PROXY)
        return (m * d + 3 * m * m + 2 * m) * f; /* X̂, S, G, H */
    double rows = (m > c ? m : c);
    if (!fused)
        return (m * d + 2 * m * c + 2 * rows + c + c * d) * f + c;
    size_t cb, nbt;
    dml_fused_plan(C, 1, 1, &cb, &nbt);
    double blocks = (double)cb * (d + 1 + 2 * m);
    /* a two-pass step's kept first weights (fused_sweep.h), at most the cap */
    double kept = !dml_fused_keeps_weights(loss) || m * (double)(cb * nbt) * f > DML_FUSED_KEEP_MAX_BYTES
                      ? 0 : m * (double)(cb * nbt) * f;
    return (m * d + 2 * rows + m * (double)nbt + blocks + m) * f + c + kept;
}
