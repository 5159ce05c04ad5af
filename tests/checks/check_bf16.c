/* check_bf16.c — the bf16 kernels of one ISA against the scalar reference
 * (dml_bf16_checks[], run by test_bf16.c and by check_driver under qemu).
 *
 * normalize_bf16 must give the bits of the same ISA's float32 normalize on
 * the widened rows (it is defined as that).  gemm_bf16 sums exact float32
 * products in another order (and, on avx512bf16, in pairs): within the GEMM
 * tolerance of check_cosine.c, 1e-5·‖a‖‖b‖ times the scales. */
#include "bf16_loss.h"
#include "check_util.h"

/* Random bf16: a random float rounded by the library's own rounding. */
static void fill_bf16(uint16_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = rand_signed();
        dml_bf16_round(&x, 1, h + i);
    }
}

static int check_normalize_bf16(const dml_kernels *kern, char *why, size_t whylen)
{
    int status = 0;
    size_t n = 5, dmax = 1023;
    uint16_t *X = malloc(n * dmax * sizeof *X);
    float *W = alloc_floats(n * dmax), *Y = alloc_floats(n * dmax), *want = alloc_floats(n * dmax);
    float inv[5], winv[5];
    if (!X || !W || !Y || !want)
        FAIL("out of memory");
    for (size_t s = 0; s < N_SIZES; s++) {
        size_t d = check_sizes[s];
        fill_bf16(X, n * d);
        memset(X + 2 * d, 0, d * sizeof *X); /* a zero row: 0 out, 1e12 inverse norm */
        dml_bf16_widen(X, n * d, W);
        kern->normalize(W, n, d, want, winv);
        kern->normalize_bf16(X, n, d, Y, inv);
        if (memcmp(Y, want, n * d * sizeof *Y) != 0 || memcmp(inv, winv, sizeof inv) != 0)
            FAIL("normalize_bf16 d=%zu: not the bits of normalize on the widened rows", d);
    }
done:
    free(X), free(W), free(Y), free(want);
    return status;
}

static int gemm_case(const dml_kernels *kern, size_t m, size_t n, size_t k, int scale,
                     float *work, char *why, size_t whylen)
{
    int status = 0;
    size_t lda = k + 3, ldb = k + 1, ldc = n + 2;
    uint16_t *A = malloc((m * lda + 1) * sizeof *A), *B = malloc((n * ldb + 1) * sizeof *B);
    float *C = alloc_floats(m * ldc), *want = alloc_floats(m * ldc);
    float *rs = alloc_floats(m), *cs = alloc_floats(n);
    float *Aw = alloc_floats(m * lda + 1), *Bw = alloc_floats(n * ldb + 1);
    float *na = alloc_floats(m), *nb = alloc_floats(n);
    if (!A || !B || !C || !want || !rs || !cs || !Aw || !Bw || !na || !nb)
        FAIL("out of memory");
    fill_bf16(A, m * lda);
    fill_bf16(B, n * ldb);
    for (size_t i = 0; i < m; i++)
        rs[i] = 0.5f + (float)i / (float)m;
    for (size_t j = 0; j < n; j++)
        cs[j] = 2.0f - (float)j / (float)n;
    dml_bf16_widen(A, m * lda, Aw);
    dml_bf16_widen(B, n * ldb, Bw);
    vector_norms(Aw, m, k, lda, 1, na);
    vector_norms(Bw, n, k, ldb, 1, nb);
    fill_value(C, m * ldc, NAN);
    const float *r = scale & 1 ? rs : NULL, *c = scale & 2 ? cs : NULL;
    dml_gemm_bf16_ref(m, n, k, A, lda, B, ldb, r, c, want, ldc, work);
    kern->gemm_bf16(m, n, k, A, lda, B, ldb, r, c, C, ldc, work);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < ldc; j++) {
            float got = C[i * ldc + j];
            if (j >= n) {
                if (!isnan(got))
                    FAIL("gemm_bf16 %zux%zux%zu: wrote padding C[%zu][%zu]", m, n, k, i, j);
                continue;
            }
            float tol = GEMM_TOL * na[i] * nb[j] * (r ? r[i] : 1.0f) * (c ? c[j] : 1.0f) + 1e-30f;
            if (!close_enough(got, want[i * ldc + j], tol))
                FAIL("gemm_bf16 %zux%zux%zu scale %d: C[%zu][%zu] = %.9g, ref %.9g (tol %.3g)", m,
                     n, k, scale, i, j, got, want[i * ldc + j], tol);
        }
