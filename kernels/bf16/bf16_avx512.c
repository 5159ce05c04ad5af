/* bf16_avx512.c — the bf16 kernels on AVX-512: widening by vpmovzxwd and a
 * 16-bit left shift, masked for the tail (bf16_driver.h; vector operations
 * from bf16_x86.h). */
#include <immintrin.h>

#include "bf16_x86.h"

#define BF_VW 16
BF_X86_OPS(_mm512, __m512)

#include "bf16_driver.h"

static void bf_widen_row(const uint16_t *x, size_t d, float *y)
{
    for (size_t k = 0; k < d; k += 16) {
        __mmask16 m = d - k >= 16 ? 0xFFFF : (__mmask16)((1u << (d - k)) - 1);
        __m512i w = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, x + k));
        _mm512_mask_storeu_ps(y + k, m, _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)));
    }
}

DML_BF16_ENTRIES(avx512)
