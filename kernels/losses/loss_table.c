/* loss_table.c — the rows of DML_LOSS_ROWS (dml_losses.h) as data, and the
 * queries on them that the rest of the library and the harness make: the
 * defaults, the kind, the proxy rows, the fit's order, the fused form, the
 * parameter descriptors.  Nothing here names a loss: each fact comes from
 * its row. */
#include <stdint.h>
#include <string.h>

#include "loss_table.h"

#define DML_LOSS_ROW(ID, name, title, member, ptype, defaults, kind, rows, layout, gstats,       \
                     scratch, fused, order, fitcol, fitwhat, step, params)                     \
    [DML_LOSS_##ID] = { #name, title, { .loss = DML_LOSS_##ID, .u.member = defaults }, kind,   \
                        rows, layout, gstats, scratch, fused, order, fitcol, fitwhat, step,   \
                        params },
static const dml_loss_row table[DML_LOSS_COUNT] = { DML_LOSS_ROWS(DML_LOSS_ROW) };
#undef DML_LOSS_ROW

const dml_loss_row *dml_loss_row_of(dml_loss loss)
{
    return loss >= 0 && loss < DML_LOSS_COUNT ? &table[loss] : NULL;
}

size_t dml_rows_none(const dml_params *p) { (void)p; return 0; }
size_t dml_rows_one(const dml_params *p) { (void)p; return 1; }

size_t dml_scratch_none(size_t M, size_t C, size_t R, int threads)
{
    (void)M, (void)C, (void)R, (void)threads;
    return 0;
}

dml_params dml_params_default(dml_loss loss)
{
    dml_params p;
    memset(&p, 0, sizeof p);
    p.loss = loss;
    const dml_loss_row *r = dml_loss_row_of(loss);
    if (r)
        p = r->defaults;
    return p;
}

dml_loss_kind dml_loss_kind_of(dml_loss loss)
{
    const dml_loss_row *r = dml_loss_row_of(loss);
    return r ? r->kind : DML_KIND_PAIR;
}

size_t dml_proxy_rows(const dml_params *p, size_t C)
{
    const dml_loss_row *r = p ? dml_loss_row_of(p->loss) : NULL;
    size_t k = r ? r->rows(p) : 0;
    return k != 0 && C <= SIZE_MAX / k ? C * k : 0;
}

int dml_loss_order(dml_loss loss, const char **column, const char **quantity)
{
    const dml_loss_row *r = dml_loss_row_of(loss);
    if (column) *column = r ? r->fitcol : NULL;
    if (quantity) *quantity = r ? r->fitwhat : NULL;
    return r ? r->order : 0;
}

int dml_loss_has_fused(dml_loss loss)
{
    const dml_loss_row *r = dml_loss_row_of(loss);
    return r ? r->fused : 0;
}

const dml_param_info *dml_loss_params(dml_loss loss)
{
    const dml_loss_row *r = dml_loss_row_of(loss);
    return r ? r->params : NULL;
}
