/* dml_kernels.h — every kernel of every ISA by its explicit name, so each one
 * can be called, tested and benchmarked directly.  Signatures are those of the
 * dml_kernels table in dml.h; only call an ISA's kernels when
 * dml_isa_supported() says the CPU can run them. */
#ifndef DML_KERNELS_H
#define DML_KERNELS_H

#include "dml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DML_DECLARE_KERNELS(isa)                                                     \
    void dml_normalize_f32_##isa(const float *X, size_t n, size_t d, float *Y,         \
                                 float *inv_norm);                                      \
    void dml_normalize_backward_f32_##isa(const float *Y, const float *inv_norm,       \
                                          const float *G, size_t n, size_t d,          \
                                          float *dX);                                   \
    void dml_gemm_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,              \
                            const float *A, size_t lda, const float *B, size_t ldb,    \
                            float *C, size_t ldc, float *work);                        \
    void dml_syrk_f32_##isa(size_t n, size_t k, const float *A, size_t lda, float *C,  \
                            size_t ldc, float *work);                                  \
    size_t dml_lse_f32_##isa(const float *s, size_t n, const int32_t *labels,          \
                             int32_t c, size_t skip, const dml_lse_side *pos,          \
                             const dml_lse_side *neg, float out[2], float *g);         \
    void dml_exp_f32_##isa(const float *x, size_t n, float *y);                       \
    void dml_gemm_acc_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,          \
                                const float *A, size_t lda, const float *B, size_t ldb,\
                                float *C, size_t ldc, float *work);                    \
    size_t dml_gemm_packed_floats_f32_##isa(size_t n, size_t k);                       \
    void dml_gemm_pack_b_f32_##isa(int tb, size_t n, size_t k, const float *B,         \
                                   size_t ldb, float *Bp);                             \
    void dml_gemm_packed_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,       \
                                   const float *A, size_t lda, const float *B,         \
                                   size_t ldb, const float *Bp, float *C, size_t ldc,  \
                                   float *work, int accumulate);                       \
    void dml_gemm_packed_nb_f32_##isa(int ta, int tb, size_t m, size_t n, size_t k,    \
                                      const float *A, size_t lda, const float *B,      \
                                      size_t ldb, const float *Bp, const float *Y,     \
                                      const float *inv, float *C, size_t ldc,          \
                                      float *work);                                    \
    void dml_normalize_bf16_##isa(const uint16_t *X, size_t n, size_t d, float *Y,       \
                                  float *inv_norm);                                    \
    void dml_gemm_bf16_##isa(size_t m, size_t n, size_t k, const uint16_t *A, size_t lda, \
                             const uint16_t *B, size_t ldb, const float *rs,           \
                             const float *cs, float *C, size_t ldc, float *work);

/* Every instruction set, one row each: the suffix of its kernels, its id in
 * dml_isa, its parent (`none`, or a row above it whose kernels it inherits),
 * and the field of the CPU detection (kernels/cpu/cpu.h) that says the
 * machine runs it.  The names, the dispatch tables, the support checks and
 * the per-ISA tests are all generated from these rows, so a new ISA is its
 * kernel files, a value in dml_isa and one row here (plus its build flags).
 * A row with a parent may bring only some kernel families (say a GEMM,
 * kernels/cosine/cosine_<isa>.c, and no LSE file): the build takes the others
 * from the parent (ISA_PROVIDER, mk/isa.mk), and the ISA is supported only
 * where the parent is too (dispatch.c).  docs/extending.md, "Add an ISA". */
#define DML_ISA_ROWS(X)                       \
    X(ref, DML_ISA_REF, none, always)         \
    X(avx2, DML_ISA_AVX2, none, avx2)         \
    X(avx512, DML_ISA_AVX512, none, avx512)   \
    X(neon, DML_ISA_NEON, none, neon)         \
    X(avx512bf16, DML_ISA_AVX512BF16, avx512, avx512bf16)

#define DML_DECLARE_KERNELS_ROW(name, id, parent, feature) DML_DECLARE_KERNELS(name)
DML_ISA_ROWS(DML_DECLARE_KERNELS_ROW)

#ifdef __cplusplus
}
#endif
#endif /* DML_KERNELS_H */
