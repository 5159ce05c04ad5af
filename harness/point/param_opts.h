/* param_opts.h — the loss parameters as command-line options, generated from
 * the parameter table (point/params.h): parameter include_positive is the
 * option --include-positive, spelled as every other option of dmlbench (with
 * '-'), and only so: `run` and `train` read them through here. */
#ifndef DML_POINT_PARAM_OPTS_H
#define DML_POINT_PARAM_OPTS_H

#include <stdio.h>

#include "dml.h"

/* The option of parameter i ("--include-positive") into buf. */
const char *param_option(int i, char *buf, size_t len);
/* Sets the parameter whose option is opt from text.  0; 1 for a bad value
 * (err set); 2 when opt is no parameter's option (err says which spelling
 * it may have meant). */
int param_option_set(dml_params *p, const char *opt, const char *val, char *err, size_t errlen);
/* "[--alpha A] [--delta D] ...", wrapped at 80 columns with `indent`
 * spaces, continuing from column *col. */
void param_options_usage(FILE *f, int indent, int *col);

#endif
