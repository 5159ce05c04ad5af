/* pack_x86.h — operand packing for the x86 GEMM drivers (AVX2 intrinsics).
 *
 * Included by cosine_avx2.c and cosine_avx512.c (both compiled with -mavx2),
 * so one copy serves both ISAs: packing reads its source from L2/L3 and is
 * bound by that more than by shuffles, and a 16×16 zmm transpose would not be
 * cheaper anyway (zmm shuffles issue on one port, ymm shuffles on two).
 * A packed micro-panel of width R holds, for each step p of the k loop, R
 * consecutive floats; lanes past the valid rows/columns are zero, so the
 * micro-kernel never needs a k- or width-dependent branch. */
#ifndef DML_PACK_X86_H
#define DML_PACK_X86_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

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

/* Rows src[0..8) × k steps p..p+8 → packed steps p..p+8, lanes 0..8. */
static inline void pack_block8(const float *src, size_t ld, size_t p, size_t R, float *dst)
{
    __m256 r[8];
    r[0] = _mm256_loadu_ps(src + p), r[1] = _mm256_loadu_ps(src + ld + p);
    r[2] = _mm256_loadu_ps(src + 2 * ld + p), r[3] = _mm256_loadu_ps(src + 3 * ld + p);
    r[4] = _mm256_loadu_ps(src + 4 * ld + p), r[5] = _mm256_loadu_ps(src + 5 * ld + p);
    r[6] = _mm256_loadu_ps(src + 6 * ld + p), r[7] = _mm256_loadu_ps(src + 7 * ld + p);
    pack_transpose8(r);
    float *d = dst + p * R;
    _mm256_storeu_ps(d, r[0]), _mm256_storeu_ps(d + R, r[1]);
    _mm256_storeu_ps(d + 2 * R, r[2]), _mm256_storeu_ps(d + 3 * R, r[3]);
    _mm256_storeu_ps(d + 4 * R, r[4]), _mm256_storeu_ps(d + 5 * R, r[5]);
    _mm256_storeu_ps(d + 6 * R, r[6]), _mm256_storeu_ps(d + 7 * R, r[7]);
}

/* Rows src[0..4) × k steps p..p+8 → packed steps p..p+8, lanes 0..4: the
 * 4-row group of a 12-row panel (AVX-512 MR) without half an 8×8 wasted. */
static inline void pack_block4(const float *src, size_t ld, size_t p, size_t R, float *dst)
{
    __m256 r0 = _mm256_loadu_ps(src + p), r1 = _mm256_loadu_ps(src + ld + p);
    __m256 r2 = _mm256_loadu_ps(src + 2 * ld + p), r3 = _mm256_loadu_ps(src + 3 * ld + p);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    /* s_q holds step q in its low half and step q + 4 in its high half. */
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    float *d = dst + p * R;
    _mm_storeu_ps(d, _mm256_castps256_ps128(s0));
    _mm_storeu_ps(d + R, _mm256_castps256_ps128(s1));
    _mm_storeu_ps(d + 2 * R, _mm256_castps256_ps128(s2));
    _mm_storeu_ps(d + 3 * R, _mm256_castps256_ps128(s3));
    _mm_storeu_ps(d + 4 * R, _mm256_extractf128_ps(s0, 1));
    _mm_storeu_ps(d + 5 * R, _mm256_extractf128_ps(s1, 1));
    _mm_storeu_ps(d + 6 * R, _mm256_extractf128_ps(s2, 1));
    _mm_storeu_ps(d + 7 * R, _mm256_extractf128_ps(s3, 1));
}

/* The last kc % 8 steps, and any step of a tail group: element by element. */
static inline void pack_steps_scalar(const float *src, size_t ld, size_t rows, size_t width,
                                     size_t p, size_t R, size_t kc, float *dst)
{
    for (; p < kc; p++)
        for (size_t i = 0; i < width; i++)
            dst[p * R + i] = i < rows ? src[i * ld + p] : 0.0f;
}

/* A full panel (rows == R, R a multiple of 4).  Steps outer, row groups inner,
 * so each 8-step stretch of the panel is finished while in L1 (a 32-wide
 * panel of 512 steps is 64 KiB, more than L1). */
static inline void pack_full_panel_transposed(const float *src, size_t ld, size_t R, size_t kc,
                                              float *dst)
{
    size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        size_t r0 = 0;
        for (; r0 + 8 <= R; r0 += 8)
            pack_block8(src + r0 * ld, ld, p, R, dst + r0);
        if (r0 < R)
            pack_block4(src + r0 * ld, ld, p, R, dst + r0);
    }
    pack_steps_scalar(src, ld, R, R, p, R, kc, dst);
}

/* Rows row[0..8) × k steps p..p+8 → the first `width` lanes of packed steps
 * p..p+8, lanes at and past `keep`'s end zeroed (6-row AVX2 panels, tails). */
