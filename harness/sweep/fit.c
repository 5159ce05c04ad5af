/* fit.c — log-log least squares with a standard error, and the complexity
 * check of the batch study. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/fileio.h"
#include "dml.h"
#include "core/parse.h"
#include "core/text.h"
#include "sweep/fit.h"

int fit_loglog(const double *x, const double *y, size_t n, loglog_fit *out)
{
    memset(out, 0, sizeof *out);
    out->k = out->k_se = out->a = out->r2 = NAN;
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
            sx += log(x[i]);
            sy += log(y[i]);
            m++;
        }
    out->n = m;
    if (m < 3)
        return 1;
    double mx = sx / (double)m, my = sy / (double)m, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
            double dx = log(x[i]) - mx, dy = log(y[i]) - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
    if (sxx <= 0)
        return 1;
    out->k = sxy / sxx;
    out->a = my - out->k * mx;
    double ssr = syy - out->k * sxy;
    if (ssr < 0) ssr = 0;
    out->k_se = sqrt(ssr / (double)(m - 2) / sxx);
    out->r2 = syy > 0 ? 1 - ssr / syy : 1;
    return 0;
}

/* ------------------------------------------------------ complexity check */

/* Expected order in M at fixed C and D, the time that is fitted, and why:
 * proxy losses and MS are dominated by their products (O(MCD), O(M²D)), which
 * have the loss's order, so their whole step is fitted (its thread CPU time,
 * which a process competing for the core does not inflate); triplet's O(M³) is the
 * enumeration, which the products (O(M²D)) hide until M is large, so its
 * forward step less the forward products, both timed alone at the same
 * shape in thread CPU time as well (column specific_min_ms), is fitted.  The sorted triplet algorithm
 * (column algorithm = 1) is fitted the same way: its O(M² log M) walk.
 *
 * The accepted band around the expected order is wide enough for the
 * lower-order terms still present at the bottom of the fit range and for
 * kernel efficiency changing with the shape, narrow enough (< 0.5 below the
 * next order) that a loss one order off (a materialised M×M for a proxy
 * loss, an O(M²) or O(M³) triplet) can never pass.  The sorted walk's band
 * reaches 0.6 above 2 for its log factor (k ≈ 2.1–2.2 on M = 128–1024),
 * still 0.4 short of the enumeration's 3.
 *
 * One series a loss, from the table of losses (dml_loss_order: the order,
 * the column and what it measures), band ±0.3; then the series of a loss's
 * other algorithms, below.  A loss with such a series keeps its own for
 * its default algorithm (0) alone. */
typedef struct fit_series {
    const char *series;  /* the name in the report and complexity.csv */
    const char *loss;    /* the CSV's name column */
    int algorithm;       /* the CSV's algorithm column, or -1 for any */
    double order, below, above;
    const char *column;
    const char *quantity;
} fit_series;

static const fit_series variants[] = {
    { "triplet_sorted", "triplet", DML_TRIPLET_SORTED, 2, 0.3, 0.6, "specific_min_ms", "sorted walk" },
};
enum { NVAR = sizeof variants / sizeof *variants };

static fit_series expect[DML_LOSS_COUNT + NVAR];

/* expect[]: every loss of the table, then the variants; idempotent. */
static void fill_expect(void)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        const char *name = dml_loss_name((dml_loss)l), *col, *what;
        int order = dml_loss_order((dml_loss)l, &col, &what), alg = -1;
        for (size_t v = 0; v < NVAR; v++)
            if (!strcmp(variants[v].loss, name)) alg = 0;
        expect[l] = (fit_series){ name, name, alg, order, 0.3, 0.3, col, what };
    }
    for (size_t v = 0; v < NVAR; v++)
        expect[DML_LOSS_COUNT + v] = variants[v];
}

static int col_index(char **h, int nh, const char *name)
{
    for (int i = 0; i < nh; i++)
        if (!strcmp(h[i], name)) return i;
    return -1;
}

