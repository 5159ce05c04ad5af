/* loss_table.h — the table of losses inside libdml: what each row of
 * DML_LOSS_ROWS (dml_losses.h) says, as data the library's generic code reads
 * (loss_table.c), and the declarations of every entry a row names. */
#ifndef DML_LOSS_TABLE_H
#define DML_LOSS_TABLE_H

#include "dml_internal.h"

/* What S is, and so which products a step runs (products.c, backward.c). */
typedef enum dml_s_layout {
    DML_S_SAMPLE_ROWS, /* S = X̂P̂ᵀ, M×R: a sample's row (Proxy-NCA, SoftTriple, ...) */
    DML_S_PROXY_ROWS,  /* Sᵀ = P̂X̂ᵀ, R×M: a proxy's column of S as a row (Proxy-Anchor) */
    DML_S_PAIRS        /* S = X̂X̂ᵀ, M×M, symmetric (MS, triplet) */
} dml_s_layout;

typedef dml_status (*dml_step_fn)(dml_ctx *ctx, const dml_params *p, const float *X,
                                  const int32_t *y, const float *P, float *loss, float *dX,
                                  float *dP);

typedef struct dml_loss_row {
    const char *name, *title;
    dml_params defaults;
    dml_loss_kind kind;
    size_t (*rows)(const dml_params *p);             /* proxy rows per class */
    dml_s_layout layout;
    void (*gstats)(const dml_ctx *ctx, dml_gradstats *out); /* anchors' sides, active_frac, proxy_pos */
    size_t (*scratch)(size_t M, size_t C, size_t R, int threads);
    int fused, order;
    const char *fitcol, *fitwhat;
    dml_step_fn step;
    const dml_param_info *params;
} dml_loss_row;

/* The row of a loss, or NULL past the table. */
const dml_loss_row *dml_loss_row_of(dml_loss loss);

/* Hooks that several rows share. */
size_t dml_rows_none(const dml_params *p); /* pair losses: no proxies */
size_t dml_rows_one(const dml_params *p);  /* one proxy a class */
size_t dml_scratch_none(size_t M, size_t C, size_t R, int threads);

/* Every entry a row names, declared from the rows (a hook shared by several
 * rows is declared once for each, which C allows). */
#define DML_LOSS_DECLARE(ID, name, title, member, ptype, defaults, kind, rows, layout, gstats,   \
                         scratch, fused, order, fitcol, fitwhat, step, params)                 \
    size_t rows(const dml_params *p);                                                          \
    void gstats(const dml_ctx *ctx, dml_gradstats *out);                                       \
    size_t scratch(size_t M, size_t C, size_t R, int threads);                                 \
    dml_status step(dml_ctx *ctx, const dml_params *p, const float *X, const int32_t *y,       \
                    const float *P, float *loss, float *dX, float *dP);                        \
    extern const dml_param_info params[];
DML_LOSS_ROWS(DML_LOSS_DECLARE)
#undef DML_LOSS_DECLARE

#endif
