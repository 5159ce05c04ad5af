/* bf16_avx2.c — the bf16 kernels on AVX2 + FMA: widening by vpmovzxwd and a
 * 16-bit left shift (bf16_driver.h). */
#include <immintrin.h>

typedef __m256 bf_vec;
#define BF_VW 8
static inline bf_vec bf_zero(void) { return _mm256_setzero_ps(); }
static inline bf_vec bf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void bf_store(float *p, bf_vec v) { _mm256_storeu_ps(p, v); }
static inline bf_vec bf_set1(float x) { return _mm256_set1_ps(x); }
static inline bf_vec bf_fma(bf_vec a, bf_vec b, bf_vec c) { return _mm256_fmadd_ps(a, b, c); }

#include "bf16_driver.h"

static void bf_widen_row(const uint16_t *x, size_t d, float *y)
{
    size_t k = 0;
    for (; k + 8 <= d; k += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + k)));
        _mm256_storeu_ps(y + k, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
    }
    for (; k < d; k++)
        y[k] = bf_widen1(x[k]);
}

DML_BF16_ENTRIES(avx2)
