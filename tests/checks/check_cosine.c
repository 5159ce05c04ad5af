/* check_cosine.c — the cosine kernels of one ISA against the scalar reference.
 *
 * Free of Criterion: the Criterion suite (test_cosine.c) and the standalone
 * driver that runs under qemu both walk dml_cosine_checks[].
 *
 * Tolerances.  A SIMD kernel sums the same products as the reference in
 * another order (and with fused multiply-adds), so the two differ by float32
 * rounding of reassociated sums.  The classic bound for a k-term dot product
 * is |ĉ − c| ≤ γ_k Σ|a||b|, γ_k ≈ k·2⁻²⁴; on random data the error grows like
 * √k·2⁻²⁴.  We allow 1e-5·‖a‖‖b‖ (Cauchy–Schwarz: ‖a‖‖b‖ ≥ Σ|a||b|, and costs
 * O(k) rather than a second reference product; on uniform data it is only 4/3
 * of Σ|a||b|).  That is above √1023·6e-8 ≈ 2e-6 with margin, yet a single
 * missing or doubled term of a 1000-term sum is ~1e-3·‖a‖‖b‖. */
#include "check_util.h"

/* -------------------------------------------------------------------- SYRK */

static int check_syrk_case(const dml_kernels *kern, size_t n, size_t k, size_t pad, float *work,
                           char *why, size_t whylen)
{
    int status = 0;
    size_t lda = k + pad, ldc = n + pad;
    float *A = alloc_floats(n * lda), *C = alloc_floats(n * ldc), *want = alloc_floats(n * ldc);
    float *norm = alloc_floats(n);
    if (!A || !C || !want || !norm)
        FAIL("out of memory");
    fill_random(A, n * lda);
    fill_value(C, n * ldc, NAN);
    dml_syrk_f32_ref(n, k, A, lda, want, ldc, work);
    vector_norms(A, n, k, lda, 1, norm);
    kern->syrk(n, k, A, lda, C, ldc, work);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ldc; j++) {
            float got = C[i * ldc + j];
            if (j >= n) {
                if (!isnan(got))
                    FAIL("syrk n=%zu k=%zu: wrote padding C[%zu][%zu]", n, k, i, j);
                continue;
            }
            float tol = GEMM_TOL * norm[i] * norm[j] + 1e-30f;
            if (!close_enough(got, want[i * ldc + j], tol))
                FAIL("syrk n=%zu k=%zu: C[%zu][%zu] = %.9g, ref %.9g (tol %.3g)", n, k, i, j, got,
                     want[i * ldc + j], tol);
            /* Bitwise, so NaN == NaN would not pass as "symmetric" by accident. */
            if (memcmp(&C[i * ldc + j], &C[j * ldc + i], sizeof(float)) != 0)
                FAIL("syrk n=%zu k=%zu: C[%zu][%zu] = %.9g but C[%zu][%zu] = %.9g (not symmetric)",
                     n, k, i, j, got, j, i, C[j * ldc + i]);
        }
    }
done:
    free(A), free(C), free(want), free(norm);
    return status;
}

/* n at every size (k small), k at every size (n = 65), and one case whose
 * rows span more than one packed block (n·k > 2^18 with k = 512). */
static int check_syrk(const dml_kernels *kern, char *why, size_t whylen)
{
    float *work = alloc_floats(DML_GEMM_WORK_FLOATS);
    if (!work) {
        snprintf(why, whylen, "out of memory");
        return 1;
    }
    int status = 0;
    for (size_t s = 0; s < N_SIZES && status == 0; s++)
        status = check_syrk_case(kern, check_sizes[s], 23, 3, work, why, whylen);
    for (size_t s = 0; s < N_SIZES && status == 0; s++)
        status = check_syrk_case(kern, 65, check_sizes[s], 0, work, why, whylen);
    if (status == 0)
        status = check_syrk_case(kern, 530, 512, 1, work, why, whylen);
    if (status == 0)
        status = check_syrk_case(kern, 9, 0, 0, work, why, whylen);
    free(work);
    return status;
}

/* ---------------------------------------------------------------- normalise */

