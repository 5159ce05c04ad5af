/* check_gemm.c — the GEMM kernels of one ISA against the scalar reference:
 * gemm at every tail and across blocks, gemm_acc, and the pre-packed products
 * of the fused proxy step (gemm_pack_b + gemm_packed, gemm_packed_nb).
 * Part of dml_cosine_checks[] (check_cosine.c); tolerances as described there. */
#include "check_util.h"

/* -------------------------------------------------------------------- GEMM */

typedef struct gemm_case {
    int ta, tb;
    size_t m, n, k;
    size_t pad; /* leading dimensions exceed the row length by this much */
    int acc;    /* 1: gemm_acc (C += op(A) op(B)) on a C prefilled with random values */
    int packed; /* 1: op(B) packed by gemm_pack_b, the product by gemm_packed */
} gemm_case;

/* The product under test: gemm, gemm_acc, or gemm_packed on op(B) packed first. */
static int run_gemm_op(const dml_kernels *kern, gemm_case c, const float *A, size_t lda,
                       const float *B, size_t ldb, float *C, size_t ldc, float *work)
{
    if (!c.packed) {
        (c.acc ? kern->gemm_acc : kern->gemm)(c.ta, c.tb, c.m, c.n, c.k, A, lda, B, ldb, C, ldc,
                                              work);
        return 0;
    }
    float *Bp = alloc_floats(kern->gemm_packed_floats(c.n, c.k) + 1);
    if (!Bp)
        return 1;
    kern->gemm_pack_b(c.tb, c.n, c.k, B, ldb, Bp);
    kern->gemm_packed(c.ta, c.tb, c.m, c.n, c.k, A, lda, B, ldb, Bp, C, ldc, work, c.acc);
    free(Bp);
    return 0;
}

/* C (with ldc > n) prefilled with NaN: every C element must be overwritten (no
 * beta), the padding columns left alone, the values within GEMM_TOL·‖a_i‖‖b_j‖. */
static int check_gemm_case(const dml_kernels *kern, gemm_case c, float *work, char *why,
                           size_t whylen)
{
    int status = 0;
    size_t a_rows = c.ta ? c.k : c.m, a_cols = c.ta ? c.m : c.k;
    size_t b_rows = c.tb ? c.n : c.k, b_cols = c.tb ? c.k : c.n;
    size_t lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.n + c.pad;
    float *A = alloc_floats(a_rows * lda), *B = alloc_floats(b_rows * ldb);
    float *C = alloc_floats(c.m * ldc), *want = alloc_floats(c.m * ldc);
    float *norm_a = alloc_floats(c.m), *norm_b = alloc_floats(c.n);
    if (!A || !B || !C || !want || !norm_a || !norm_b)
        FAIL("out of memory");
    fill_random(A, a_rows * lda);
    fill_random(B, b_rows * ldb);
    fill_value(C, c.m * ldc, NAN);
    if (c.acc) { /* the padding stays NaN: gemm_acc must not touch it either */
        for (size_t i = 0; i < c.m; i++)
            fill_random(C + i * ldc, c.n);
        memcpy(want, C, c.m * ldc * sizeof *C);
        dml_gemm_acc_f32_ref(c.ta, c.tb, c.m, c.n, c.k, A, lda, B, ldb, want, ldc, work);
    } else {
        dml_gemm_f32_ref(c.ta, c.tb, c.m, c.n, c.k, A, lda, B, ldb, want, ldc, work);
    }
    /* Rows of op(A), columns of op(B). */
    vector_norms(A, c.m, c.k, c.ta ? 1 : lda, c.ta ? lda : 1, norm_a);
    vector_norms(B, c.n, c.k, c.tb ? ldb : 1, c.tb ? 1 : ldb, norm_b);
    if (run_gemm_op(kern, c, A, lda, B, ldb, C, ldc, work))
        FAIL("out of memory");
    const char *op = c.packed ? (c.acc ? "gemm_packed acc" : "gemm_packed")
                              : c.acc ? "gemm_acc" : "gemm";
    for (size_t i = 0; i < c.m; i++) {
        for (size_t j = 0; j < ldc; j++) {
            float got = C[i * ldc + j];
            if (j >= c.n) {
                if (!isnan(got))
                    FAIL("%s ta=%d tb=%d m=%zu n=%zu k=%zu: wrote padding C[%zu][%zu]", op,
                         c.ta, c.tb, c.m, c.n, c.k, i, j);
                continue;
            }
            /* gemm_acc: plus one rounding of the sum with C's old value (|C| < 1). */
            float tol = GEMM_TOL * norm_a[i] * norm_b[j] + (c.acc ? 1e-6f : 0.0f) + 1e-30f;
            if (!close_enough(got, want[i * ldc + j], tol))
                FAIL("%s ta=%d tb=%d m=%zu n=%zu k=%zu: C[%zu][%zu] = %.9g, ref %.9g (tol %.3g)",
                     op, c.ta, c.tb, c.m, c.n, c.k, i, j, got, want[i * ldc + j], tol);
        }
    }
done:
    free(A), free(B), free(C), free(want), free(norm_a), free(norm_b);
    return status;
}