enum { MAXF = 128, NL = DML_LOSS_COUNT + NVAR };

/* A loss row of the CSV: which loss, M, threads, its three times (text). */
typedef struct fit_row {
    int loss;
    size_t line;
    double M;
    long threads;
    const char *cpu, *spec, *total;
} fit_row;

typedef struct fit_rows { fit_row *v; size_t n, cap; } fit_rows;

/* The points of each loss: M, the fitted time, the whole step's time (as
 * many as the CSV has rows: xs[l] .. ts[l] hold rows->n each). */
typedef struct fit_points {
    double *xs[NL], *ys[NL], *ts[NL];
    size_t np[NL];
    double mlo[NL], mhi[NL];
} fit_points;

/* The loss rows of the text (split in place); 1 after a message when the
 * header lacks a column or a row's M or threads is not a number. */
static int read_rows(char *text, size_t len, const char *csv, fit_rows *rows)
{
    text_lines tl;
    lines_init(&tl, text, len);
    char *line, *h[MAXF], *f[MAXF];
    size_t ll;
    if (lines_next(&tl, &line, &ll) != 1 || !*line)
        return die("fit: %s is empty", csv);
    int nh = csv_split(line, h, MAXF);
    if (nh < 0) return die("fit: %s: its header has more than %d columns (not a sweep CSV)", csv, MAXF);
    int ck = col_index(h, nh, "kind"), cn = col_index(h, nh, "name"), cm = col_index(h, nh, "M"),
        ct = col_index(h, nh, "threads"), cc = col_index(h, nh, "cpu_min_ms"),
        cs = col_index(h, nh, "specific_min_ms"), cw = col_index(h, nh, "total_min_ms"),
        ca = col_index(h, nh, "algorithm");
    if (ck < 0 || cn < 0 || cm < 0 || ct < 0 || cc < 0 || cs < 0 || cw < 0)
        return die("fit: %s lacks the columns kind, name, M, threads, cpu_min_ms, specific_min_ms", csv);
    for (int more; (more = lines_next(&tl, &line, &ll)) != 0;) {
        if (more < 0) return die("fit: %s:%zu: a NUL byte (not a CSV file)", csv, tl.lineno);
        if (!*line || csv_split(line, f, MAXF) != nh || strcmp(f[ck], "loss")) continue;
        /* the series: the loss, and for triplet its algorithm (a CSV without
         * the column is of the enumeration alone) */
        long alg = ca >= 0 && *f[ca] ? strtol(f[ca], NULL, 10) : 0;
        size_t l = 0;
        while (l < NL && (strcmp(f[cn], expect[l].loss) || (expect[l].algorithm >= 0 && alg != expect[l].algorithm)))
            l++;
        if (l == NL) continue;
        fit_row *r = grow_slot(&rows->v, &rows->cap, rows->n++, sizeof *r, 64);
        *r = (fit_row){ (int)l, tl.lineno, 0, 0, f[cc], f[cs], f[cw] };
        if (parse_double(f[cm], &r->M) || r->M < 1)
            return die("fit: %s:%zu: M '%s' is not a positive number", csv, tl.lineno, f[cm]);
        if (parse_int(f[ct], 1, 1 << 20, &r->threads))
            return die("fit: %s:%zu: threads '%s' is not a positive integer", csv, tl.lineno, f[ct]);
    }
    return 0;
}

/* A time of a row that is fitted: a positive number, or 1 after a message. */
static int row_time(const fit_row *r, const char *csv, const char *col, const char *s, double *t)
{
    if (parse_double(s, t) || !(*t > 0))
        return die("fit: %s:%zu: %s '%s' is not a positive time", csv, r->line, col, s);
    return 0;
}

