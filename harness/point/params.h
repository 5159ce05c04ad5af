/* params.h — the table of loss parameters: every parameter of every loss is
 * one row (its name, its loss, its type and range, where it lives in
 * dml_params, its placeholder in `run`'s usage), read from the library's
 * descriptors (dml_loss_params: each loss file lists its own).  Everything
 * that names a loss parameter reads it: `run` options, golden `param`
 * records, sweep keys and which units a key changes, the point key, the CSV
 * columns.  So a new parameter is one line in its loss's descriptor list
 * plus its field in its struct in dml_losses.h (whose DML_*_DEFAULTS give
 * its default). */
#ifndef DML_POINT_PARAMS_H
#define DML_POINT_PARAMS_H

#include <stddef.h>

#include "dml.h"

/* The library's dml_param_type under the harness's names.  PT_CHOICE: an
 * int field naming one of a few choices (triplet's algorithm); written by
 * name in options, golden files and sweep keys, stored and shown in the CSV
 * as its index.  PT_COUNT: an int from 1 to PARAM_COUNT_MAX (SoftTriple's
 * centres per class). */
typedef enum param_type {
    PT_FLOAT_POS = DML_PARAM_POSITIVE,
    PT_FLOAT_NONNEG = DML_PARAM_NONNEG,
    PT_FLOAT_ANY = DML_PARAM_ANY,
    PT_FLAG = DML_PARAM_FLAG,
    PT_CHOICE = DML_PARAM_CHOICE,
    PT_COUNT = DML_PARAM_COUNT,
    PT_RATIO = DML_PARAM_RATIO /* a float in (0, 1]: proxy_sample */
} param_type;
enum { PARAM_COUNT_MAX = 65536 };

/* Parameter names, each once, in table order (the CSV column order);
 * index 0 .. param_name_count() - 1. */
int param_name_count(void);
const char *param_name(int i);
param_type param_name_type(int i);
const char *param_name_metavar(int i); /* "A", "0|1", ... */
/* PT_CHOICE parameters: the index of choice `text` (a name, or the index
 * written as a number) or -1; the name of choice v, or NULL. */
int param_choice_parse(int i, const char *text);
const char *param_choice_name(int i, int v);
/* The index of a name, or -1. */
int param_name_index(const char *name);
/* 1 when parameter i belongs to loss. */
int param_applies(int i, dml_loss loss);
/* Parameter i of p (as a double), or NaN when it is not p's loss's. */
double param_value(const dml_params *p, int i);

/* Sets parameter `name` (without dashes) from text.  A parameter of
 * another loss is accepted and ignored, so one sweep definition can vary a
 * shared knob for every loss.  Returns 0, 1 for a bad value (err set), 2
 * for a name that is not a parameter of any loss. */
int params_set(dml_params *p, const char *name, const char *value, char *err, size_t errlen);

/* Appends ";name=value" for each parameter of p's loss (the point key). */
size_t params_key(const dml_params *p, char *out, size_t len);

#endif