static int run_gemm_cases(const dml_kernels *kern, const gemm_case *cases, size_t count,
                          char *why, size_t whylen)
{
    float *work = alloc_floats(DML_GEMM_WORK_FLOATS);
    if (!work) {
        snprintf(why, whylen, "out of memory");
        return 1;
    }
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++)
        status = check_gemm_case(kern, cases[i], work, why, whylen);
    free(work);
    return status;
}

/* Every size in every dimension, one dimension at a time (the others small and
 * odd, so every tile has tails), in all four transpose combinations. */
int dml_check_gemm_tails(const dml_kernels *kern, char *why, size_t whylen)
{
    gemm_case cases[N_SIZES * 3 * 4];
    size_t count = 0;
    for (int t = 0; t < 4; t++) {
        int ta = t >> 1, tb = t & 1;
        for (size_t s = 0; s < N_SIZES; s++) {
            size_t z = check_sizes[s];
            cases[count++] = (gemm_case){ ta, tb, z, 13, 29, 3, 0, 0 };
            cases[count++] = (gemm_case){ ta, tb, 11, z, 29, 5, 0, 0 };
            cases[count++] = (gemm_case){ ta, tb, 13, 17, z, 1, 0, 0 };
        }
    }
    return run_gemm_cases(kern, cases, count, why, whylen);
}

/* Several k and n blocks (k > 512 and n·k beyond a 1 MiB packed-B block),
 * tails in m and n, and the degenerate k = 0 (C = 0); both loop orders of
 * gemm_driver.h. */
int dml_check_gemm_blocks(const dml_kernels *kern, char *why, size_t whylen)
{
    const gemm_case cases[] = {
        { 0, 1, 25, 1023, 1000, 7, 0, 0 }, { 1, 0, 15, 1023, 1000, 0, 0, 0 },
        { 0, 0, 13, 1000, 1023, 2, 0, 0 }, { 1, 1, 7, 1000, 1023, 16, 0, 0 },
        { 0, 1, 97, 65, 63, 0, 0, 0 },     { 1, 0, 65, 97, 17, 4, 0, 0 },
        { 0, 0, 5, 7, 0, 2, 0, 0 },        { 1, 1, 1, 1, 0, 0, 0, 0 },
        /* the a-block order (operands past 2 MiB, every A panel packed at
         * once): two n blocks, a k tail, m a multiple of 6 and 12 and not,
         * both op(B), accumulating too */
        { 1, 0, 5, 2000, 300, 3, 0, 0 }, { 1, 1, 6, 1100, 480, 0, 1, 0 },
        { 0, 0, 7, 1100, 501, 1, 0, 0 },
    };
    return run_gemm_cases(kern, cases, sizeof cases / sizeof cases[0], why, whylen);
}

/* gemm_acc at every tail and across k and n blocks (the fused proxy step's
 * shapes: m = 180, n = D, k = a block of proxies), k = 0 leaving C alone. */
