/* bf16_neon.c — the bf16 kernels on AArch64 Advanced SIMD: widening by
 * vshll (shift left long) by 16 (bf16_driver.h). */
#include <arm_neon.h>

typedef float32x4_t bf_vec;
#define BF_VW 4
static inline bf_vec bf_zero(void) { return vdupq_n_f32(0.0f); }
static inline bf_vec bf_load(const float *p) { return vld1q_f32(p); }
static inline void bf_store(float *p, bf_vec v) { vst1q_f32(p, v); }
static inline bf_vec bf_set1(float x) { return vdupq_n_f32(x); }
static inline bf_vec bf_fma(bf_vec a, bf_vec b, bf_vec c) { return vfmaq_f32(c, a, b); }

#include "bf16_driver.h"

static void bf_widen_row(const uint16_t *x, size_t d, float *y)
{
    size_t k = 0;
    for (; k + 4 <= d; k += 4)
        vst1q_f32(y + k, vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(x + k), 16)));
    for (; k < d; k++)
        y[k] = bf_widen1(x[k]);
}

DML_BF16_ENTRIES(neon)
