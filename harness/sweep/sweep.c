/* sweep.c — sweep_main (see sweep.h): every study parsed and expanded first
 * (a bad definition runs nothing), then each run pass after pass over its
 * points, each point's row written to <study>.partial.csv as soon as it is
 * measured (what --resume reads), <study>.csv, .json and .meta.gp when the
 * study ends, all through a temporary file and rename; then the fit of a
 * study that asks for one. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/prov.h"
#include "core/threads.h"
#include "core/timing.h"
#include "point/batch.h"
#include "sweep/fit.h"
#include "sweep/study.h"
#include "sweep/sweep.h"

/* A point never runs on more threads than the CPUs this process was given
 * (a Slurm task's -c, a taskset): refused before anything runs. */
static int check_cpus(const sweep_opts *o, const study *studies, int max_threads)
{
    char why[96];
    int cpus = shard_cpus(why, sizeof why);
    if (max_threads <= cpus) return 0;
    if (o->threads > cpus)
        return die("sweep: --threads %d, but %s allows %d CPU%s", o->threads, why, cpus, cpus == 1 ? "" : "s");
    for (int i = 0; i < o->nfiles; i++)
        for (size_t p = 0; p < studies[i].n; p++)
            if (studies[i].pts[p].sp.threads > cpus)
                return die("sweep: %s: point %zu (%s) needs %d threads, but %s allows %d CPU%s "
                           "(give the task more: sbatch -c %d)", studies[i].path, studies[i].pts[p].gidx,
                           studies[i].pts[p].key, studies[i].pts[p].sp.threads, why, cpus, cpus == 1 ? "" : "s",
                           studies[i].pts[p].sp.threads);
    return 0;
}

/* Every definition parsed and expanded, or 1 after the messages. */
static int load_all(const sweep_opts *o, study *studies, int *max_threads)
{
    int bad = 0;
    *max_threads = o->threads;
    for (int i = 0; i < o->nfiles; i++) {
        if (load_study(o->files[i], o->quick, o->threads, &studies[i])) { bad = 1; continue; }
        shard_select(&studies[i], o->shard_k, o->shard_n);
        for (int j = 0; j < i; j++)
            if (!strcmp(studies[j].name, studies[i].name)) {
                fprintf(stderr, "dmlbench: %s: study '%s' is also defined by %s\n", o->files[i],
                        studies[i].name, o->files[j]);
                bad = 1;
            }
        for (size_t p = 0; p < studies[i].n; p++)
            if (studies[i].pts[p].sp.threads > *max_threads) *max_threads = studies[i].pts[p].sp.threads;
    }
    return bad;
}

/* --out is at most FILEIO_PATH_MAX - 128 characters (cmd/sweep.c), a study name 100. */
typedef struct paths { char csv[FILEIO_PATH_MAX], partial[FILEIO_PATH_MAX], json[FILEIO_PATH_MAX],
                       meta[FILEIO_PATH_MAX]; } paths;

/* <study>.csv ..., or <study>.shard-K-of-N.csv ... for a shard. */
static void study_paths(const sweep_opts *o, const study *st, paths *ps)
{
    char stem[FILEIO_PATH_MAX - 16]; /* room for the longest suffix below */
    if (o->shard_n) snprintf(stem, sizeof stem, "%s/%s.shard-%d-of-%d", o->out, st->name, o->shard_k, o->shard_n);
    else snprintf(stem, sizeof stem, "%s/%s", o->out, st->name);
    snprintf(ps->csv, sizeof ps->csv, "%s.csv", stem);
    snprintf(ps->partial, sizeof ps->partial, "%s.partial.csv", stem);
    snprintf(ps->json, sizeof ps->json, "%s.json", stem);
    snprintf(ps->meta, sizeof ps->meta, "%s.meta.gp", stem);
}

/* --resume: rows of an earlier run; 1 when the study is complete and written. */
static int resume_study(study *st, const paths *ps, size_t *resumed)
{
    /* what a killed run was writing */
    fileio_clean_stale(ps->csv); fileio_clean_stale(ps->partial);
    fileio_clean_stale(ps->json); fileio_clean_stale(ps->meta);
    *resumed = resume_from(st, ps->csv);
    int complete = *resumed == st->n;
    for (size_t i = 0; i < st->n; i++) complete &= st->pts[i].passes_done >= st->passes;
    if (!complete) *resumed += resume_from(st, ps->partial);
    if (complete && access(ps->json, F_OK) == 0) {
        fprintf(stderr, "[%s] %zu/%zu points: up to date (--resume)\n", st->name, st->n, st->n);
        return 1;
    }
    return 0;
}