/* The rows of `thr` threads with M >= min_M, into fp; 1 after a message. */
static int select_points(const fit_rows *rows, const char *csv, long thr, int wall, double min_M, fit_points *fp)
{
    for (size_t l = 0; l < NL; l++) {
        fp->np[l] = 0; fp->mlo[l] = INFINITY; fp->mhi[l] = 0;
        double *v = malloc(3 * (rows->n + 1) * sizeof *v);
        if (!v) return die("fit: out of memory");
        fp->xs[l] = v; fp->ys[l] = v + rows->n + 1; fp->ts[l] = v + 2 * (rows->n + 1);
    }
    for (size_t i = 0; i < rows->n; i++) {
        const fit_row *r = &rows->v[i];
        size_t l = (size_t)r->loss, k = fp->np[l];
        if (r->threads != thr || r->M < min_M) continue;
        int cpu = !strcmp(expect[l].column, "cpu_min_ms");
        const char *qc = wall ? "total_min_ms" : expect[l].column, *tc = wall ? "total_min_ms" : "cpu_min_ms";
        if (row_time(r, csv, qc, wall ? r->total : cpu ? r->cpu : r->spec, &fp->ys[l][k]) ||
            row_time(r, csv, tc, wall ? r->total : r->cpu, &fp->ts[l][k]))
            return 1;
        fp->xs[l][k] = r->M;
        fp->np[l]++;
        if (r->M < fp->mlo[l]) fp->mlo[l] = r->M;
        if (r->M > fp->mhi[l]) fp->mhi[l] = r->M;
    }
    return 0;
}

/* Fits series l, prints its line and appends its CSV row; 1 when it is off
 * its order, 2 when it is outside the band but k's two-standard-error range
 * reaches into it: the points scatter too much (a busy machine) to tell. */
static int fit_one(const fit_points *fp, size_t l, int wall, FILE *report, char *out, size_t *o, size_t cap)
{
    loglog_fit fq, ft;
    int bad = fit_loglog(fp->xs[l], fp->ys[l], fp->np[l], &fq);
    fit_loglog(fp->xs[l], fp->ts[l], fp->np[l], &ft);
    double e = expect[l].order, lo = e - expect[l].below, hi = e + expect[l].above;
    int off = bad || !(fq.k >= lo && fq.k <= hi);
    int noisy = !bad && off && fq.k - 2 * fq.k_se <= hi && fq.k + 2 * fq.k_se >= lo;
    const char *verdict = bad ? "too-few" : noisy ? "noisy" : off ? "OFF" : "ok";
    char range[32], kk[40], band[24], kt[40];
    snprintf(range, sizeof range, "%g-%g", fp->mlo[l], fp->mhi[l]);
    snprintf(kk, sizeof kk, "%.2f ± %.2f", fq.k, fq.k_se);
    snprintf(band, sizeof band, "[%.1f, %.1f]", lo, hi);
    snprintf(kt, sizeof kt, "%.2f ± %.2f", ft.k, ft.k_se);
    fprintf(report, "%-14s %8.0f %-12s %11s %6zu %15s %11s %-8s %15s\n", expect[l].series, e,
            wall ? "step (wall)" : expect[l].quantity, range, fq.n, kk, band, verdict, kt);
    *o += (size_t)snprintf(out + *o, cap - *o, "%s,%g,%s,%g,%g,%zu,%.4f,%.4f,%.2f,%.2f,%s,%.4f,%.4f,%.6g\n",
                           expect[l].series, e, wall ? "step (wall)" : expect[l].quantity, fp->mlo[l],
                           fp->mhi[l], fq.n, fq.k, fq.k_se, lo, hi, verdict, ft.k, ft.k_se, exp(fq.a));
    return noisy ? 2 : off;
}

/* The rows of the fewest threads (1, unless the sweep ran with --threads N:
 * then CPU time and the products timed alone mean nothing, and the whole
 * step's wall time is fitted); 1 after a message. */
static int read_fit_points(char *text, size_t len, const char *csv, double min_M, long *min_threads,
                           fit_points *fp)
{
    fit_rows rows = { 0 };
    int rc = read_rows(text, len, csv, &rows);
    *min_threads = 0;
    for (size_t i = 0; i < rows.n && !rc; i++)
        if (*min_threads == 0 || rows.v[i].threads < *min_threads) *min_threads = rows.v[i].threads;
    if (!rc) rc = select_points(&rows, csv, *min_threads, *min_threads > 1, min_M, fp);
    free(rows.v);
    return rc;
}

