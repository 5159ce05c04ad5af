/* cmd.h — the commands of dmlbench, one file each in cmd/: options in,
 * a subsystem does the work, the result printed.  main.c's table lists them. */
#ifndef DML_CMD_CMD_H
#define DML_CMD_CMD_H

int cmd_run(int argc, char **argv);
int cmd_golden(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_bench_check(int argc, char **argv);
int cmd_data(int argc, char **argv);

#endif
