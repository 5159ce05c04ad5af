/* fit.h — least-squares fit of log t = a + k log M, and the complexity check
 * of the batch study (`dmlbench fit`, and the sweep of a study with fit_min_M). */
#ifndef DML_SWEEP_FIT_H
#define DML_SWEEP_FIT_H

#include <stddef.h>
#include <stdio.h>

typedef struct loglog_fit {
    size_t n;        /* points used */
    double k, k_se;  /* slope and its standard error */
    double a;        /* intercept: t ≈ exp(a) M^k */
    double r2;
} loglog_fit;

/* Fits log y = a + k log x over the n pairs with x, y > 0 and finite.
 * Returns 0, or 1 with fewer than 3 usable points (k_se needs n - 2 >= 1). */
int fit_loglog(const double *x, const double *y, size_t n, loglog_fit *out);

/* Reads a sweep CSV (batch study), fits time ∝ M^k per loss on rows with
 * M >= min_M (threads = 1, kind = loss), prints the table to `report` and
 * writes it to out_csv (temporary file, then rename).  Returns 0 when every
 * loss is within its band, 3 when one is off, 1 on error (message printed).
 * advisory: print the verdicts but return 0 (quick grids are too small). */
int complexity_check(const char *csv, const char *out_csv, double min_M, int advisory,
                     FILE *report);
/* The same on the CSV's text (text[len] is NUL; split in place); csv names it. */
int complexity_check_text(const char *csv, char *text, size_t len, const char *out_csv, double min_M,
                          int advisory, FILE *report);
/* A row whose M, threads or fitted time is not a positive number is an
 * input error (1), never a verdict. */

#endif
