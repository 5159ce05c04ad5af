/* param_opts.c — the loss parameters as options (see param_opts.h). */
#include <string.h>

#include "point/param_opts.h"
#include "point/params.h"

const char *param_option(int i, char *buf, size_t len)
{
    snprintf(buf, len, "--%s", param_name(i));
    for (char *c = buf; *c; c++)
        if (*c == '_') *c = '-';
    return buf;
}

int param_option_set(dml_params *p, const char *opt, const char *val, char *err, size_t errlen)
{
    char o[80];
    for (int i = 0, n = param_name_count(); i < n; i++)
        if (!strcmp(opt, param_option(i, o, sizeof o)))
            return params_set(p, param_name(i), val, err, errlen);
    /* --include_positive: the table's name, not the option's spelling */
    int i = strncmp(opt, "--", 2) ? -1 : param_name_index(opt + 2);
    if (i >= 0 && strchr(opt, '_'))
        snprintf(err, errlen, "unknown option '%s' (options are spelled with '-': %s)", opt,
                 param_option(i, o, sizeof o));
    else
        snprintf(err, errlen, "unknown option '%s'", opt);
    return 2;
}

void param_options_usage(FILE *f, int indent, int *col)
{
    for (int i = 0, n = param_name_count(); i < n; i++) {
        char o[80], item[128];
        snprintf(item, sizeof item, "[%s %s]", param_option(i, o, sizeof o), param_name_metavar(i));
        int w = (int)strlen(item);
        if (*col && *col + 1 + w > 80) { fputc('\n', f); *col = 0; }
        *col += fprintf(f, "%*s%s", *col ? 1 : indent, "", item);
    }
}
