/* bf16_avx2.c — the bf16 kernels on AVX2 + FMA: widening by vpmovzxwd and a
 * 16-bit left shift (bf16_driver.h; vector operations from bf16_x86.h). */
#include <immintrin.h>

#include "bf16_x86.h"

#define BF_VW 8
BF_X86_OPS(_mm256, __m256)

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
