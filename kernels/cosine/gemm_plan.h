/* gemm_plan.h — the block sizes of gemm_driver.h (included by it, after
 * gemm_pack_b): the packed B budget from this core's L2, the k and n blocks
 * of a product, and op(B) packed whole in those blocks for the fused step. */
#ifndef DML_GEMM_PLAN_H
#define DML_GEMM_PLAN_H

#include <unistd.h>

/* The packed B block's budget in floats: half of this core's L2 where the C
 * library can tell (Haswell 256 KiB, Zen 3 512 KiB, Sapphire Rapids 2 MiB),
 * at most GEMM_B_FLOATS, at least one KC-deep micro-panel.  It sets n blocks
 * only, never the order of the sums along k, so every machine computes the
 * same bits.  Asked once per process (a race only asks twice). */
static size_t gemm_b_floats(void)
{
    static size_t cached;
    size_t v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v)
        return v;
    v = GEMM_B_FLOATS;
#ifdef _SC_LEVEL2_CACHE_SIZE
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l2 > 0 && (size_t)l2 / 2 / sizeof(float) < v)
        v = (size_t)l2 / 2 / sizeof(float);
#endif
    v = v > GEMM_KC * GEMM_NR ? v : GEMM_KC * GEMM_NR;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v;
}

/* The k and n block sizes of a product with n columns and depth k. */
GEMM_INLINE void gemm_plan(size_t n, size_t k, size_t kc_most, size_t b_floats, size_t *kc_step,
                           size_t *nc_step)
{
    *kc_step = gemm_block_size(k, kc_most, 8);
    size_t n_rounded = gemm_ceil_div(n, GEMM_NR) * GEMM_NR;
    size_t nc_most = gemm_min(b_floats / *kc_step / GEMM_NR * GEMM_NR, n_rounded);
    nc_most = nc_most > GEMM_NR ? nc_most : GEMM_NR;
    *nc_step = gemm_block_size(n, nc_most, GEMM_NR);
}

/* op(B) packed whole (gemm_pack_b_whole): the blocks that gemm_drive packs one
 * at a time, n-block major then k-block, each kc × nc rounded up to NR.  Every
 * n block but the last is nc_step wide (a multiple of NR), so block (j0, p0)
 * starts at j0·k + p0·round_up(nc, NR). */
static size_t gemm_packed_floats(size_t n, size_t k)
{
    return gemm_ceil_div(n, GEMM_NR) * GEMM_NR * k;
}

static const float *gemm_packed_block(const float *bp, size_t k, size_t j0, size_t nc, size_t p0)
{
    return bp + j0 * k + p0 * (gemm_ceil_div(nc, GEMM_NR) * GEMM_NR);
}

static void gemm_pack_b_whole(int tb, size_t n, size_t k, const float *B, size_t ldb, float *bp)
{
    if (n == 0 || k == 0)
        return;
    size_t kc_step, nc_step;
    gemm_plan(n, k, GEMM_KC, gemm_b_floats(), &kc_step, &nc_step);
    for (size_t j0 = 0; j0 < n; j0 += nc_step) {
        size_t nc = gemm_min(nc_step, n - j0);
        for (size_t p0 = 0; p0 < k; p0 += kc_step)
            gemm_pack_b(tb, B, ldb, j0, nc, p0, gemm_min(kc_step, k - p0),
                        (float *)gemm_packed_block(bp, k, j0, nc, p0));
    }
}

#endif /* DML_GEMM_PLAN_H */