static int report_fits(const fit_points *f, const char *csv, double min_M, long min_threads, const char *out_csv,
                       int advisory, FILE *report);

/* Every row at one M: no slope to fit, an input error (1), not a loss off
 * its order (3). */
static int one_M_only(const fit_points *fp, const char *csv)
{
    double m = NAN;
    for (size_t l = 0; l < NL; l++) {
        if (!fp->np[l]) continue;
        if (fp->mlo[l] != fp->mhi[l] || (!isnan(m) && m != fp->mlo[l])) return 0;
        m = fp->mlo[l];
    }
    if (isnan(m)) return 0;
    return die("fit: %s: every row has M = %g: a slope needs rows at two values of M at least", csv, m);
}

int complexity_check_text(const char *csv, char *text, size_t len, const char *out_csv, double min_M,
                          int advisory, FILE *report)
{
    long min_threads;
    fit_points fp = { 0 };
    fill_expect();
    int rc = read_fit_points(text, len, csv, min_M, &min_threads, &fp) || one_M_only(&fp, csv);
    if (!rc) rc = report_fits(&fp, csv, min_M, min_threads, out_csv, advisory, report);
    for (size_t l = 0; l < NL; l++) free(fp.xs[l]);
    return rc;
}

/* The table and complexity.csv of the fits; 0, 1 after a message, or 3. */
static int report_fits(const fit_points *f, const char *csv, double min_M, long min_threads, const char *out_csv,
                       int advisory, FILE *report)
{
    const fit_points fp = *f;
    int wall = min_threads > 1;
    char out[8192];
    size_t o = (size_t)snprintf(out, sizeof out,
        "loss,expected_order,fitted_time,M_min,M_max,points,k,k_stderr,band_lo,band_hi,verdict,k_step,k_step_stderr,prefactor_ms\n");
    fprintf(report, "\ncomplexity check: time ∝ M^k, least squares on log-log, M >= %g, %ld thread%s (%s)\n",
            min_M, min_threads, min_threads == 1 ? "" : "s", csv);
    if (wall)
        fprintf(report, "(multi-thread rows: the whole step's wall time is fitted for every loss)\n");
    fprintf(report, "%-14s %8s %-12s %11s %6s %15s %11s %-8s %15s\n", "loss", "expected", "fitted time",
            "M range", "points", "k ± stderr", "band", "verdict", "k (whole step)");
    int off = 0, noisy = 0, any = 0;
    for (size_t l = 0; l < NL; l++)
        if (fp.np[l]) {
            any = 1;
            int v = fit_one(&fp, l, wall, report, out, &o, sizeof out);
            off |= v == 1;
            noisy |= v == 2;
        }
    if (!any) {
        return die("fit: %s has no single-thread loss rows with M >= %g", csv, min_M);
    }
    char err[512];
    if (out_csv && write_file_atomic(out_csv, out, o, err, sizeof err))
        return die("fit: %s", err);
    if (noisy)
        fprintf(report, "(noisy: too noisy to judge — outside its band, but within two standard errors of it: "
                        "the points scatter as on a busy machine; rerun the study on a quieter one)\n");
    if (off && advisory)
        fprintf(report, "(advisory: the quick grid is too small and too short for a verdict; "
                        "the full `make sweep` enforces it)\n");
    return off && !advisory ? 3 : 0;
}

int complexity_check(const char *csv, const char *out_csv, double min_M, int advisory, FILE *report)
{
    size_t len;
    char err[256];
    char *text = read_text(csv, &len, err, sizeof err);
    if (!text) return die("fit: %s: %s", csv, err);
    int rc = complexity_check_text(csv, text, len, out_csv, min_M, advisory, report);
    free(text);
    return rc;
}