/* Pass after pass; in each, 1-thread points first, so that a multi-thread
 * point finds its 1-thread reference value.  Returns 0 or 1 (message printed). */
static int run_passes(study *st, const paths *ps, double t0)
{
    size_t done = 0;
    char err[1024];
    for (size_t i = 0; i < st->n; i++)
        done += (size_t)(st->pts[i].passes_done < st->passes ? st->pts[i].passes_done : st->passes);
    st->todo = st->n * (size_t)st->passes;
    /* Every loss point against the memory left before the first one runs:
     * a study that could not finish stops now, not hours in (each point is
     * checked again as it starts). */
    for (size_t i = 0; i < st->n; i++)
        if (st->pts[i].kind == PK_LOSS && st->pts[i].passes_done < st->passes &&
            point_fits(&st->pts[i].sp, err, sizeof err))
            return die("sweep: %s: point %zu (%s): %s", st->path, i, st->pts[i].key, err);
    for (int pass = 1; pass <= st->passes; pass++)
        for (int mt = 0; mt < 2; mt++)
            for (size_t i = 0; i < st->n; i++) {
                sweep_point *p = &st->pts[i];
                if (p->passes_done >= pass || mt != (p->sp.threads > 1)) continue;
                progress(st, done, (dml_now_ns() - t0) / 1e9, 0);
                double tp = dml_now_ns();
                if (run_point(st, i, err, sizeof err)) {
                    fprintf(stderr, "\n");
                    return die("sweep: %s: point %zu (%s): %s", st->path, i, p->key, err);
                }
                done++;
                eta_done(p, (dml_now_ns() - tp) / 1e9); /* the ETA's rate, calibrated on this run */
                if (write_csv(st, ps->partial, err, sizeof err)) return die("sweep: %s", err);
            }
    progress(st, done, (dml_now_ns() - t0) / 1e9, 1);
    return 0;
}

/* A fitted study's points whose two fastest passes (by thread CPU time:
 * run.c keep_pass) disagree by more than SETTLE_SPREAD (a neighbour took
 * the core or its cache during one): rerun, a pass at a time, up to
 * SETTLE_EXTRA more passes, until they agree; the fastest is kept.  What still disagrees is named (the fit then judges
 * with the scatter it sees: "too noisy" rather than "off"). */
#define SETTLE_SPREAD 0.15
#define SETTLE_EXTRA 3
static int disagrees(const study *st, const sweep_point *p)
{
    return p->kind == PK_LOSS && p->sp.batch.M >= st->fit_min_M && p->best_judged > 0 &&
           isfinite(p->second_judged) && p->second_judged > p->best_judged * (1 + SETTLE_SPREAD);
}

static int settle_rounds(study *st, const paths *ps)
{
    if (st->fit_min_M <= 0 || st->passes < 2) return 0;
    char err[1024];
    size_t rerun = 0, still = 0;
    for (size_t i = 0; i < st->n; i++) {
        sweep_point *p = &st->pts[i];
        int extra = 0;
        if (disagrees(st, p)) /* a line a point: the reruns are not silent minutes */
            fprintf(stderr, "[%s] point %zu: fastest passes differ by %.0f %%, rerunning it (at most %d more)\n",
                    st->name, p->gidx, 100 * (p->second_judged / p->best_judged - 1), SETTLE_EXTRA);
        for (; extra < SETTLE_EXTRA && disagrees(st, p); extra++) {
            if (run_point(st, i, err, sizeof err))
                return die("sweep: %s: point %zu (%s): %s", st->path, i, p->key, err);
            if (write_csv(st, ps->partial, err, sizeof err)) return die("sweep: %s", err);
        }
        rerun += extra > 0;
        if (disagrees(st, p)) {
            still++;
            fprintf(stderr, "[%s] point %zu (%s): its two fastest of %d passes still differ by %.0f %%\n", st->name,
                    p->gidx, p->key, p->passes_done, 100 * (p->second_judged / p->best_judged - 1));
        }
    }
    if (rerun || still)
        fprintf(stderr, "[%s] %zu point(s) rerun because their fastest passes differed by > %.0f %%; %zu still do\n",
                st->name, rerun, 100 * SETTLE_SPREAD, still);
    return 0;
}

