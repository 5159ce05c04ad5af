/* lse_x86.h — the arithmetic helpers of exp_vec.h and lse_driver.h for the
 * two x86 ISAs, written once: AVX2 and AVX-512 spell every one of them alike
 * but for the width (_mm256_add_ps, _mm512_add_ps), so LSE_X86_OPS(P, VF, VI)
 * defines them for P = _mm256 or _mm512 with float vector VF, int vector VI.
 * Marked unused: AVX-512 scales with vscalefps and never calls the int32
 * shifts, and clang -Wall warns of unused static functions in the .c file. */
#ifndef DML_LSE_X86_H
#define DML_LSE_X86_H

#include <immintrin.h>
#include <stdint.h>

#define LSE_X86_FN static inline __attribute__((unused))
#define LSE_X86_OPS(P, VF, VI)                                                                  \
    typedef VF lse_vf;                                                                          \
    typedef VI lse_vi;                                                                          \
    LSE_X86_FN VF lse_set1(float f) { return P##_set1_ps(f); }                                  \
    LSE_X86_FN VF lse_fma(VF a, VF b, VF c) { return P##_fmadd_ps(a, b, c); }                   \
    LSE_X86_FN VF lse_fnma(VF a, VF b, VF c) { return P##_fnmadd_ps(a, b, c); }                 \
    LSE_X86_FN VF lse_add(VF a, VF b) { return P##_add_ps(a, b); }                              \
    LSE_X86_FN VF lse_sub(VF a, VF b) { return P##_sub_ps(a, b); }                              \
    LSE_X86_FN VF lse_mul(VF a, VF b) { return P##_mul_ps(a, b); }                              \
    /* x86 max/min return the second operand when either is NaN */                              \
    LSE_X86_FN VF lse_max(VF a, VF b) { return P##_max_ps(a, b); }                              \
    LSE_X86_FN VF lse_min(VF a, VF b) { return P##_min_ps(a, b); }                              \
    LSE_X86_FN VI lse_iset1(int32_t i) { return P##_set1_epi32(i); }                            \
    LSE_X86_FN VI lse_iadd(VI a, VI b) { return P##_add_epi32(a, b); }                          \
    LSE_X86_FN VI lse_isub(VI a, VI b) { return P##_sub_epi32(a, b); }                          \
    LSE_X86_FN VI lse_isra1(VI a) { return P##_srai_epi32(a, 1); }                              \
    LSE_X86_FN VI lse_ishl23(VI a) { return P##_slli_epi32(a, 23); }

#endif
