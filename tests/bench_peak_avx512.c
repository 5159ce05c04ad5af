/* bench_peak_avx512.c — FP32 FMA peak probe for tests/bench_fused.c (compiled
 * with the avx512 flags, called only when the CPU runs avx512): 16 independent
 * accumulators cover 2 FMA pipes × 4-cycle latency, as harness/peak_avx512.c,
 * which the bench cannot link while harness/ is being reorganised. */
#include <stdint.h>

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__AVX512F__)
#include <immintrin.h>

double bench_peak_fma_avx512(uint64_t iters)
{
    volatile float seed = 1.0f;
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f * seed);
    __m512 c[16];
    for (int i = 0; i < 16; i++) c[i] = _mm512_set1_ps(seed * (float)i);
    for (uint64_t it = 0; it < iters; it++) {
        /* Spelled out: a loop over c[] may stay a loop at -O2, with c in memory. */
#define F(i) c[i] = _mm512_fmadd_ps(c[i], a, b);
        F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15)
#undef F
    }
    float lanes[16], sum = 0.0f;
    for (int i = 1; i < 16; i++) c[0] = _mm512_add_ps(c[0], c[i]);
    _mm512_storeu_ps(lanes, c[0]);
    for (int i = 0; i < 16; i++) sum += lanes[i];
    volatile float sink = sum;
    (void)sink;
    return (double)iters * 16 * 16 * 2;
}
#else
double bench_peak_fma_avx512(uint64_t iters) { (void)iters; return 0; }
#endif
