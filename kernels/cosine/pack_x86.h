/* pack_x86.h — operand packing for the x86 GEMM drivers (AVX2 intrinsics).
 *
 * Included by cosine_avx2.c and cosine_avx512.c (both compiled with -mavx2):
 * packing is memory-bound, so 8-wide moves are as fast as 16-wide ones and one
 * copy serves both ISAs.  A packed micro-panel of width R holds, for each step
 * p of the k loop, R consecutive floats; lanes past the valid rows/columns are
 * zero, so the micro-kernel never needs a k- or width-dependent branch. */
#ifndef DML_PACK_X86_H
#define DML_PACK_X86_H

#include <immintrin.h>
#include <stddef.h>

/* Lane mask with the first `lanes` (0..8) lanes set, for maskload/maskstore. */
static inline __m256i pack_lane_mask(size_t lanes)
{
    static const int32_t ramp[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };
    return _mm256_loadu_si256((const __m256i *)(ramp + 8 - lanes));
}

static inline void pack_transpose8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* Eight lanes (or the first `width` of them) of one packed step. */
static inline void pack_store(float *dst, __m256 v, size_t width)
{
    if (width == 8)
        _mm256_storeu_ps(dst, v);
    else
        _mm256_maskstore_ps(dst, pack_lane_mask(width), v);
}

/* One group of up to 8 panel lanes taken from `rows` source rows (rows <= width
 * <= 8): dst[p*R + i] = src[i*ld + p] for i < rows, 0 for rows <= i < width. */
static inline void pack_transpose_group(const float *src, size_t ld, size_t rows, size_t width,
                                        size_t R, size_t kc, float *dst)
{
    size_t p = 0;
    if (rows == 8) { /* the hot case: no zero rows */
        for (; p + 8 <= kc; p += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = _mm256_loadu_ps(src + i * ld + p);
            pack_transpose8(r);
            for (int q = 0; q < 8; q++)
                _mm256_storeu_ps(dst + (p + q) * R, r[q]);
        }
    } else {
        for (; p + 8 <= kc; p += 8) {
            __m256 r[8];
            for (size_t i = 0; i < 8; i++)
                r[i] = i < rows ? _mm256_loadu_ps(src + i * ld + p) : _mm256_setzero_ps();
            pack_transpose8(r);
            for (int q = 0; q < 8; q++)
                pack_store(dst + (p + q) * R, r[q], width);
        }
    }
    for (; p < kc; p++)
        for (size_t i = 0; i < width; i++)
            dst[p * R + i] = i < rows ? src[i * ld + p] : 0.0f;
}

/* Panel of width R from `rows` rows of a row-major source whose k index runs
 * along the row (A with ta = 0, B with tb = 1): a transpose. */
static inline void pack_panel_transposed(const float *src, size_t ld, size_t rows, size_t R,
                                         size_t kc, float *dst)
{
    for (size_t r0 = 0; r0 < R; r0 += 8) {
        size_t width = R - r0 < 8 ? R - r0 : 8;
        size_t valid = rows > r0 ? rows - r0 : 0;
        if (valid > width)
            valid = width;
        pack_transpose_group(src + r0 * ld, ld, valid, width, R, kc, dst + r0);
    }
}

/* Panel of width R from `cols` columns of a row-major source whose k index runs
 * down the columns (A with ta = 1, B with tb = 0): a strided copy. */
static inline void pack_panel_copied(const float *src, size_t ld, size_t cols, size_t R,
                                     size_t kc, float *dst)
{
    if (cols == R && R % 8 == 0) { /* the hot case: whole vectors, no masks */
        for (size_t p = 0; p < kc; p++)
            for (size_t c = 0; c < R; c += 8)
                _mm256_storeu_ps(dst + p * R + c, _mm256_loadu_ps(src + p * ld + c));
        return;
    }
    for (size_t p = 0; p < kc; p++) {
        for (size_t c = 0; c < R; c += 8) {
            size_t width = R - c < 8 ? R - c : 8;
            size_t valid = cols > c ? cols - c : 0;
            if (valid > width)
                valid = width;
            __m256 v = valid == 8 ? _mm256_loadu_ps(src + p * ld + c)
                                  : _mm256_maskload_ps(src + p * ld + c, pack_lane_mask(valid));
            pack_store(dst + p * R + c, v, width);
        }
    }
}

#endif /* DML_PACK_X86_H */
