/* test_scale.c — the large-C regime's machinery: the unfused step's cap on
 * S and its one line, the traffic model the roofline and the classes study
 * log, the peak-memory probe and the memory left, the triad. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stream.h"
#include "core/memuse.h"
#include "dml.h"

/* Largest C whose S (M×C floats) the unfused step still accepts at M. */
static size_t cap_C(size_t M) { return DML_UNFUSED_MAX_S_BYTES / sizeof(float) / M; }

Test(scale, unfused_refused_above_cap_with_one_line)
{
    const size_t M = 180, D = 1; /* D = 1: nothing big is written, S and G stay untouched */
    dml_status st;
    dml_ctx *ok = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, cap_C(M), D, DML_ISA_AUTO, 1, &st);
    cr_assert_not_null(ok);
    cr_expect_eq(dml_ctx_set_fused(ok, 0), DML_OK, "S of exactly the cap is accepted");
    dml_ctx_destroy(ok);
    dml_ctx *big = dml_ctx_create(DML_LOSS_PROXY_NCA, M, cap_C(M) + 1, D, DML_ISA_AUTO, 1, &st);
    cr_assert_not_null(big, "fused (the default) is created at any C");
    cr_expect_eq(dml_ctx_set_fused(big, 0), DML_ERR_SHAPE);
    const char *msg = dml_last_error();
    cr_expect(strstr(msg, "unfused step refused") && strstr(msg, "fused step"), "message: %s", msg);
    cr_expect(!strchr(msg, '\n'), "one line: %s", msg);
    cr_expect_eq(dml_ctx_fused(big), 1, "a refused switch leaves the step fused");
    cr_expect_eq(dml_ctx_set_fused(big, 1), DML_OK);
    dml_ctx_destroy(big);
}

Test(scale, unfused_refused_at_creation_under_DML_FUSED_0)
{
    setenv("DML_FUSED", "0", 1);
    dml_status st = DML_OK;
    dml_ctx *c = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, 180, 1000000, 1, DML_ISA_AUTO, 1, &st);
    unsetenv("DML_FUSED");
    cr_expect_null(c);
    cr_expect_eq(st, DML_ERR_SHAPE);
    dml_ctx_destroy(c);
}

Test(scale, traffic_model_counts_the_passes)
{
    const size_t M = 180, C = 1000, D = 128;
    dml_ctx *c = dml_ctx_create(DML_LOSS_PROXY_ANCHOR, M, C, D, DML_ISA_AUTO, 1, NULL);
    cr_assert_not_null(c);
    double pf, tf, pu, tu, f = sizeof(float);
    dml_ctx_traffic(c, &pf, &tf);
    cr_assert_eq(dml_ctx_set_fused(c, 0), DML_OK);
    dml_ctx_traffic(c, &pu, &tu);
    cr_expect_float_eq(pf, 2.0 * C * D * f, 1e-9, "fused Proxy-Anchor: P read, dP written");
    cr_expect_float_eq(pu, 8.0 * C * D * f, 1e-9, "unfused: eight passes");
    cr_expect_float_eq(tu - pu, 5.0 * M * C * f + 3.0 * M * D * f, 1e-9);
    cr_expect_float_eq(tf - pf, 3.0 * M * D * f, 1e-9, "fused: S and G never leave the thread's L2");
    dml_ctx_destroy(c);
    cr_expect_gt(dml_ctx_resident_bytes(DML_LOSS_PROXY_NCA, M, C, D, 0),
                 dml_ctx_resident_bytes(DML_LOSS_PROXY_NCA, M, C, D, 1) + C * D * f - 1);
}

Test(scale, peak_memory_sees_a_touched_buffer)
{
    if (!mem_peak_reset()) {
        cr_log_warn("this kernel does not reset VmHWM: the peak is the lifetime one");
        return;
    }
    double before = mem_rss_bytes();
    size_t n = 48u << 20;
    char *b = malloc(n);
    cr_assert_not_null(b);
    memset(b, 1, n);
    __asm__ volatile("" : : "r"(b) : "memory"); /* the buffer is used: not elided */
    double peak = mem_peak_bytes() - before;
    free(b);
    cr_expect_geq(peak, 0.95 * (double)n, "peak %.0f of %zu touched", peak, n);
    char why[64];
    double avail = mem_available_bytes(why, sizeof why);
    cr_expect_gt(avail, 0, "no limit known (%s)", why);
}

Test(scale, triad_moves_bytes)
{
    stream_result r;
    cr_assert_eq(stream_triad(8u << 20, 1, 2, &r), 0);
    cr_expect_gt(r.gbps, 0.1);
    cr_expect_geq(r.gbps, r.median_gbps);
    cr_expect_eq(r.array_bytes, 8u << 20);
}

/* The fused step at C = 1e6 holds no M×C array: S and G whole would be
 * 720 MB each at M = 180; with D = 4, P and ∂L/∂P are 16 MB each, and the
 * context's own buffers (rowv, the block LSEs, a block of P̂, S and G) a
 * dozen more.  Resident memory after the context is made and a step with
 * its gradient statistics has run, against before. */
Test(scale, fused_step_at_a_million_classes_holds_no_m_by_c_array)
{
    const size_t M = 180, C = 1000000, D = 4;
    float *X = malloc(M * D * sizeof(float)), *dX = malloc(M * D * sizeof(float));
    float *P = malloc(C * D * sizeof(float)), *dP = malloc(C * D * sizeof(float)), L;
    int32_t *y = malloc(M * sizeof(int32_t));
    cr_assert(X && dX && P && dP && y);
    for (size_t i = 0; i < M * D; i++) X[i] = (float)((i * 7) % 13) - 6.0f;
    for (size_t i = 0; i < C * D; i++) P[i] = (float)((i * 5) % 11) - 5.0f;
    for (size_t i = 0; i < M; i++) y[i] = (int32_t)(i * 4999 % C);
    static const dml_loss losses[] = { DML_LOSS_PROXY_ANCHOR, DML_LOSS_PROXY_NCA };
    for (size_t l = 0; l < 2; l++) {
        double before = mem_rss_bytes();
        dml_ctx *c = dml_ctx_create(losses[l], M, C, D, DML_ISA_AUTO, 1, NULL);
        cr_assert_not_null(c, "%s", dml_last_error());
        cr_assert_eq(dml_ctx_set_gradstats(c, 1), DML_OK);
        dml_params p = dml_params_default(losses[l]);
        cr_assert_eq(dml_loss_step(c, &p, X, y, P, &L, dX, dP), DML_OK, "%s", dml_last_error());
        dml_gradstats gs;
        cr_expect_eq(dml_ctx_gradstats(c, dX, dP, &gs), DML_OK, "%s", dml_last_error());
        cr_expect(isfinite(L) && gs.neg_anchors > 0);
        double grew = mem_rss_bytes() - before;
        dml_ctx_destroy(c);
        cr_expect_lt(grew, 64e6, "%s: %.0f MB resident after the step (S and G whole: 1440 MB)",
                     dml_loss_name(losses[l]), grew / 1e6);
    }
    free(X), free(dX), free(P), free(dP), free(y);
}
