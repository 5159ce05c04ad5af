/* sweep.c — `dmlbench sweep [--resume] [--quick] [--threads N] [--shard K/N]
 * [--out DIR] [--threads-needed] experiments/<study>.txt...`: options, then sweep_main (sweep/). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/parse.h"
#include "sweep/sweep.h"

static const char sweep_usage[] =
    "usage: dmlbench sweep [--resume] [--quick] [--threads N] [--shard K/N] [--out DIR] [--threads-needed]\n"
    "                      experiments/<study>.txt...\n"
    "  --shard K/N  run shard K (0 .. N-1) of every study into <study>.shard-K-of-N.csv; join with dmlbench merge\n"
    "  --threads-needed  print the most threads a point of these studies needs and run nothing\n"
    "               (the CPUs a shard's task asks for: scripts/engine.sh)\n";

/* "K/N" with 0 <= K < N <= 4096; 1 when it is not. */
static int parse_shard(const char *v, sweep_opts *o)
{
    char k[32];
    const char *slash = strchr(v, '/');
    long kk, nn;
    if (!slash || (size_t)(slash - v) >= sizeof k) return 1;
    memcpy(k, v, (size_t)(slash - v));
    k[slash - v] = 0;
    if (parse_int(slash + 1, 1, 4096, &nn) || parse_int(k, 0, nn - 1, &kk)) return 1;
    o->shard_k = (int)kk;
    o->shard_n = (int)nn;
    return 0;
}

void cmd_sweep_usage(FILE *f) { fputs(sweep_usage, f); }

int cmd_sweep(int argc, char **argv)
{
    const char *files[64];
    sweep_opts o = { .threads = 1, .out = "results", .files = files };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--resume")) o.resume = 1;
        else if (!strcmp(a, "--quick")) o.quick = 1;
        else if (!strcmp(a, "--threads-needed")) o.threads_needed = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(sweep_usage, stdout); return 0; }
        else if (!strcmp(a, "--threads") || !strcmp(a, "--out") || !strcmp(a, "--shard")) {
            if (i + 1 >= argc) return die("sweep: %s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--out")) {
                if (strlen(v) > FILEIO_PATH_MAX - 128)
                    return die("sweep: --out: a path of %zu characters; at most %d", strlen(v), FILEIO_PATH_MAX - 128);
                o.out = v;
                continue;
            }
            if (!strcmp(a, "--shard")) {
                if (parse_shard(v, &o)) return die("sweep: --shard: '%s' is not K/N with 0 <= K < N <= 4096", v);
                continue;
            }
            long t;
            if (parse_int(v, 1, 1024, &t)) return die("sweep: --threads: bad value '%s'", v);
            o.threads = (int)t;
        } else if (!strncmp(a, "--", 2)) {
            fputs(sweep_usage, stderr);
            return die("sweep: unknown option '%s'", a);
        } else {
            if (o.nfiles >= 64) return die("sweep: more than 64 definitions");
            files[o.nfiles++] = a;
        }
    }
    if (o.nfiles == 0) {
        fputs(sweep_usage, stderr);
        return die("sweep: name at least one definition (experiments/*.txt)");
    }
    return sweep_main(&o);
}
