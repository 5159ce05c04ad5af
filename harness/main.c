/* main.c — the dmlbench program: the table of its commands (cmd/). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/fileio.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    void (*usage)(FILE *f);
    const char *what;
} command;

static const command commands[] = {
    { "run", cmd_run, cmd_run_usage, "one loss at one point: value, timing, gradient statistics" },
    { "golden", cmd_golden, cmd_golden_usage, "check the library against golden case files" },
    { "info", cmd_info, cmd_info_usage, "instruction sets detected, compiled and in use" },
    { "sweep", cmd_sweep, cmd_sweep_usage, "run study definitions (experiments/*.txt): CSV + JSON results" },
    { "merge", cmd_merge, cmd_merge_usage, "join the shards of sweep --shard K/N into each study's results" },
    { "fit", cmd_fit, cmd_fit_usage, "complexity check of a batch-study CSV: time ~ M^k per loss" },
    { "bench", cmd_bench, cmd_bench_usage, "kernel throughput per ISA vs FMA peak and OpenBLAS" },
    { "train", cmd_train, cmd_train_usage, "train an embedding network on Fashion-MNIST; retrieval metrics per epoch" },
    { "data", cmd_data, cmd_data_usage, "build a data set into a directory (glyphs: IDX files + manifest)" },
    { "bench-check", cmd_bench_check, cmd_bench_check_usage, "CI regression check: instruction counts, speed ratios" },
    { "knn", cmd_knn, cmd_knn_usage, "exact k-NN search timed on one thread; data for scripts/faiss_bench.py" },
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
        if (!strcmp(argv[1], commands[i].name)) {
            /* CMD --help anywhere: its usage on stdout, exit 0, before it
             * asks for what it needs (--loss, files) */
            for (int a = 2; a < argc; a++)
                if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
                    commands[i].usage(stdout);
                    return 0;
                }
            return commands[i].fn(argc - 2, argv + 2);
        }
    die("unknown command '%s' (try: dmlbench --help)", argv[1]);
    return 2;
}
