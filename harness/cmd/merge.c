/* merge.c — `dmlbench merge [--out DIR] SHARD_CSV...`: the shards of
 * `sweep --shard K/N` (their JSON beside each CSV) joined into each study's
 * results and checked (sweep/merge.c). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "sweep/sweep.h"

static const char merge_usage[] =
    "usage: dmlbench merge [--out DIR] DIR/<study>.shard-K-of-N.csv...\n"
    "  joins every shard of each study into DIR/<study>.csv, .json and .meta.gp (default DIR: results),\n"
    "  refusing missing or repeated points and shards of other commits, builds or definitions\n";

void cmd_merge_usage(FILE *f) { fputs(merge_usage, f); }

int cmd_merge(int argc, char **argv)
{
    const char *out = "results";
    int nf = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { fputs(merge_usage, stdout); return 0; }
        if (!strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) return die("merge: --out needs a value");
            out = argv[++i];
        } else if (!strncmp(argv[i], "--", 2)) {
            fputs(merge_usage, stderr);
            return die("merge: unknown option '%s'", argv[i]);
        } else {
            argv[nf++] = argv[i]; /* the files, in place */
        }
    }
    if (nf == 0) {
        fputs(merge_usage, stderr);
        return die("merge: name at least one shard CSV");
    }
    return merge_main(out, (const char *const *)argv, nf);
}
