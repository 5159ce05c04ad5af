/* fit.c — log-log least squares with a standard error, and the complexity
 * check of the batch study. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "dml.h"
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
 * forward time less the forward products timed alone at the same shape
 * (column specific_min_ms) is fitted.  The sorted triplet algorithm
 * (column algorithm = 1) is fitted the same way: its O(M² log M) walk.
 *
 * The accepted band around the expected order is wide enough for the
 * lower-order terms still present at the bottom of the fit range and for
 * kernel efficiency changing with the shape, narrow enough (< 0.5 below the
 * next order) that a loss one order off (a materialised M×M for a proxy
 * loss, an O(M²) or O(M³) triplet) can never pass.  The sorted walk's band
 * reaches 0.6 above 2 for its log factor (k ≈ 2.1–2.2 on M = 128–1024),
 * still 0.4 short of the enumeration's 3. */
static const struct {
    const char *series;  /* the name in the report and complexity.csv */
    const char *loss;    /* the CSV's name column */
    int algorithm;       /* the CSV's algorithm column, or -1 for any */
    double order, below, above;
    const char *column;
    const char *quantity;
} expect[] = {
    { "proxy_anchor", "proxy_anchor", -1, 1, 0.3, 0.3, "cpu_min_ms", "step (CPU)" },
    { "proxy_nca", "proxy_nca", -1, 1, 0.3, 0.3, "cpu_min_ms", "step (CPU)" },
    { "ms", "ms", -1, 2, 0.3, 0.3, "cpu_min_ms", "step (CPU)" },
    { "triplet", "triplet", DML_TRIPLET_ENUMERATE, 3, 0.3, 0.3, "specific_min_ms", "enumeration" },
    { "triplet_sorted", "triplet", DML_TRIPLET_SORTED, 2, 0.3, 0.6, "specific_min_ms", "sorted walk" },
};

static int split_csv(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int col_index(char **h, int nh, const char *name)
{
    for (int i = 0; i < nh; i++)
        if (!strcmp(h[i], name)) return i;
    return -1;
}

enum { MAXF = 128, NL = sizeof expect / sizeof *expect, MAXP = 256 };

/* The smallest thread count of the file's loss rows: the fit uses those
 * rows (1, unless the sweep ran with --threads N: then CPU time and the
 * products timed alone mean nothing, and the whole step's wall time is
 * fitted).  0 when there are none. */
static long min_thread_count(const char *text)
{
    char *h[MAXF], *f[MAXF];
    long min_threads = 0;
    char *copy = strdup(text), *sv = NULL;
    char *ln = copy ? strtok_r(copy, "\n", &sv) : NULL;
    int n0 = ln ? split_csv(ln, h, MAXF) : 0, ct = col_index(h, n0, "threads"), ck = col_index(h, n0, "kind");
    while (ct >= 0 && ck >= 0 && (ln = strtok_r(NULL, "\n", &sv))) {
        int nf = split_csv(ln, f, MAXF);
        long t = nf == n0 ? strtol(f[ct], NULL, 10) : 0;
        if (nf == n0 && !strcmp(f[ck], "loss") && t > 0 && (min_threads == 0 || t < min_threads))
            min_threads = t;
    }
    free(copy);
    return min_threads;
}

/* The points of each loss: M, the fitted time, the whole step's time. */
typedef struct fit_points {
    double xs[NL][MAXP], ys[NL][MAXP], ts[NL][MAXP];
    size_t np[NL];
    double mlo[NL], mhi[NL];
} fit_points;

/* Reads the rows of `thr` threads with M >= min_M; 1 after a message. */
static int read_points(char *text, const char *csv, const char *thr, int wall, double min_M, fit_points *fp)
{
    char *h[MAXF], *f[MAXF], *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line) {
        fprintf(stderr, "dmlbench: fit: %s is empty\n", csv);
        return 1;
    }
    int nh = split_csv(line, h, MAXF);
    int ci_kind = col_index(h, nh, "kind"), ci_name = col_index(h, nh, "name"),
        ci_M = col_index(h, nh, "M"), ci_thr = col_index(h, nh, "threads"),
        ci_tot = col_index(h, nh, wall ? "total_min_ms" : "cpu_min_ms"),
        ci_spec = col_index(h, nh, wall ? "total_min_ms" : "specific_min_ms"),
        ci_alg = col_index(h, nh, "algorithm");
    if (ci_kind < 0 || ci_name < 0 || ci_M < 0 || ci_thr < 0 || ci_tot < 0 || ci_spec < 0) {
        fprintf(stderr, "dmlbench: fit: %s lacks the columns kind, name, M, threads, cpu_min_ms, specific_min_ms\n", csv);
        return 1;
    }
    for (size_t l = 0; l < NL; l++) { fp->np[l] = 0; fp->mlo[l] = INFINITY; fp->mhi[l] = 0; }
    while ((line = strtok_r(NULL, "\n", &save))) {
        int nf = split_csv(line, f, MAXF);
        if (nf != nh || strcmp(f[ci_kind], "loss") || strcmp(f[ci_thr], thr))
            continue;
        for (size_t l = 0; l < NL; l++) {
            if (strcmp(f[ci_name], expect[l].loss)) continue;
            /* a CSV without the column is of the enumeration alone */
            long alg = ci_alg >= 0 && *f[ci_alg] ? strtol(f[ci_alg], NULL, 10) : 0;
            if (expect[l].algorithm >= 0 && alg != expect[l].algorithm) continue;
            double M = strtod(f[ci_M], NULL);
            size_t k = fp->np[l];
            if (M < min_M || k >= MAXP) break;
            int cq = strcmp(expect[l].column, "cpu_min_ms") ? ci_spec : ci_tot;
            fp->xs[l][k] = M;
            fp->ys[l][k] = *f[cq] ? strtod(f[cq], NULL) : NAN;
            fp->ts[l][k] = *f[ci_tot] ? strtod(f[ci_tot], NULL) : NAN;
            fp->np[l]++;
            if (M < fp->mlo[l]) fp->mlo[l] = M;
            if (M > fp->mhi[l]) fp->mhi[l] = M;
        }
    }
    return 0;
}

