/* main.c — the dmlbench program: the table of its commands (cmd/). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/fileio.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *what;
} command;

static const command commands[] = {
    { "run", cmd_run, "one loss at one point: value, timing, gradient statistics" },
    { "golden", cmd_golden, "check the library against golden case files" },
    { "info", cmd_info, "instruction sets detected, compiled and in use" },
    { "sweep", cmd_sweep, "run study definitions (experiments/*.txt): CSV + JSON results" },
    { "merge", cmd_merge, "join the shards of sweep --shard K/N into each study's results" },
    { "fit", cmd_fit, "complexity check of a batch-study CSV: time ~ M^k per loss" },
    { "bench", cmd_bench, "kernel throughput per ISA vs FMA peak and OpenBLAS" },
    { "train", cmd_train, "train an embedding network on Fashion-MNIST; retrieval metrics per epoch" },
    { "data", cmd_data, "build a data set into a directory (glyphs: IDX files + manifest)" },
    { "bench-check", cmd_bench_check, "CI regression check: instruction counts, speed ratios" },
};

static int usage(FILE *f)
{
    fprintf(f, "usage: dmlbench COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "\nDML_ISA=");
    for (int i = 0; i < DML_ISA_COUNT; i++) fprintf(f, "%s%s", i ? "|" : "", dml_isa_name((dml_isa)i));
    fprintf(f, " forces an instruction set (so does --isa).\n");
    return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
    fileio_cleanup_on_signals(); /* a write error is reported, not a SIGXFSZ */
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage(stdout);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    die("unknown command '%s' (try: dmlbench --help)", argv[1]);
    return 2;
}
