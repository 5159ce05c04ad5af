/* bf16_x86.h — the float32 vector operations bf16_driver.h asks for, for the
 * two x86 ISAs, written once: AVX2 and AVX-512 spell every one of them alike
 * but for the width (_mm256_fmadd_ps, _mm512_fmadd_ps), so BF_X86_OPS(P, VF)
 * defines bf_vec and them for P = _mm256 or _mm512 with float vector VF (the
 * way lse_x86.h does for the LSE).  Each is one intrinsic in a static inline
 * function, as written out by hand before: the same code comes out. */
#ifndef DML_BF16_X86_H
#define DML_BF16_X86_H

#include <immintrin.h>

#define BF_X86_OPS(P, VF)                                                                       \
    typedef VF bf_vec;                                                                          \
    static inline bf_vec bf_zero(void) { return P##_setzero_ps(); }                             \
    static inline bf_vec bf_load(const float *p) { return P##_loadu_ps(p); }                    \
    static inline void bf_store(float *p, bf_vec v) { P##_storeu_ps(p, v); }                    \
    static inline bf_vec bf_set1(float x) { return P##_set1_ps(x); }                            \
    static inline bf_vec bf_fma(bf_vec a, bf_vec b, bf_vec c) { return P##_fmadd_ps(a, b, c); }

#endif
