/* peak_neon.c — FP32 FMA throughput probe for 128-bit Advanced SIMD vectors
 * (AArch64 only; baseline flags there).  16 independent accumulators. */
#include "bench/peak.h"

#if defined(__aarch64__)
#include <arm_neon.h>

double dml_peak_fma_neon(uint64_t iters)
{
    volatile float seed = 1.0f;
    float32x4_t a = vdupq_n_f32(0.999999f), b = vdupq_n_f32(1e-7f * seed);
    float32x4_t c[16];
    for (int i = 0; i < 16; i++) c[i] = vdupq_n_f32(seed * (float)i);
    for (uint64_t it = 0; it < iters; it++) {
#define F(i) c[i] = vfmaq_f32(b, c[i], a);
        F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15)
#undef F
    }
    float32x4_t s = c[0];
    for (int i = 1; i < 16; i++) s = vaddq_f32(s, c[i]);
    volatile float sink = vaddvq_f32(s);
    (void)sink;
    return (double)iters * 16 * 4 * 2;
}
#else
double dml_peak_fma_neon(uint64_t iters) { (void)iters; return 0; }
#endif