/* The complexity check of a study with fit_min_M; folds its verdict into rc. */
static int fit_study(const sweep_opts *o, const study *st, const paths *ps, int rc)
{
    if (st->fit_min_M <= 0 || o->shard_n) return rc; /* a shard's fit is merge's */
    char cx[FILEIO_PATH_MAX];
    snprintf(cx, sizeof cx, "%s/complexity.csv", o->out);
    int frc = complexity_check(ps->csv, cx, st->fit_min_M, o->quick, stdout);
    fflush(stdout);
    return frc == 1 ? 1 : frc == 3 && rc == 0 ? 3 : rc;
}

/* One study, run and written; rc so far in, rc out. */
static int run_study(const sweep_opts *o, study *st, run_info *ri, int rc)
{
    paths ps;
    study_paths(o, st, &ps);
    ri->resumed = 0;
    if (!(o->resume && resume_study(st, &ps, &ri->resumed))) {
        double t0 = dml_now_ns();
        int failed = run_passes(st, &ps, t0) || settle_rounds(st, &ps);
        batch_kept_for(NULL); /* the study's last batch: not held into the next */
        if (failed) return 1;
        ri->elapsed_s = (dml_now_ns() - t0) / 1e9;
        char err[1024];
        if (write_csv(st, ps.csv, err, sizeof err) || write_json(st, ps.json, ps.csv, ri, err, sizeof err) ||
            (!o->shard_n && write_meta(st, ps.meta, ri->pv, err, sizeof err)))
            return die("sweep: %s", err);
        unlink(ps.partial);
        fprintf(stderr, "[%s] wrote %s and %s\n", st->name, ps.csv, ps.json);
    }
    return fit_study(o, st, &ps, rc);
}

static int free_studies(study *studies, int n, int rc)
{
    for (int i = 0; i < n; i++) study_free(&studies[i]);
    free(studies);
    return rc;
}

int sweep_main(const sweep_opts *o)
{
    dml_status ist = dml_isa_init();
    if (ist != DML_OK) return die("sweep: %s", dml_last_error());
    study *studies = calloc((size_t)o->nfiles, sizeof *studies);
    if (!studies) return die("sweep: out of memory");
    int max_threads;
    if (load_all(o, studies, &max_threads)) return free_studies(studies, o->nfiles, 1);
    if (o->threads_needed) { /* for the engines: how many CPUs a task asks for */
        printf("%d\n", max_threads);
        return free_studies(studies, o->nfiles, 0);
    }
    if (check_cpus(o, studies, max_threads)) return free_studies(studies, o->nfiles, 1);
    char terr[200];
    if (threads_can_start(max_threads, terr, sizeof terr))
        return free_studies(studies, o->nfiles, die("sweep: %d threads: %s", max_threads, terr));
    if (mkdir_p(o->out))
        return free_studies(studies, o->nfiles, die("sweep: cannot create %s: %s", o->out, strerror(errno)));
    char binding[2048];
    prov_bind_threads(max_threads, binding, sizeof binding);
    prov pv;
    prov_collect(&pv);
    char shard[200] = "";
    if (o->shard_n) snprintf(shard, sizeof shard, ", shard %d of %d on %s", o->shard_k, o->shard_n, host_name());
    fprintf(stderr, "dmlbench sweep: %d stud%s%s%s, commit %.12s%s, threads bound: %s\n", o->nfiles,
            o->nfiles == 1 ? "y" : "ies", o->quick ? " (quick)" : "", shard, pv.commit, pv.dirty > 0 ? "+dirty" : "",
            binding);
    run_info ri = { .pv = &pv, .quick = o->quick, .max_threads = max_threads, .binding = binding,
                    .shard_k = o->shard_k, .shard_n = o->shard_n };
    char pfile[FILEIO_PATH_MAX] = "";
    if (o->shard_n) snprintf(pfile, sizeof pfile, "%s/progress.%d-of-%d", o->out, o->shard_k, o->shard_n);
    progress_begin(studies, o->nfiles, pfile);
    int rc = 0;
    for (int si = 0; si < o->nfiles && rc != 1; si++)
        rc = run_study(o, &studies[si], &ri, rc);
    free_studies(studies, o->nfiles, 0);
    if (rc == 3)
        fprintf(stderr, "dmlbench: sweep: a loss is off its expected order (table above)\n");
    return rc;
}
