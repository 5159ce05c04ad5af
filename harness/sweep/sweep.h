/* sweep.h — `dmlbench sweep`: study definitions (experiments/<study>.txt)
 * in, results/<study>.csv, .json and .meta.gp out, the complexity check of a
 * study that asks for one.  The study format is described in define.c. */
#ifndef DML_SWEEP_SWEEP_H
#define DML_SWEEP_SWEEP_H

typedef struct sweep_opts {
    int resume, quick, threads;  /* threads: the default of points that do not set it */
    int threads_needed;          /* print the most threads a point needs, run nothing */
    int shard_k, shard_n;        /* --shard K/N; shard_n = 0: every point */
    const char *out;             /* results directory */
    const char *const *files;    /* definitions */
    int nfiles;
} sweep_opts;

/* With --shard K/N only shard K's points run (sweep/shard.c), into
 * <out>/<study>.shard-K-of-N.csv and .json, without figure label or fit:
 * `dmlbench merge` (sweep/merge.c) joins the shards and checks them.
 *
 * Parses and expands every definition (a bad one runs nothing), runs every
 * point and writes the results.  Returns the exit status: 0, 1 on an error
 * (message printed), 3 when the complexity check finds a loss off its order. */
int sweep_main(const sweep_opts *o);

/* `dmlbench merge`: shard CSVs (their JSON beside them) joined into each
 * study's <out>/<study>.csv, .json and .meta.gp, then the complexity check
 * of a study with fit_min_M.  Returns 0, 1 (one line: file and reason) or 3. */
int merge_main(const char *out, const char *const *files, int nfiles);

#endif