done:
    free(A), free(B), free(C), free(want), free(rs), free(cs), free(Aw), free(Bw), free(na), free(nb);
    return status;
}

/* m, n and k at every size (odd k: the last pair's half), every scaling,
 * k = 0, and a B wider than one chunk of the work buffer. */
static int check_gemm_bf16(const dml_kernels *kern, char *why, size_t whylen)
{
    float *work = alloc_floats(DML_GEMM_WORK_FLOATS);
    int status = work ? 0 : 1;
    if (!work)
        snprintf(why, whylen, "out of memory");
    for (size_t s = 0; s < N_SIZES && status == 0; s++) {
        size_t z = check_sizes[s] > 200 ? 200 : check_sizes[s];
        status = gemm_case(kern, z, 37, 29, (int)s % 4, work, why, whylen);
        if (!status)
            status = gemm_case(kern, 13, z, 64, 3, work, why, whylen);
        if (!status)
            status = gemm_case(kern, 7, 33, check_sizes[s], (int)(s + 1) % 4, work, why, whylen);
    }
    if (!status)
        status = gemm_case(kern, 5, 9, 0, 3, work, why, whylen);
    if (!status)
        status = gemm_case(kern, 8, 1200, 1023, 1, work, why, whylen);
    free(work);
    return status;
}

/* The bf16 step against the float32 step on random problems of the golden
 * shapes (check_bf16_loss.c has the bound), so that the emulated drivers
 * check it too; the golden cases themselves: test_bf16.c. */
static int check_loss_bound(const dml_kernels *kern, char *why, size_t whylen)
{
    static const struct { dml_loss loss; size_t M, C, D; float a; } shapes[] = {
        { DML_LOSS_PROXY_ANCHOR, 60, 100, 64, 32.0f }, { DML_LOSS_PROXY_ANCHOR, 12, 7, 17, 32.0f },
        { DML_LOSS_PROXY_ANCHOR, 24, 10, 48, 128.0f }, { DML_LOSS_PROXY_NCA, 16, 9, 24, 32.0f },
        { DML_LOSS_PROXY_NCA, 7, 3, 5, 8.0f }, { DML_LOSS_NORMALIZED_SOFTMAX, 45, 100, 33, 0.05f },
    };
    int status = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0] && status == 0; s++) {
        size_t M = shapes[s].M, C = shapes[s].C, D = shapes[s].D;
        dml_params p = dml_params_default(shapes[s].loss);
        if (shapes[s].loss == DML_LOSS_PROXY_ANCHOR) p.u.pa.alpha = shapes[s].a;
        else if (shapes[s].loss == DML_LOSS_PROXY_NCA) p.u.nca.scale = shapes[s].a;
        else p.u.ns.temperature = shapes[s].a;
        float *X = alloc_floats(M * D), *P = alloc_floats(C * D);
        int32_t *y = malloc(M * sizeof *y);
        bf16_err e;
        if (!X || !P || !y)
            FAIL("out of memory");
        fill_random(X, M * D);
        fill_random(P, C * D);
        for (size_t i = 0; i < M; i++)
            y[i] = (int32_t)((i * 7) % C);
        if (dml_bf16_loss_errors(&p, M, C, D, X, y, P, kern->isa, 1, 0, &e, why, whylen))
            status = 1;
        else if (e.value_ratio > 1 || e.dx_ratio > 1 || e.dp_ratio > 1 || e.value_rel > 1e-2)
            snprintf(why, whylen, "%s M=%zu C=%zu D=%zu: L %.3g relative; of the bound: L %.3g, "
                     "dX %.3g, dP %.3g", dml_loss_name(p.loss), M, C, D, e.value_rel,
                     e.value_ratio, e.dx_ratio, e.dp_ratio), status = 1;
    done:
        free(X), free(P), free(y);
    }
    return status;
}

const dml_check dml_bf16_checks[] = {
    { "normalize_bf16", check_normalize_bf16 },
    { "gemm_bf16", check_gemm_bf16 },
    { "loss_bound", check_loss_bound },
    { NULL, NULL },
};
