/* loss_names.c — the losses' names and titles, from the rows of DML_LOSS_ROWS.
 * Apart from loss_table.c (which names every loss's entry points) so that
 * the checks every loss makes (validate.c) can name a loss without
 * depending on the losses themselves. */
#include <stdio.h>
#include <string.h>

#include "dml_internal.h"

#define DML_LOSS_NAME(ID, name, ...) #name,
static const char *const names[DML_LOSS_COUNT] = { DML_LOSS_ROWS(DML_LOSS_NAME) };
#undef DML_LOSS_NAME
#define DML_LOSS_TITLE(ID, name, title, ...) title,
static const char *const titles[DML_LOSS_COUNT] = { DML_LOSS_ROWS(DML_LOSS_TITLE) };
#undef DML_LOSS_TITLE

const char *dml_loss_name(dml_loss loss)
{
    return (loss >= 0 && loss < DML_LOSS_COUNT) ? names[loss] : "unknown";
}

const char *dml_loss_title(dml_loss loss)
{
    return (loss >= 0 && loss < DML_LOSS_COUNT) ? titles[loss] : "unknown";
}

dml_status dml_loss_parse(const char *name, dml_loss *out)
{
    if (!name || !out)
        return dml_fail(DML_ERR_NULL, "loss name is NULL");
    for (int i = 0; i < DML_LOSS_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (dml_loss)i;
            return dml_ok();
        }
    /* "a, b, c or d": the table's names in its order */
    char list[512];
    size_t o = 0;
    for (int i = 0; i < DML_LOSS_COUNT && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", names[i],
                              i + 2 < DML_LOSS_COUNT ? ", " : i + 2 == DML_LOSS_COUNT ? " or " : "");
    return dml_fail(DML_ERR_ARG, "unknown loss '%s' (expected %s)", name, list);
}
