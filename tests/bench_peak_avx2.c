/* bench_peak_avx2.c — FP32 FMA peak probe for tests/bench_fused.c (compiled
 * with the avx2 flags, called only when the CPU runs avx2): 12 independent
 * accumulators cover 2 FMA pipes × 4-cycle latency, as harness/peak_avx2.c,
 * which the bench cannot link while harness/ is being reorganised. */
#include <stdint.h>

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) 
#include <immintrin.h>

double bench_peak_fma_avx2(uint64_t iters)
{
    volatile float seed = 1.0f;
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f * seed);
    __m256 c[12];
    for (int i = 0; i < 12; i++) c[i] = _mm256_set1_ps(seed * (float)i);
    for (uint64_t it = 0; it < iters; it++) {
        /* Spelled out: a loop over c[] may stay a loop at -O2, with c in memory. */
#define F(i) c[i] = _mm256_fmadd_ps(c[i], a, b);
        F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
#undef F
    }
    float lanes[8], sum = 0.0f;
    for (int i = 1; i < 12; i++) c[0] = _mm256_add_ps(c[0], c[i]);
    _mm256_storeu_ps(lanes, c[0]);
    for (int i = 0; i < 8; i++) sum += lanes[i];
    volatile float sink = sum;
    (void)sink;
    return (double)iters * 12 * 8 * 2;
}
#else
double bench_peak_fma_avx2(uint64_t iters) { (void)iters; return 0; }
#endif