/* Rows of random data at every d, row 2 all zeros (output 0, inv_norm 1e12). */
static int check_normalize(const dml_kernels *kern, char *why, size_t whylen)
{
    enum { ROWS = 5, ZERO_ROW = 2 };
    int status = 0;
    size_t dmax = 1023;
    float *X = alloc_floats(ROWS * dmax), *Y = alloc_floats(ROWS * dmax);
    float *want = alloc_floats(ROWS * dmax), inv[ROWS], inv_want[ROWS];
    if (!X || !Y || !want)
        FAIL("out of memory");
    for (size_t s = 0; s < N_SIZES; s++) {
        size_t d = check_sizes[s];
        fill_random(X, ROWS * d);
        fill_value(X + ZERO_ROW * d, d, 0.0f);
        fill_value(Y, ROWS * d, NAN);
        dml_normalize_f32_ref(X, ROWS, d, want, inv_want);
        kern->normalize(X, ROWS, d, Y, inv);
        /* Positive terms: relative error ~√d·2⁻²⁴ on random data. */
        float rel = 1e-6f * sqrtf((float)d) + 2.4e-7f;
        for (size_t i = 0; i < ROWS; i++) {
            if (!close_enough(inv[i], inv_want[i], rel * inv_want[i]))
                FAIL("normalize d=%zu: inv_norm[%zu] = %.9g, ref %.9g", d, i, inv[i], inv_want[i]);
            for (size_t j = 0; j < d; j++) {
                float got = Y[i * d + j], ref = want[i * d + j];
                if (!close_enough(got, ref, rel * fabsf(ref) + 1e-30f))
                    FAIL("normalize d=%zu: Y[%zu][%zu] = %.9g, ref %.9g", d, i, j, got, ref);
                if (i == ZERO_ROW && got != 0.0f)
                    FAIL("normalize d=%zu: zero row gives Y[%zu][%zu] = %g, not 0", d, i, j, got);
            }
        }
    }
done:
    free(X), free(Y), free(want);
    return status;
}

/* d = 1: x / |x| is exactly ±1 (a true division); 0 stays 0.  For 1.85, 2.59,
 * 7.4 and 10.36, x · (1/x) rounds to 0.99999994, so a kernel that multiplies by
 * the reciprocal fails here. */
static int check_normalize_d1(const dml_kernels *kern, char *why, size_t whylen)
{
    const float x[] = { 0.5f, -2.0f, 3e-5f, -7.25e9f, 1.0f,  -1e-3f, 0.0f,
                        123.456f, -0.1f, 1.85f, -2.59f, 7.4f, -10.36f };
    enum { N = sizeof x / sizeof x[0] };
    float y[N], inv[N];
    kern->normalize(x, N, 1, y, inv);
    for (size_t i = 0; i < N; i++) {
        float want = x[i] > 0 ? 1.0f : x[i] < 0 ? -1.0f : 0.0f;
        if (y[i] != want) {
            snprintf(why, whylen, "normalize d=1: x = %g gives %.9g, not %g", x[i], y[i], want);
            return 1;
        }
    }
    return 0;
}

