/* bench.c — `dmlbench bench [--json] [--quick]`: options, then bench_main (bench/). */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cmd/cmd.h"
#include "core/error.h"

static const char bench_usage[] =
    "usage: dmlbench bench [--json] [--quick]\n"
    "  every kernel x every ISA here on the paper's shapes (M=180; C=100,1000,11318;\n"
    "  D=64,512,1024), one thread; --quick: C=1000, D=512 only; --json: JSON on stdout\n"
    "  OpenBLAS (libopenblas.so.0, or DML_OPENBLAS=name|path) is dlopen'ed as a yardstick\n";

void cmd_bench_usage(FILE *f) { fputs(bench_usage, f); }

int cmd_bench(int argc, char **argv)
{
    bench_opts o = { 0 };
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) o.json = 1;
        else if (!strcmp(argv[i], "--quick")) o.quick = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(bench_usage, stdout);
            return 0;
        } else
            return die("bench: unknown argument '%s' (usage: dmlbench bench [--json] [--quick])", argv[i]);
    }
    return bench_main(&o);
}
