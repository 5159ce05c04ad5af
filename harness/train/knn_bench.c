/* knn_bench.c — `dmlbench knn` (see knn_bench.h).
 *
 * The set: `classes` Gaussian clusters in D dimensions, unit rows (cosine =
 * inner product, as IndexFlatIP compares them).  Each K is timed `rounds`
 * times, the Ks interleaved, on this thread's CPU clock (the caller binds
 * it); best and median are reported with Recall@1 and Recall@K. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/rng.h"
#include "core/stats.h"
#include "core/timing.h"
#include "train/knn_bench.h"
#include "train/knn_search.h"

static void make_set(const knn_bench_opts *o, float *Y, int32_t *labels)
{
    rng r;
    rng_seed(&r, o->seed);
    float *centre = malloc(o->classes * o->d * sizeof *centre);
    for (size_t i = 0; i < o->classes * o->d; i++) centre[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < o->n; i++) {
        labels[i] = (int32_t)(i % o->classes);
        float *y = Y + i * o->d;
        double ss = 0;
        for (size_t j = 0; j < o->d; j++) {
            y[j] = centre[(size_t)labels[i] * o->d + j] + 3.5f * (float)rng_normal(&r);
            ss += (double)y[j] * y[j];
        }
        for (size_t j = 0; j < o->d; j++) y[j] = (float)(y[j] / sqrt(ss));
    }
    free(centre);
}

static int write_bin(const char *dir, const char *name, const void *a, size_t alen, const void *b,
                     size_t blen, const uint64_t *head, int nhead)
{
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fileio_tmp(err, sizeof err);
    if (!f) return die("knn: cannot write %s: %s", path, err);
    int bad = (nhead && fwrite(head, sizeof *head, (size_t)nhead, f) != (size_t)nhead) ||
              fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen);
    if (bad) {
        fclose(f);
        return die("knn: short write to a temporary file for %s", path);
    }
    return write_stream_atomic(f, path, err, sizeof err) ? die("knn: %s", err) : 0;
}

typedef struct k_result { double t[64], best, median, r1, rk; } k_result;

static void recalls(const knn_bench_opts *o, size_t K, const int32_t *idx, const int32_t *labels,
                    k_result *res)
{
    size_t hit1 = 0, hitk = 0;
    for (size_t i = 0; i < o->n; i++) {
        hit1 += labels[idx[i * K]] == labels[i];
        for (size_t r = 0; r < K; r++)
            if (labels[idx[i * K + r]] == labels[i]) { hitk++; break; }
    }
    res->r1 = (double)hit1 / (double)o->n;
    res->rk = (double)hitk / (double)o->n;
}

static int write_json(const knn_bench_opts *o, const k_result *res)
{
    char buf[4096];
    size_t off = (size_t)snprintf(buf, sizeof buf,
                                  "{\"n\": %zu, \"d\": %zu, \"classes\": %zu, \"isa\": \"%s\", "
                                  "\"threads\": 1, \"rounds\": %d, \"results\": [",
                                  o->n, o->d, o->classes, dml_isa_name(o->isa), o->rounds);
    for (int q = 0; q < o->nk && off < sizeof buf; q++)
        off += (size_t)snprintf(buf + off, sizeof buf - off,
                                "%s{\"k\": %zu, \"best_s\": %.6f, \"median_s\": %.6f, "
                                "\"recall_at_1\": %.6f, \"recall_at_k\": %.6f}",
                                q ? ", " : "", o->k[q], res[q].best, res[q].median, res[q].r1, res[q].rk);
    if (off < sizeof buf) off += (size_t)snprintf(buf + off, sizeof buf - off, "]}\n");
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/knn_dmlbench.json", o->out);
    if (off >= sizeof buf || write_file_atomic(path, buf, off, err, sizeof err))
        return die("knn: cannot write %s: %s", path, off >= sizeof buf ? "too many K" : err);
    return 0;
}

/* Every K, `rounds` times interleaved; the last round's lists are kept. */
static int time_all(const knn_bench_opts *o, const float *Y, int32_t **idx, float *sim, k_result *res)
{
    char err[256];
    for (int r = 0; r < o->rounds; r++)
        for (int q = 0; q < o->nk; q++) {
            double t0 = dml_thread_cpu_ns();
            if (knn_search(Y, o->n, o->d, o->k[q], o->isa, idx[q], sim, err, sizeof err))
                return die("knn: %s", err);
            res[q].t[r] = (dml_thread_cpu_ns() - t0) / 1e9;
        }
    for (int q = 0; q < o->nk; q++) {
        sample_stats st = stats_of(res[q].t, (size_t)o->rounds);
        res[q].best = st.min, res[q].median = st.median;
    }
    return 0;
}

int knn_bench_main(const knn_bench_opts *o)
{
    size_t kmax = 0;
    for (int q = 0; q < o->nk; q++) kmax = o->k[q] > kmax ? o->k[q] : kmax;
    float *Y = malloc(o->n * o->d * sizeof *Y), *sim = malloc(o->n * kmax * sizeof *sim);
    int32_t *labels = malloc(o->n * sizeof *labels), *idx[KNN_BENCH_MAX_K] = { 0 };
    int rc = !Y || !sim || !labels;
    for (int q = 0; q < o->nk && !rc; q++) rc = !(idx[q] = malloc(o->n * o->k[q] * sizeof **idx));
    k_result res[KNN_BENCH_MAX_K];
    memset(res, 0, sizeof res);
    if (rc) rc = die("knn: out of memory (n = %zu, d = %zu)", o->n, o->d);
    if (!rc && mkdir_p(o->out)) rc = die("knn: cannot create %s", o->out);
    if (!rc) {
        make_set(o, Y, labels);
        uint64_t head[3] = { 0x314e4b4e4c4d44ull /* "DMLNKN1" */, o->n, o->d };
        rc = write_bin(o->out, "knn_data.bin", labels, o->n * sizeof *labels, Y,
                       o->n * o->d * sizeof *Y, head, 3);
    }
    if (!rc) rc = time_all(o, Y, idx, sim, res);
    printf("dmlbench knn: %zu queries against themselves, D = %zu, %zu classes, isa %s, one thread, "
           "%d rounds\n", o->n, o->d, o->classes, dml_isa_name(o->isa), o->rounds);
    for (int q = 0; q < o->nk && !rc; q++) {
        recalls(o, o->k[q], idx[q], labels, &res[q]);
        char name[64];
        snprintf(name, sizeof name, "knn_top%zu.i32", o->k[q]);
        rc = write_bin(o->out, name, idx[q], o->n * o->k[q] * sizeof **idx, NULL, 0, NULL, 0);
        printf("  top %-5zu best %.3f s  median %.3f s  Recall@1 %.4f  Recall@%zu %.4f\n", o->k[q],
               res[q].best, res[q].median, res[q].r1, o->k[q], res[q].rk);
    }
    if (!rc) rc = write_json(o, res);
    free(Y); free(sim); free(labels);
    for (int q = 0; q < o->nk; q++) free(idx[q]);
    return rc;
}