/* dX = (G − Y (Y·G)) · inv_norm, at every d, out of place and with dX == G. */
static int check_normalize_backward(const dml_kernels *kern, char *why, size_t whylen)
{
    enum { ROWS = 5 };
    int status = 0;
    size_t dmax = 1023;
    float *X = alloc_floats(ROWS * dmax), *Y = alloc_floats(ROWS * dmax);
    float *G = alloc_floats(ROWS * dmax), *dX = alloc_floats(ROWS * dmax);
    float *want = alloc_floats(ROWS * dmax), inv[ROWS];
    if (!X || !Y || !G || !dX || !want)
        FAIL("out of memory");
    for (size_t s = 0; s < N_SIZES; s++) {
        size_t d = check_sizes[s];
        fill_random(X, ROWS * d);
        for (size_t i = 0; i < ROWS * d; i++)
            X[i] *= 3.0f; /* norms away from 1, so inv_norm matters */
        dml_normalize_f32_ref(X, ROWS, d, Y, inv);
        fill_random(G, ROWS * d);
        dml_normalize_backward_f32_ref(Y, inv, G, ROWS, d, want);
        for (int aliased = 0; aliased < 2; aliased++) {
            float *out = aliased ? G : dX;
            float *saved = aliased ? dX : NULL;
            if (aliased) /* keep G to restore, run in place */
                memcpy(saved, G, ROWS * d * sizeof(float));
            else
                fill_value(dX, ROWS * d, NAN);
            kern->normalize_backward(Y, inv, G, ROWS, d, out);
            for (size_t i = 0; i < ROWS; i++) {
                const float *y = Y + i * d, *g = aliased ? saved + i * d : G + i * d;
                float dot_bound = 0.0f;
                for (size_t j = 0; j < d; j++)
                    dot_bound += fabsf(y[j] * g[j]);
                for (size_t j = 0; j < d; j++) {
                    float tol = GEMM_TOL * (fabsf(g[j]) + fabsf(y[j]) * dot_bound) * inv[i] + 1e-30f;
                    float got = out[i * d + j], ref = want[i * d + j];
                    if (!close_enough(got, ref, tol))
                        FAIL("normalize_backward d=%zu%s: dX[%zu][%zu] = %.9g, ref %.9g (tol %.3g)",
                             d, aliased ? " (dX == G)" : "", i, j, got, ref, tol);
                }
            }
            if (aliased)
                memcpy(G, saved, ROWS * d * sizeof(float));
        }
    }
done:
    free(X), free(Y), free(G), free(dX), free(want);
    return status;
}

/* -------------------------------------------------------------------- NaN */

/* A NaN in one input must reach exactly the outputs that depend on it: row r
 * of op(A) → row r of C; column c of op(B) → column c of C; row r of A in SYRK
 * → row and column r; anywhere in a row of G → that row of dX; an element of X
 * → at least that element of Y (the reference clamps a NaN norm to 1e-12). */
static int check_nan_gemm(const dml_kernels *kern, int ta, int tb, float *work, char *why,
                          size_t whylen)
{
    enum { M = 37, N = 41, K = 35, BAD_ROW = 13, BAD_COL = 34, BAD_P = 20 };
    int status = 0;
    float *A = alloc_floats(M * K), *B = alloc_floats(K * N), *C = alloc_floats(M * N);
    if (!A || !B || !C)
        FAIL("out of memory");
    fill_random(A, M * K);
    fill_random(B, K * N);
    A[ta ? BAD_P * M + BAD_ROW : BAD_ROW * K + BAD_P] = NAN;
    B[tb ? BAD_COL * K + BAD_P : BAD_P * N + BAD_COL] = NAN;
    kern->gemm(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, C, N, work);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            if (isnan(C[i * N + j]) != (i == BAD_ROW || j == BAD_COL))
                FAIL("gemm ta=%d tb=%d: NaN in row %d of op(A), column %d of op(B): C[%zu][%zu] = %g",
                     ta, tb, BAD_ROW, BAD_COL, i, j, C[i * N + j]);
done:
    free(A), free(B), free(C);
    return status;
}

static int check_nan_syrk(const dml_kernels *kern, float *work, char *why, size_t whylen)
{
    enum { N = 45, K = 33, BAD_ROW = 40 };
    int status = 0;
    float *A = alloc_floats(N * K), *C = alloc_floats(N * N);
    if (!A || !C)
        FAIL("out of memory");
    fill_random(A, N * K);
    A[BAD_ROW * K + 7] = NAN;
    kern->syrk(N, K, A, K, C, N, work);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            if (isnan(C[i * N + j]) != (i == BAD_ROW || j == BAD_ROW))
                FAIL("syrk: NaN in row %d of A: C[%zu][%zu] = %g", BAD_ROW, i, j, C[i * N + j]);
done:
    free(A), free(C);
    return status;
}