int dml_check_gemm_acc(const dml_kernels *kern, char *why, size_t whylen)
{
    gemm_case cases[N_SIZES * 3 * 4 + 6];
    size_t count = 0;
    /* one dimension at a time, as the tails check: n and k both at 1023 made
     * this check alone eight minutes under qemu's Haswell model, and the
     * large n-and-k blocks are the explicit cases below */
    for (int t = 0; t < 4; t++) {
        int ta = t >> 1, tb = t & 1;
        for (size_t s = 0; s < N_SIZES; s++) {
            size_t z = check_sizes[s];
            cases[count++] = (gemm_case){ ta, tb, z, 17, 31, 3, 1, 0 };
            cases[count++] = (gemm_case){ ta, tb, 15, z, 29, 1, 1, 0 };
            cases[count++] = (gemm_case){ ta, tb, 13, 17, z, 2, 1, 0 };
        }
    }
    cases[count++] = (gemm_case){ 1, 0, 180, 512, 192, 0, 1, 0 };
    cases[count++] = (gemm_case){ 0, 0, 180, 512, 97, 0, 1, 0 };
    cases[count++] = (gemm_case){ 0, 1, 25, 1023, 1000, 7, 1, 0 };
    cases[count++] = (gemm_case){ 1, 1, 7, 1000, 1023, 16, 1, 0 };
    cases[count++] = (gemm_case){ 0, 0, 5, 7, 0, 2, 1, 0 };
    cases[count++] = (gemm_case){ 1, 0, 1, 1, 1, 0, 1, 0 };
    return run_gemm_cases(kern, cases, count, why, whylen);
}

/* op(B) packed once in the ISA's layout, then multiplied: every tail in n and
 * k, several n and k blocks, both transposes, plain and accumulating; the
 * fused step's shapes (X̂ as B: n = 180, k = 512 and n = 512, k = 180). */
int dml_check_gemm_packed(const dml_kernels *kern, char *why, size_t whylen)
{
    gemm_case cases[N_SIZES * 3 * 4 + 6];
    size_t count = 0;
    for (int t = 0; t < 4; t++) { /* one dimension at a time (see gemm_acc) */
        int ta = t >> 1, tb = t & 1;
        for (size_t s = 0; s < N_SIZES; s++) {
            size_t z = check_sizes[s];
            cases[count++] = (gemm_case){ ta, tb, 13, z, 29, 3, t & 1, 1 };
            cases[count++] = (gemm_case){ ta, tb, z, 17, 31, 1, !(t & 1), 1 };
            cases[count++] = (gemm_case){ ta, tb, 11, 17, z, 2, t & 1, 1 };
        }
    }
    cases[count++] = (gemm_case){ 0, 1, 192, 180, 512, 0, 0, 1 };
    cases[count++] = (gemm_case){ 1, 0, 192, 512, 180, 0, 0, 1 };
    cases[count++] = (gemm_case){ 0, 1, 25, 1023, 1000, 7, 0, 1 };
    cases[count++] = (gemm_case){ 1, 1, 7, 1000, 1023, 16, 1, 1 };
    cases[count++] = (gemm_case){ 0, 0, 13, 1000, 1023, 2, 1, 1 };
    cases[count++] = (gemm_case){ 0, 0, 5, 7, 0, 2, 1, 1 };
    return run_gemm_cases(kern, cases, count, why, whylen);
}

/* One gemm_packed_nb case: the product's rows through the normalisation's
 * backward, against the reference product and reference backward, row by row
 * in norm (a wrong or missing epilogue is off by O(‖row‖), far above this). */
