/* adamw.c — torch.optim.AdamW (amsgrad off), step for step:
 *   p ← p·(1 − lr·wd)                      decoupled weight decay, first
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 * The bias corrections are formed in double, as torch forms them in Python. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/train.h"

int adamw_init(adamw *a, size_t n, float lr, float wd, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    if (!(lr > 0) || !isfinite(lr) || !(wd >= 0) || !isfinite(wd)) {
        snprintf(err, errlen, "AdamW: learning rate %g and weight decay %g must be finite, lr > 0",
                 (double)lr, (double)wd);
        return 1;
    }
    a->n = n;
    a->lr = lr, a->wd = wd;
    a->beta1 = 0.9f, a->beta2 = 0.999f, a->eps = 1e-8f;
    a->m = calloc(n ? n : 1, sizeof(float));
    a->v = calloc(n ? n : 1, sizeof(float));
    if (!a->m || !a->v) {
        adamw_free(a);
        snprintf(err, errlen, "AdamW: out of memory for %zu parameters", n);
        return 1;
    }
    return 0;
}

void adamw_free(adamw *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

/* One step's constants: the bias corrections and the decay, for step a->t. */
typedef struct adamw_k { float step, inv_sqrt_bc2, decay; } adamw_k;

static adamw_k constants(const adamw *a)
{
    double bc1 = 1.0 - pow((double)a->beta1, (double)a->t);
    double bc2 = 1.0 - pow((double)a->beta2, (double)a->t);
    return (adamw_k){ (float)(a->lr / bc1), (float)(1.0 / sqrt(bc2)), 1.0f - a->lr * a->wd };
}

/* Elements [lo, hi) of p, m and v. */
static void update(adamw *a, const adamw_k *k, float *p, const float *g, size_t lo, size_t hi)
{
    float step = k->step, inv_sqrt_bc2 = k->inv_sqrt_bc2, decay = k->decay;
    float b1 = a->beta1, b2 = a->beta2, c1 = 1.0f - b1, c2 = 1.0f - b2, eps = a->eps;
    float *restrict pp = p, *restrict m = a->m, *restrict v = a->v;
    const float *restrict gg = g;
    /* One pass, element-wise: the compiler vectorises it (the train room is
     * built with -fno-math-errno, so sqrtf is one instruction; IEEE results
     * are unchanged). */
#pragma omp simd
    for (size_t i = lo; i < hi; i++) {
        float gi = gg[i];
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi, v[i] = vi;
        pp[i] = pp[i] * decay - step * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
}

void adamw_step(adamw *a, float *p, const float *g)
{
    a->t++;
    adamw_k k = constants(a);
    update(a, &k, p, g, 0, a->n);
}

void adamw_step_rows(adamw *a, float *p, const float *g, size_t d, const int32_t *rows, size_t n)
{
    a->t++;
    adamw_k k = constants(a);
    for (size_t j = 0; j < n; j++)
        update(a, &k, p, g, (size_t)rows[j] * d, (size_t)rows[j] * d + d);
}