static int check_nan_normalize(const dml_kernels *kern, char *why, size_t whylen)
{
    enum { ROWS = 4, D = 37, BAD_ROW = 1, BAD_COL = 33 };
    float X[ROWS * D], Y[ROWS * D], G[ROWS * D], dX[ROWS * D], inv[ROWS];
    fill_random(X, ROWS * D);
    X[BAD_ROW * D + BAD_COL] = NAN;
    kern->normalize(X, ROWS, D, Y, inv);
    if (!isnan(Y[BAD_ROW * D + BAD_COL])) {
        snprintf(why, whylen, "normalize: NaN in X[%d][%d] gives Y = %g", BAD_ROW, BAD_COL,
                 Y[BAD_ROW * D + BAD_COL]);
        return 1;
    }
    for (size_t i = 0; i < ROWS * D; i++)
        if (i / D != BAD_ROW && isnan(Y[i])) {
            snprintf(why, whylen, "normalize: NaN in row %d leaks into Y[%zu][%zu]", BAD_ROW,
                     i / D, i % D);
            return 1;
        }
    fill_random(X, ROWS * D);
    dml_normalize_f32_ref(X, ROWS, D, Y, inv);
    fill_random(G, ROWS * D);
    G[BAD_ROW * D + 5] = NAN;
    kern->normalize_backward(Y, inv, G, ROWS, D, dX);
    for (size_t i = 0; i < ROWS * D; i++)
        if ((i / D == BAD_ROW) != (isnan(dX[i]) != 0)) {
            snprintf(why, whylen, "normalize_backward: NaN in row %d of G: dX[%zu][%zu] = %g",
                     BAD_ROW, i / D, i % D, dX[i]);
            return 1;
        }
    return 0;
}

static int check_nan(const dml_kernels *kern, char *why, size_t whylen)
{
    float *work = alloc_floats(DML_GEMM_WORK_FLOATS);
    if (!work) {
        snprintf(why, whylen, "out of memory");
        return 1;
    }
    int status = 0;
    for (int t = 0; t < 4 && status == 0; t++)
        status = check_nan_gemm(kern, t >> 1, t & 1, work, why, whylen);
    if (status == 0)
        status = check_nan_syrk(kern, work, why, whylen);
    if (status == 0)
        status = check_nan_normalize(kern, why, whylen);
    free(work);
    return status;
}

/* An empty C (m, n or SYRK's n zero, any k) is a no-op: nothing is written,
 * nothing is divided by its size. */
static int check_empty(const dml_kernels *kern, char *why, size_t whylen)
{
    float A[64], B[64], C[64], *work = malloc(DML_GEMM_WORK_FLOATS * sizeof(float));
    if (!work) {
        snprintf(why, whylen, "out of memory");
        return 1;
    }
    for (int i = 0; i < 64; i++) A[i] = B[i] = 1.0f, C[i] = 42.0f;
    const size_t shapes[][3] = { { 0, 4, 3 }, { 4, 0, 3 }, { 0, 0, 3 }, { 0, 4, 0 } };
    for (size_t s = 0; s < 4; s++)
        for (int t = 0; t < 4; t++) {
            kern->gemm(t >> 1, t & 1, shapes[s][0], shapes[s][1], shapes[s][2], A, 8, B, 8, C, 8, work);
            kern->gemm_acc(t >> 1, t & 1, shapes[s][0], shapes[s][1], shapes[s][2], A, 8, B, 8,
                           C, 8, work);
        }
    kern->syrk(0, 3, A, 8, C, 8, work);
    free(work);
    for (int i = 0; i < 64; i++)
        if (C[i] != 42.0f) {
            snprintf(why, whylen, "an empty product wrote C[%d]", i);
            return 1;
        }
    return 0;
}

const dml_check dml_cosine_checks[] = {
    { "empty", check_empty },
    { "gemm_tails", dml_check_gemm_tails },
    { "gemm_blocks", dml_check_gemm_blocks },
    { "gemm_acc", dml_check_gemm_acc },
    { "gemm_packed", dml_check_gemm_packed },
    { "gemm_packed_nb", dml_check_gemm_packed_nb },
    { "syrk", check_syrk },
    { "normalize", check_normalize },
    { "normalize_d1", check_normalize_d1 },
    { "normalize_backward", check_normalize_backward },
    { "nan_propagation", check_nan },
    { NULL, NULL },
};