static int check_packed_nb_case(const dml_kernels *kern, int ta, int tb, size_t m, size_t n,
                                size_t k, size_t pad, float *work, char *why, size_t whylen)
{
    int status = 0;
    size_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    float *A = alloc_floats((ta ? k : m) * lda), *B = alloc_floats((tb ? n : k) * ldb);
    float *C = alloc_floats(m * ldc), *R = alloc_floats(m * ldc), *want = alloc_floats(m * ldc);
    float *Y = alloc_floats(m * n), *inv = alloc_floats(m);
    float *Bp = alloc_floats(kern->gemm_packed_floats(n, k) + 1);
    if (!A || !B || !C || !R || !want || !Y || !inv || !Bp)
        FAIL("out of memory");
    fill_random(A, (ta ? k : m) * lda);
    fill_random(B, (tb ? n : k) * ldb);
    fill_random(Y, m * n);
    for (size_t i = 0; i < m; i++)
        inv[i] = 0.5f + 0.25f * (float)(i % 5);
    fill_value(C, m * ldc, NAN);
    dml_gemm_f32_ref(ta, tb, m, n, k, A, lda, B, ldb, R, ldc, work);
    memcpy(want, R, m * ldc * sizeof *R);
    for (size_t i = 0; i < m; i++)
        dml_normalize_backward_f32_ref(Y + i * n, inv + i, want + i * ldc, 1, n, want + i * ldc);
    kern->gemm_pack_b(tb, n, k, B, ldb, Bp);
    kern->gemm_packed_nb(ta, tb, m, n, k, A, lda, B, ldb, Bp, Y, inv, C, ldc, work);
    /* The product's error is bounded by GEMM_TOL·‖a_i‖‖b_j‖ per entry (as in
     * check_gemm_case, not by |R|, which cancellation can make tiny); the
     * backward maps a row error e to (e − y(y·e))·inv, at most (1 + ‖y‖²)·inv·‖e‖. */
    double bn = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t p = 0; p < k; p++) {
            double v = tb ? B[j * ldb + p] : B[p * ldb + j];
            bn += v * v;
        }
    for (size_t i = 0; i < m; i++) {
        double err = 0, an = 0, yn = 0;
        for (size_t p = 0; p < k; p++) {
            double v = ta ? A[p * lda + i] : A[i * lda + p];
            an += v * v;
        }
        for (size_t j = 0; j < ldc; j++) {
            if (j >= n) {
                if (!isnan(C[i * ldc + j]))
                    FAIL("gemm_packed_nb m=%zu n=%zu k=%zu: wrote padding C[%zu][%zu]", m, n, k, i, j);
                continue;
            }
            double d = (double)C[i * ldc + j] - want[i * ldc + j];
            err += d * d, yn += (double)Y[i * n + j] * Y[i * n + j];
        }
        double tol = 2.0 * GEMM_TOL * sqrt(an * bn) * inv[i] * (1.0 + yn) + 1e-30;
        if (!(sqrt(err) <= tol))
            FAIL("gemm_packed_nb ta=%d tb=%d m=%zu n=%zu k=%zu: row %zu off by %.3g (tol %.3g)", ta,
                 tb, m, n, k, i, sqrt(err), tol);
    }
done:
    free(A), free(B), free(C), free(R), free(want), free(Y), free(inv), free(Bp);
    return status;
}

/* Every odd size in each dimension, the fused step's shape (m = block, n = D,
 * k = M), and n past one n block (the epilogue then runs after the product). */
int dml_check_gemm_packed_nb(const dml_kernels *kern, char *why, size_t whylen)
{
    float *work = alloc_floats(DML_GEMM_WORK_FLOATS);
    int status = work ? 0 : 1;
    if (!work)
        snprintf(why, whylen, "out of memory");
    for (int t = 0; t < 4 && status == 0; t++)
        for (size_t s = 0; s < N_SIZES && status == 0; s++) {
            size_t z = check_sizes[s];
            status = check_packed_nb_case(kern, t >> 1, t & 1, z, 17, 31, 2, work, why, whylen) ||
                     check_packed_nb_case(kern, t >> 1, t & 1, 13, z, 29, 0, work, why, whylen) ||
                     check_packed_nb_case(kern, t >> 1, t & 1, 15, 33, z, 1, work, why, whylen);
        }
    if (status == 0)
        status = check_packed_nb_case(kern, 0, 0, 384, 512, 180, 0, work, why, whylen) ||
                 check_packed_nb_case(kern, 1, 0, 97, 512, 180, 0, work, why, whylen) ||
                 check_packed_nb_case(kern, 0, 0, 25, 1023, 1000, 3, work, why, whylen) ||
                 check_packed_nb_case(kern, 1, 1, 7, 5, 0, 0, work, why, whylen);
    free(work);
    return status;
}

