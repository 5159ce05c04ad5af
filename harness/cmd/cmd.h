/* cmd.h — the commands of dmlbench, one file each in cmd/: options in,
 * a subsystem does the work, the result printed.  main.c's table lists them. */
#ifndef DML_CMD_CMD_H
#define DML_CMD_CMD_H

#include <stdio.h>

int cmd_run(int argc, char **argv);
int cmd_golden(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_bench_check(int argc, char **argv);
int cmd_knn(int argc, char **argv);
void cmd_knn_usage(FILE *f);
int cmd_data(int argc, char **argv);

/* Each command's usage (main.c prints it for CMD --help / -h, exit 0). */
void cmd_run_usage(FILE *f);
void cmd_golden_usage(FILE *f);
void cmd_info_usage(FILE *f);
void cmd_sweep_usage(FILE *f);
void cmd_fit_usage(FILE *f);
void cmd_train_usage(FILE *f);
void cmd_merge_usage(FILE *f);
void cmd_bench_usage(FILE *f);
void cmd_bench_check_usage(FILE *f);
void cmd_data_usage(FILE *f);

#endif
