/* fit.c — `dmlbench fit [--min-M N] [--advisory] [--out FILE] results/batch.csv`:
 * the complexity check alone (sweep/fit.h), on a CSV an earlier sweep wrote. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/parse.h"
#include "sweep/fit.h"

void cmd_fit_usage(FILE *f)
{
    fputs("usage: dmlbench fit [--min-M N] [--advisory] [--out FILE] results/batch.csv\n"
          "  fits time ~ M^k per loss on the points with M >= N (default 128) and checks k\n"
          "  against each loss's expected order; --out writes the table as CSV; exit 3 when\n"
          "  a loss is off its order (0 with --advisory)\n", f);
}

int cmd_fit(int argc, char **argv)
{
    double min_M = 128;
    int advisory = 0;
    const char *csv = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--advisory")) advisory = 1;
        else if (!strcmp(argv[i], "--min-M") || !strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) return die("fit: %s needs a value", argv[i]);
            if (!strcmp(argv[i], "--out")) { out = argv[++i]; continue; }
            if (parse_double(argv[++i], &min_M) || min_M < 1) return die("fit: --min-M: bad value '%s'", argv[i]);
        } else if (!strncmp(argv[i], "--", 2)) return die("fit: unknown option '%s' (dmlbench fit --help)", argv[i]);
        else if (csv) return die("fit: one CSV only");
        else csv = argv[i];
    }
    if (!csv) { cmd_fit_usage(stderr); return die("fit: no CSV given"); }
    return complexity_check(csv, out, min_M, advisory, stdout);
}
