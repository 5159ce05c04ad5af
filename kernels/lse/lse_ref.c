/* lse_ref.c — scalar reference of the masked LSE⁺ kernel and of exp.
 *
 * Three passes over the row: membership and the shift (max z per side), the
 * exponentials exp(z − shift) kept in g, and the weights from those same
 * exponentials — one exp per entry.  See dml.h for the contract. */
#include <math.h>

#include "dml_kernels.h"
#include "lse_sides.h"

void dml_exp_f32_ref(const float *x, size_t n, float *y)
{
    for (size_t j = 0; j < n; j++)
        y[j] = expf(x[j]);
}

/* Which side j belongs to: 1 positive, 2 negative, 0 none. */
static int side_of(const float *s, const int32_t *labels, int32_t c, size_t skip,
                   const dml_lse_side *pos, const dml_lse_side *neg, size_t j)
{
    int32_t lab = labels ? labels[j] : (int32_t)j;
    const dml_lse_side *sd = (lab == c) ? (j == skip ? NULL : pos) : neg;
    if (!sd || !(sd->lo < s[j] && s[j] < sd->hi))
        return 0;
    return lab == c ? 1 : 2;
}

size_t dml_lse_f32_ref(const float *s, size_t n, const int32_t *labels, int32_t c,
                       size_t skip, const dml_lse_side *pos, const dml_lse_side *neg,
                       float out[2], float *g)
{
    const dml_lse_side *sides[3] = { NULL, pos, neg };
    float zmax[3] = { -INFINITY, -INFINITY, -INFINITY };
    size_t count = 0;

    for (size_t j = 0; j < n; j++) {
        int k = side_of(s, labels, c, skip, pos, neg, j);
        if (k) {
            float z = sides[k]->a * s[j] + sides[k]->b;
            if (z > zmax[k])
                zmax[k] = z;
            count++;
        }
    }

    float shift[3] = { 0.0f, 0.0f, 0.0f }, sum[3] = { 0.0f, 0.0f, 0.0f };
    for (int k = 1; k <= 2; k++) /* the sums start from the shifted "1 +" of LSE⁺ */
        lse_side_shift(sides[k], zmax[k], &shift[k], &sum[k]);

    for (size_t j = 0; j < n; j++) {
        int k = side_of(s, labels, c, skip, pos, neg, j);
        float e = 0.0f;
        if (k) {
            e = expf(sides[k]->a * s[j] + sides[k]->b - shift[k]);
            sum[k] += e;
        }
        g[j] = e;
    }

    float lse[3] = { 0.0f, 0.0f, 0.0f }, scale[3] = { 0.0f, 0.0f, 0.0f };
    for (int k = 1; k <= 2; k++) /* exp(z − lse) = exp(z − shift) / sum */
        lse_side_finish(sides[k], zmax[k], shift[k], sum[k], &lse[k], &scale[k]);

    for (size_t j = 0; j < n; j++) {
        if (g[j] != 0.0f)
            g[j] *= scale[side_of(s, labels, c, skip, pos, neg, j)];
    }
    out[0] = lse[1];
    out[1] = lse[2];
    return count;
}
