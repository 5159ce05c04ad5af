/* dml_sample.h — sampled proxies, part of the public API (dml.h includes it).
 * Its own header as bf16 and the losses' table have theirs: dml.h stays one
 * room per family. */
#ifndef DML_SAMPLE_H
#define DML_SAMPLE_H

#include "dml.h" /* dml_status, dml_ctx: a no-op when dml.h includes this */

/* ------------------------------------------------------- sampled proxies
 *
 * A proxy loss with proxy_sample r < 1 (Proxy-Anchor, Proxy-NCA) runs each
 * step on a sample of the classes, Partial FC's rule (An et al., 2021): every
 * class with a positive in the batch, plus a uniform draw without replacement
 * of the others, n = max(ceil(r·C), positives) in all.  The step is exactly
 * the loss over the sampled rows of P (gathered, the labels renumbered, the
 * ordinary step run on them); rows not sampled get a zero gradient
 * (docs/losses.md, "Sampled proxies").  A context is made for one r. */

/* ceil(r·C) with r·C rounded to float first (so that r = 0.1 at C = 10⁶ gives
 * 10⁵, not 10⁵ + 1 from 0.1f's binary excess), at least 1 and at most C;
 * 0 when r is not in (0, 1]. */
size_t dml_proxy_sample_count(size_t C, float r);
/* The sample for labels y (M, in [0, C)) at ratio r and seed: the sampled
 * classes in increasing order into idx (room for C), their number returned
 * (max(dml_proxy_sample_count, positives)); 0 with the message set for a bad
 * r or a label outside [0, C).  mark: C bytes of scratch.  The same
 * (y, C, r, seed) always gives the same sample. */
size_t dml_proxy_sample(const int32_t *y, size_t M, size_t C, float r, uint64_t seed,
                        unsigned char *mark, int32_t *idx);
/* A sampled context draws step t's sample with seed mix(seed, t): this sets
 * the seed and starts t again at 0 (a new context: seed 0). */
dml_status dml_ctx_set_sample_seed(dml_ctx *ctx, uint64_t seed);
/* The classes the last step sampled (increasing) and their number; for a
 * context that does not sample, NULL and 0.  The seed the step used: *seed. */
size_t dml_ctx_sample(const dml_ctx *ctx, const int32_t **idx, uint64_t *seed);

#endif
