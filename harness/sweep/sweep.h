/* sweep.h — `dmlbench sweep`: study definitions (experiments/<study>.txt)
 * in, results/<study>.csv, .json and .meta.gp out, the complexity check of a
 * study that asks for one.  The study format is described in define.c. */
#ifndef DML_SWEEP_SWEEP_H
#define DML_SWEEP_SWEEP_H

typedef struct sweep_opts {
    int resume, quick, threads;  /* threads: the default of points that do not set it */
    const char *out;             /* results directory */
    const char *const *files;    /* definitions */
    int nfiles;
} sweep_opts;

/* Parses and expands every definition (a bad one runs nothing), runs every
 * point and writes the results.  Returns the exit status: 0, 1 on an error
 * (message printed), 3 when the complexity check finds a loss off its order. */
int sweep_main(const sweep_opts *o);

#endif
