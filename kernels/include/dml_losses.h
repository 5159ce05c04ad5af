/* dml_losses.h — the table of losses (included by dml.h; do not include it alone).
 *
 * Each loss is one block here: its parameter struct, its defaults (those of
 * the reference, pytorch-metric-learning 2.8.1), its typed entry point, and
 * one row of DML_LOSS_ROWS.  Everything that lists losses is generated from
 * the rows: the dml_loss enum and its names, the dml_params union, the
 * defaults, the dispatch of the step, of the products and of the gradient
 * statistics (kernels/losses/loss_table.c), the harness's parameter table
 * (each loss file describes its parameters: see dml_param_info), the
 * sweep's loss list, the fit's expected orders and the plots' loss names.
 * So a new loss is its file in kernels/losses/, its block here, and its
 * golden cases (docs/extending.md, "Add a loss").
 *
 * The columns of a row, in order:
 *   ID        the enum constant's suffix (DML_LOSS_<ID>)
 *   name      its name on the command line, in files and in CSVs
 *   title     its name in figures
 *   member    its field in dml_params.u, of type `ptype`, default `defaults`
 *   kind      DML_KIND_PROXY (it takes proxies P) or DML_KIND_PAIR
 *   rows      proxy rows per class, from its parameters: P has C·rows rows
 *             (dml_rows_none for pair losses, dml_rows_one, or the loss's own)
 *   layout    what S is and so which products run (kernels/losses/products.c):
 *             DML_S_SAMPLE_ROWS S = X̂P̂ᵀ (M×R), DML_S_PROXY_ROWS Sᵀ = P̂X̂ᵀ (R×M),
 *             DML_S_PAIRS S = X̂X̂ᵀ (M×M)
 *   gstats    the hook that reads G for the gradient statistics (gradstats.c)
 *   scratch   floats of private working memory the loss needs in its context,
 *             from (M, C, R, threads) (dml_scratch_none: none)
 *   fused     1 when its step has a fused form (DML_FUSED / dml_ctx_set_fused
 *             choose it); 0 when it always runs the unfused step
 *   order     the power of M its step time grows with at fixed C and D (the fit)
 *   fitcol    the CSV column the fit reads, and what it calls that quantity
 *   step      its generic entry: dml_status f(dml_ctx *, const dml_params *,
 *             X, y, P, loss, dX, dP), defined in its own file
 *   params    its parameter descriptors (dml_param_info[], ended by a NULL
 *             name), defined in its own file
 */
#ifndef DML_LOSSES_H
#define DML_LOSSES_H

/* ------------------------------------------- Proxy-Anchor (proxy_anchor.c)
 * proxy_sample r in (0, 1]: the step runs on a sample of the proxies, every
 * class of the batch plus a uniform draw of the rest, ceil(r·C) in all
 * (Partial FC's rule; kernels/losses/proxy_sample.c).  1: all of them.
 * precision: the storage of P, a dml_precision (0 fp32, 1 bf16: the step
 * takes P in bf16, dml_loss_step_bf16; dml.h, "bf16 proxies"). */
typedef struct dml_proxy_anchor_params { float alpha, delta, proxy_sample; int precision; } dml_proxy_anchor_params;
#define DML_PROXY_ANCHOR_DEFAULTS ((dml_proxy_anchor_params){ 32.0f, 0.1f, 1.0f, 0 })

/* ------------------------------------------------- Proxy-NCA (proxy_nca.c)
 * proxy_sample, precision: as Proxy-Anchor's. */
typedef struct dml_proxy_nca_params { float scale; int include_positive; float proxy_sample; int precision; } dml_proxy_nca_params;
#define DML_PROXY_NCA_DEFAULTS    ((dml_proxy_nca_params){ 32.0f, 0, 1.0f, 0 })

/* ---------------------------------------- Multi-Similarity (multi_similarity.c) */
typedef struct dml_ms_params { float alpha, beta, base, epsilon; int mine; } dml_ms_params;
#define DML_MS_DEFAULTS           ((dml_ms_params){ 2.0f, 50.0f, 0.5f, 0.1f, 1 })

/* ---------------------------------------------------- triplet (triplet.c)
 * Two exact algorithms for the same triplet loss (docs/losses.md, "Triplet"): the
 * O(M³) enumeration, the reference of the complexity study and the default,
 * and an O(M² log M) one that sorts each anchor's distances and walks them
 * (kernels/losses/triplet_sorted.c).  Both give the same K, the same
 * gradient counts and the loss up to summation rounding. */