/* Fits series l, prints its line and appends its CSV row; 1 when it is off its order. */
static int fit_one(const fit_points *fp, size_t l, int wall, FILE *report, char *out, size_t *o, size_t cap)
{
    loglog_fit fq, ft;
    int bad = fit_loglog(fp->xs[l], fp->ys[l], fp->np[l], &fq);
    fit_loglog(fp->xs[l], fp->ts[l], fp->np[l], &ft);
    double e = expect[l].order, lo = e - expect[l].below, hi = e + expect[l].above;
    int off = bad || !(fq.k >= lo && fq.k <= hi);
    const char *verdict = bad ? "too-few" : off ? "OFF" : "ok";
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
    return off;
}

int complexity_check(const char *csv, const char *out_csv, double min_M, int advisory, FILE *report)
{
    char *text = read_file_all(csv, NULL);
    if (!text) {
        fprintf(stderr, "dmlbench: fit: cannot read %s: %s\n", csv, strerror(errno));
        return 1;
    }
    long min_threads = min_thread_count(text);
    char thr[24];
    snprintf(thr, sizeof thr, "%ld", min_threads);
    int wall = min_threads > 1;
    static fit_points fp;
    int rc = read_points(text, csv, thr, wall, min_M, &fp);
    free(text);
    if (rc) return 1;
    char out[8192];
    size_t o = (size_t)snprintf(out, sizeof out,
        "loss,expected_order,fitted_time,M_min,M_max,points,k,k_stderr,band_lo,band_hi,verdict,k_step,k_step_stderr,prefactor_ms\n");
    fprintf(report, "\ncomplexity check: time ∝ M^k, least squares on log-log, M >= %g, %ld thread%s (%s)\n",
            min_M, min_threads, min_threads == 1 ? "" : "s", csv);
    if (wall)
        fprintf(report, "(multi-thread rows: the whole step's wall time is fitted for every loss)\n");
    fprintf(report, "%-14s %8s %-12s %11s %6s %15s %11s %-8s %15s\n", "loss", "expected", "fitted time",
            "M range", "points", "k ± stderr", "band", "verdict", "k (whole step)");
    int off = 0, any = 0;
    for (size_t l = 0; l < NL; l++)
        if (fp.np[l]) {
            any = 1;
            off |= fit_one(&fp, l, wall, report, out, &o, sizeof out);
        }
    if (!any) {
        fprintf(stderr, "dmlbench: fit: %s has no single-thread loss rows with M >= %g\n", csv, min_M);
        return 1;
    }
    char err[512];
    if (out_csv && write_file_atomic(out_csv, out, o, err, sizeof err)) {
        fprintf(stderr, "dmlbench: fit: %s\n", err);
        return 1;
    }
    if (off && advisory)
        fprintf(report, "(advisory: the quick grid is too small and too short for a verdict; "
                        "the full `make sweep` enforces it)\n");
    return off && !advisory ? 3 : 0;
}
