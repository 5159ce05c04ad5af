/* bench_check.c — `dmlbench bench-check`: options, then bench_check_main (bench/). */
#include <stdio.h>
#include <string.h>

#include "bench/check.h"
#include "cmd/cmd.h"
#include "core/error.h"

static const char bc_usage[] =
    "usage: dmlbench bench-check [--baseline FILE] [--counts DIR] [--json FILE]\n"
    "                            [--write-baseline FILE]\n"
    "  --counts DIR           callgrind dumps of build/dmlcount (make bench-counts)\n"
    "  --baseline FILE        compare with this baseline (results/baseline/bench-check.tsv)\n"
    "  --write-baseline FILE  measure and write a new baseline instead of comparing\n"
    "  --json FILE            also write the table as JSON\n";

/* Returns -1 to go on, or the exit status (--help, or a bad argument). */
static int parse_opts(int argc, char **argv, bc_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(bc_usage, stdout); return 0; }
        if (i + 1 >= argc)
            return die("bench-check: unknown argument or missing value '%s' (try --help)", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--baseline")) o->base_path = v;
        else if (!strcmp(a, "--counts")) o->counts = v;
        else if (!strcmp(a, "--json")) o->json = v;
        else if (!strcmp(a, "--write-baseline")) o->write_path = v;
        else
            return die("bench-check: unknown argument '%s' (try --help)", a);
    }
    if (!o->write_path && !o->base_path)
        return die("bench-check: give --baseline FILE to compare, or --write-baseline FILE");
    return -1;
}

void cmd_bench_check_usage(FILE *f) { fputs(bc_usage, f); }

int cmd_bench_check(int argc, char **argv)
{
    bc_opts o = { 0 };
    int rc = parse_opts(argc, argv, &o);
    return rc >= 0 ? rc : bench_check_main(&o);
}
