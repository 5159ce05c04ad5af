/* merge.h — private to merge.c and merge_out.c: the shards of a merge as
 * read and checked, and what is written from them. */
#ifndef DML_SWEEP_MERGE_H
#define DML_SWEEP_MERGE_H

#include <stddef.h>

#include "sweep/study.h"

typedef struct shard_file {
    char csv[1024], json[1024];
    char *csv_text, *json_text;   /* owned; rows point into csv_text */
    char **rows;
    size_t nrows;
    char study[STUDY_NAME_MAX + 1], commit[48], dirty[8], flags[512], compiler[96], cpu[128], host[256], meta[512];
    char hash[32];
    int k, n, quick, passes;
    size_t points, total;
    double fit_min_M;
} shard_file;

/* One study's merged rows, by point index. */
typedef struct merged_study {
    const char *name;
    shard_file **shards;   /* shards[k]: shard k of n */
    int n;
    size_t total;
    const char **row;      /* row[point]: the row (NUL-terminated), from shard src[point] */
    const shard_file **src;
} merged_study;

/* Writes <out>/<study>.csv, .json, .meta.gp; runs the fit of a study with
 * fit_min_M.  Returns 0, 1 (message printed) or 3 (a loss off its order). */
int merge_write(const char *out, const merged_study *ms);

#endif
