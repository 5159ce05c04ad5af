/* bf16_ref.c — scalar reference of the bf16 kernels (dml.h, "bf16 storage").
 *
 * The oracle for every SIMD version: plain loops, float32 sums in index order
 * (compiled, as every *_ref.c, without vectorisation or contraction).  A bf16
 * value is the upper half of a float32, so widening it is a 16-bit shift. */
#include <string.h>

#include "dml_kernels.h"

static float widen(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Each row widened into its row of Y, then normalised there by the float32
 * reference: the same bits as normalize on the widened input. */
void dml_normalize_bf16_ref(const uint16_t *X, size_t n, size_t d, float *Y, float *inv_norm)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d; k++)
            Y[i * d + k] = widen(X[i * d + k]);
        dml_normalize_f32_ref(Y + i * d, 1, d, Y + i * d, inv_norm + i);
    }
}

void dml_gemm_bf16_ref(size_t m, size_t n, size_t k, const uint16_t *A, size_t lda,
                       const uint16_t *B, size_t ldb, const float *rs, const float *cs,
                       float *C, size_t ldc, float *work)
{
    (void)work;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (size_t p = 0; p < k; p++)
                acc += widen(A[i * lda + p]) * widen(B[j * ldb + p]);
            if (rs)
                acc *= rs[i];
            if (cs)
                acc *= cs[j];
            C[i * ldc + j] = acc;
        }
}