static inline void pack_block8_masked(const float *const row[8], size_t p, __m256 keep,
                                      size_t width, size_t R, float *dst)
{
    __m256 r[8];
    r[0] = _mm256_loadu_ps(row[0] + p), r[1] = _mm256_loadu_ps(row[1] + p);
    r[2] = _mm256_loadu_ps(row[2] + p), r[3] = _mm256_loadu_ps(row[3] + p);
    r[4] = _mm256_loadu_ps(row[4] + p), r[5] = _mm256_loadu_ps(row[5] + p);
    r[6] = _mm256_loadu_ps(row[6] + p), r[7] = _mm256_loadu_ps(row[7] + p);
    pack_transpose8(r);
    float *d = dst + p * R;
    if (width < 8 && width == R) {
        /* A panel narrower than a vector (the AVX2 6-row A panel): whole
         * stores in step order, each spilling 8 − R zeros into the next
         * step, which its own store then overwrites.  vmaskmovps stores cost
         * several times a plain one and made this pack 12 % of S = P̂X̂ᵀ. */
        for (int i = 0; i < 8; i++)
            _mm256_storeu_ps(d + i * R, _mm256_and_ps(r[i], keep));
        return;
    }
    for (int i = 0; i < 8; i++)
        pack_store(d + i * R, _mm256_and_ps(r[i], keep), width);
}

/* A group of up to 8 lanes from `rows` source rows (rows <= width <= 8):
 * dst[p*R + i] = src[i*ld + p] for i < rows, 0 up to width. */
static void pack_group_transposed(const float *src, size_t ld, size_t rows, size_t width,
                                  size_t R, size_t kc, float *dst)
{
    size_t p = 0;
    if (rows == 0) { /* a group wholly past the last column of a tail panel */
        for (; p < kc; p++)
            pack_store(dst + p * R, _mm256_setzero_ps(), width);
    } else {
        /* Missing rows re-read the last valid one (no branch in the loop, no
         * read outside the source); their lanes are zeroed after the transpose. */
        const float *row[8];
        for (size_t i = 0; i < 8; i++)
            row[i] = src + (i < rows ? i : rows - 1) * ld;
        __m256 keep = _mm256_castsi256_ps(pack_lane_mask(rows));
        for (; p + 8 <= kc; p += 8)
            pack_block8_masked(row, p, keep, width, R, dst);
    }
    pack_steps_scalar(src, ld, rows, width, p, R, kc, dst);
}

/* Panel of width R from `rows` rows of a row-major source whose k index runs
 * along the row (A with ta = 0, B with tb = 1): a transpose.  A panel with
 * R < 8 may write 8 − R floats past R·kc: its buffer has that much room
 * (gemm_driver.h's A panel does). */
static inline void pack_panel_transposed(const float *src, size_t ld, size_t rows, size_t R,
                                         size_t kc, float *dst)
{
    if (rows == R && R % 4 == 0) {
        pack_full_panel_transposed(src, ld, R, kc, dst);
        return;
    }
    for (size_t r0 = 0; r0 < R; r0 += 8) {
        size_t width = R - r0 < 8 ? R - r0 : 8;
        size_t valid = rows > r0 ? rows - r0 : 0;
        if (valid > width)
            valid = width;
        pack_group_transposed(src + r0 * ld, ld, valid, width, R, kc, dst + r0);
    }
}

/* Panel of width R from `cols` columns of a row-major source whose k index runs
 * down the columns (A with ta = 1, B with tb = 0): a strided copy. */
static inline void pack_panel_copied(const float *src, size_t ld, size_t cols, size_t R,
                                     size_t kc, float *dst)
{
    if (cols == R && R % 4 == 0) { /* the hot case: whole vectors, no masks */
        for (size_t p = 0; p < kc; p++) {
            size_t c = 0;
            for (; c + 8 <= R; c += 8)
                _mm256_storeu_ps(dst + p * R + c, _mm256_loadu_ps(src + p * ld + c));
            if (c < R)
                _mm_storeu_ps(dst + p * R + c, _mm_loadu_ps(src + p * ld + c));
        }
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

/* The copied A panel of ta = 1 (op(A)[i][p] = A[p][i]): `readable` columns of
 * each source row can be read from src (the rest of op(A)'s row, >= cols).
 * A panel narrower than a vector (AVX2's 6 rows) is copied with whole-vector
 * stores in step order, each spilling 8 − R floats into the next step, which
 * its own store then overwrites (the panel buffer has 8 floats of room past
 * R·kc, gemm_driver.h): without vmaskmovps stores dX̂ = GP̂ at C = 1000,
 * D = 64 ran 1.06× faster.  Whole loads too where the 8 floats lie inside
 * the row. */
static inline void pack_a_panel_copied(const float *src, size_t ld, size_t cols, size_t readable,
                                       size_t R, size_t kc, float *dst)
{
    if (R >= 8) {
        pack_panel_copied(src, ld, cols, R, kc, dst);
        return;
    }
    if (cols == R && readable >= 8) {
        for (size_t p = 0; p < kc; p++)
            _mm256_storeu_ps(dst + p * R, _mm256_loadu_ps(src + p * ld));
        return;
    }
    __m256i valid = pack_lane_mask(cols); /* lanes past cols load as zero */
    for (size_t p = 0; p < kc; p++)
        _mm256_storeu_ps(dst + p * R, _mm256_maskload_ps(src + p * ld, valid));
}
#define pack_a_panel_copied pack_a_panel_copied

#endif /* DML_PACK_X86_H */