typedef enum dml_triplet_algorithm {
    DML_TRIPLET_ENUMERATE = 0,
    DML_TRIPLET_SORTED,
    DML_TRIPLET_ALGORITHM_COUNT
} dml_triplet_algorithm;
typedef struct dml_triplet_params { float margin; int algorithm; /* dml_triplet_algorithm */ } dml_triplet_params;
#define DML_TRIPLET_DEFAULTS      ((dml_triplet_params){ 0.1f, DML_TRIPLET_ENUMERATE })

/* ---------------------------------------------- SoftTriple (soft_triple.c)
 * K = centers_per_class centres per class: P has C·K rows, class-major. */
typedef struct dml_soft_triple_params {
    int centers_per_class;
    float la, gamma, margin;
} dml_soft_triple_params;
#define DML_SOFT_TRIPLE_DEFAULTS  ((dml_soft_triple_params){ 10, 20.0f, 0.1f, 0.01f })

/* ------------------------------- NormalizedSoftmax (normalized_softmax.c) */
typedef struct dml_normalized_softmax_params { float temperature; int precision; } dml_normalized_softmax_params;
#define DML_NORMALIZED_SOFTMAX_DEFAULTS ((dml_normalized_softmax_params){ 0.05f, 0 })

/* ------------------------------------------------------------- the rows */
#define DML_LOSS_ROWS(X)                                                                         \
    X(PROXY_ANCHOR, proxy_anchor, "Proxy-Anchor", pa, dml_proxy_anchor_params,                   \
      DML_PROXY_ANCHOR_DEFAULTS, DML_KIND_PROXY, dml_rows_one, DML_S_PROXY_ROWS,                 \
      dml_gstats_proxy_rows, dml_scratch_none, 1, 1, "cpu_min_ms", "step (CPU)",                             \
      dml_proxy_anchor_step, dml_proxy_anchor_param_info)                                        \
    X(PROXY_NCA, proxy_nca, "Proxy-NCA", nca, dml_proxy_nca_params, DML_PROXY_NCA_DEFAULTS,      \
      DML_KIND_PROXY, dml_rows_one, DML_S_SAMPLE_ROWS, dml_gstats_sample_rows, dml_scratch_none, 1, 1,       \
      "cpu_min_ms", "step (CPU)", dml_proxy_nca_step, dml_proxy_nca_param_info)                  \
    X(MS, ms, "Multi-Similarity", ms, dml_ms_params, DML_MS_DEFAULTS, DML_KIND_PAIR,             \
      dml_rows_none, DML_S_PAIRS, dml_gstats_pairs, dml_scratch_none, 0, 2, "cpu_min_ms", "step (CPU)",      \
      dml_ms_step, dml_ms_param_info)                                                            \
    X(TRIPLET, triplet, "triplet (all)", triplet, dml_triplet_params, DML_TRIPLET_DEFAULTS,      \
      DML_KIND_PAIR, dml_rows_none, DML_S_PAIRS, dml_gstats_triplets, dml_scratch_none, 0, 3,                \
      "specific_min_ms", "enumeration", dml_triplet_step, dml_triplet_param_info)                \
    X(SOFT_TRIPLE, soft_triple, "SoftTriple", st, dml_soft_triple_params,                        \
      DML_SOFT_TRIPLE_DEFAULTS, DML_KIND_PROXY, dml_soft_triple_rows, DML_S_SAMPLE_ROWS,         \
      dml_gstats_sample_rows, dml_soft_triple_scratch, 1, 1, "cpu_min_ms", "step (CPU)",         \
      dml_soft_triple_step, dml_soft_triple_param_info)                                          \
    X(NORMALIZED_SOFTMAX, normalized_softmax, "NormalizedSoftmax", ns,                           \
      dml_normalized_softmax_params, DML_NORMALIZED_SOFTMAX_DEFAULTS, DML_KIND_PROXY,            \
      dml_rows_one, DML_S_SAMPLE_ROWS, dml_gstats_sample_rows, dml_scratch_none, 1, 1, "cpu_min_ms",         \
      "step (CPU)", dml_normalized_softmax_step, dml_normalized_softmax_param_info)

#endif /* DML_LOSSES_H */
