/* param_check.c — a loss parameter given for a loss it does not belong to.
 * params_set accepts and ignores one (a sweep key may vary a knob shared by
 * several losses); `run`, `train` and a golden case name one loss, so there
 * it is a mistake that would go unseen: `run --loss proxy_anchor --margin 5`
 * would time proxy_anchor as if margin meant something to it. */
#include <stdio.h>
#include <string.h>

#include "point/params.h"

int param_check_loss(const char *opt, dml_loss loss, char *err, size_t errlen)
{
    char name[64]; /* the parameter's name from its option: --include-positive is include_positive */
    snprintf(name, sizeof name, "%s", opt + (strncmp(opt, "--", 2) ? 0 : 2));
    for (char *c = name; *c; c++) if (*c == '-') *c = '_';
    int i = param_name_index(name);
    if (i < 0 || param_applies(i, loss)) return 0;
    size_t o = (size_t)snprintf(err, errlen, "%s is not a parameter of %s (its parameters:", name, dml_loss_name(loss));
    int any = 0;
    for (int j = 0; j < param_name_count() && o < errlen; j++)
        if (param_applies(j, loss)) {
            o += (size_t)snprintf(err + o, errlen - o, " %s", param_name(j));
            any = 1;
        }
    if (o < errlen) snprintf(err + o, errlen - o, "%s)", any ? "" : " none");
    return 1;
}
