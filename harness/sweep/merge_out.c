/* merge_out.c — what `dmlbench merge` writes for one study, from shards
 * already checked (merge.c): <study>.csv (every row, in point order, each
 * naming its host), <study>.json (every shard, host and CPU, and which CPU
 * the timings are read from), <study>.meta.gp (the figures' label, with
 * TIMING_HOSTS when the rows come from several CPU models), and the
 * complexity check of a study with fit_min_M.
 *
 * Rows from different CPU models are all kept, but times from two CPUs do
 * not belong on one curve: the fit and the timing figures use the CPU model
 * with the most rows (ties: the first shard's), and say so. */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/jsonread.h"
#include "point/loss_style.h"
#include "sweep/fit.h"
#include "sweep/merge.h"
#include "sweep/study.h"

enum { MAXH = 256 };

/* The hosts of the rows, each with its CPU model (from the shard that ran
 * on it) and its row count. */
typedef struct hosts {
    char host[MAXH][256];
    const char *cpu[MAXH];
    size_t rows[MAXH];
    int n;
    const char *main_cpu;
    size_t main_rows;
} hosts;

static const char *cpu_of(const merged_study *ms, const char *host, const shard_file *src)
{
    if (!strcmp(src->host, host)) return src->cpu;
    for (int k = 0; k < ms->n; k++)
        if (!strcmp(ms->shards[k]->host, host)) return ms->shards[k]->cpu;
    return "unknown"; /* a row resumed from a host no shard of this merge ran on */
}

static void count_hosts(const merged_study *ms, hosts *h)
{
    int ch = csv_find(csv_header(), "host");
    h->n = 0;
    for (size_t p = 0; p < ms->total; p++) {
        char name[256];
        csv_get(ms->row[p], ch, name, sizeof name);
        int i = 0;
        while (i < h->n && strcmp(h->host[i], name)) i++;
        if (i == h->n && h->n < MAXH) {
            memcpy(h->host[i], name, sizeof name);
            h->cpu[i] = cpu_of(ms, name, ms->src[p]);
            h->rows[i] = 0;
            h->n++;
        }
        if (i < h->n) h->rows[i]++;
    }
    h->main_cpu = ms->shards[0]->cpu;
    h->main_rows = 0;
    for (int i = 0; i < h->n; i++) { /* rows per CPU model, the largest wins */
        size_t r = 0;
        for (int j = 0; j < h->n; j++) r += strcmp(h->cpu[j], h->cpu[i]) ? 0 : h->rows[j];
        if (r > h->main_rows) { h->main_rows = r; h->main_cpu = h->cpu[i]; }
    }
}

static int on_main_cpu(const hosts *h, const char *row)
{
    char name[256];
    csv_get(row, csv_find(csv_header(), "host"), name, sizeof name);
    for (int i = 0; i < h->n; i++)
        if (!strcmp(h->host[i], name)) return !strcmp(h->cpu[i], h->main_cpu);
    return 0;
}

/* The merged rows (all, or only the main CPU's) as one CSV file. */
static int write_rows(const char *path, const merged_study *ms, const hosts *h, int main_only)
{
    sbuf b = { 0 };
    sb_add(&b, "%s\n", csv_header());
    for (size_t p = 0; p < ms->total; p++)
        if (!main_only || on_main_cpu(h, ms->row[p])) sb_add(&b, "%s\n", ms->row[p]);
    char err[1200];
    int rc = write_file_atomic(path, b.s, b.n, err, sizeof err);
    free(b.s);
    return rc ? die("merge: %s", err) : 0;
}

/* Member key of the main shard's JSON, copied as it stands. */
static void copy_member(FILE *f, const char *json, const char *key)
{
    const char *v = jr_member(json, key), *e = v ? jr_end(v) : NULL;
    if (!e) return;
    fprintf(f, ",\n  \"%s\": %.*s", key, (int)(e - v), v);
}

static const shard_file *main_shard(const merged_study *ms, const hosts *h)
{
    for (int k = 0; k < ms->n; k++)
        if (!strcmp(ms->shards[k]->cpu, h->main_cpu)) return ms->shards[k];
    return ms->shards[0];
}

/* One entry per shard: its file, host, CPU, rows, time and date. */
static void write_merged_from(FILE *f, const merged_study *ms)
{
    fprintf(f, ",\n  \"merged_from\": [");
    for (int k = 0; k < ms->n; k++) {
        const shard_file *s = ms->shards[k];
        const char *el = jr_member(s->json_text, "elapsed_s"), *dt = jr_member(s->json_text, "date");
        fprintf(f, "%s\n    {\"shard\": %d, \"of\": %d, \"rows\": %zu", k ? "," : "", k, ms->n, s->nrows);
        json_kv(f, ", \"csv\": ", s->csv);
        json_kv(f, ", \"host\": ", s->host);
        json_kv(f, ", \"cpu\": ", s->cpu);
        if (el) fprintf(f, ", \"elapsed_s\": %.*s", (int)(jr_end(el) - el), el);
        if (dt) fprintf(f, ", \"date\": %.*s", (int)(jr_end(dt) - dt), dt);
        fprintf(f, "}");
    }
    fprintf(f, "\n  ]");
}

/* Every host with its CPU and rows, and the CPU model whose rows the timings use. */
static void write_hosts(FILE *f, const merged_study *ms, const hosts *h)
{
    fprintf(f, ",\n  \"hosts\": [");
    for (int i = 0; i < h->n; i++) {
        json_kv(f, i ? ",\n    {\"host\": " : "\n    {\"host\": ", h->host[i]);
        json_kv(f, ", \"cpu\": ", h->cpu[i]);
        fprintf(f, ", \"rows\": %zu}", h->rows[i]);
    }
    json_kv(f, "\n  ],\n  \"timing_cpu\": {\"model\": ", h->main_cpu);
    fprintf(f, ", \"rows\": %zu, \"of\": %zu, \"note\": ", h->main_rows, ms->total);
    json_str(f, h->main_rows == ms->total ? "every row ran on this CPU model"
                : "rows from several CPU models: the complexity fit and the timing figures use this model's rows only");
    fprintf(f, "}");
}

static int write_json_merged(const char *path, const char *csv, const merged_study *ms, const hosts *h)
{
    char err[FILEIO_PATH_MAX + 200];
    FILE *f = fileio_tmp(err, sizeof err);
    if (!f) return die("merge: %s", err);
    const shard_file *m = main_shard(ms, h);
    json_kv(f, "{\n  \"study\": ", ms->name);
    copy_member(f, m->json_text, "title");
    copy_member(f, m->json_text, "definition");
    json_kv(f, ",\n  \"csv\": ", csv);
    fprintf(f, ",\n  \"quick\": %s,\n  \"points\": %zu", m->quick ? "true" : "false", ms->total);
    json_kv(f, ",\n  \"points_hash\": ", m->hash);
    write_merged_from(f, ms);
    write_hosts(f, ms, h);
    static const char *const copied[] = { "git", "compiler", "flags", "isa", "cpu", "threads", "seed",
                                          "generator", "training", "passes", "timing", "columns" };
    for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) copy_member(f, m->json_text, copied[i]);
    fprintf(f, "\n}\n");
    return write_stream_atomic(f, path, err, sizeof err) ? die("merge: %s", err) : 0;
}

/* The main CPU's label; TIMING_HOSTS (plots/common.gp's tsel) when several models ran. */
static int write_meta_merged(const char *path, const merged_study *ms, const hosts *h)
{
    sbuf b = { 0 };
    sb_add(&b, "# written by dmlbench merge: the label of every figure drawn from %s\n", ms->name);
    sb_add(&b, "META = \"%s", main_shard(ms, h)->meta);
    if (h->n > 1) sb_add(&b, " | %d hosts", h->n);
    if (h->main_rows != ms->total) {
        sb_add(&b, " | timings: %zu of %zu rows, this CPU only\"\nTIMING_HOSTS = \"", h->main_rows, ms->total);
        for (int i = 0; i < h->n; i++)
            if (!strcmp(h->cpu[i], h->main_cpu)) sb_add(&b, "%s ", h->host[i]);
    }
    sb_add(&b, "\"\n");
    loss_style_lines(&b); /* as the sweep writes them: the losses' titles and colours */
    char err[1200];
    int rc = write_file_atomic(path, b.s, b.n, err, sizeof err);
    free(b.s);
    return rc ? die("merge: %s", err) : 0;
}

int merge_write(const char *out, const merged_study *ms)
{
    static hosts h;
    count_hosts(ms, &h);
    /* cmd/merge.c bounds out, and a study's name is under 256 characters */
    char csv[FILEIO_PATH_MAX], json[FILEIO_PATH_MAX], meta[FILEIO_PATH_MAX],
        fitrows[FILEIO_PATH_MAX], cx[FILEIO_PATH_MAX];
    if (strlen(out) + strlen(ms->name) + 20 > FILEIO_PATH_MAX)
        return die("merge: --out: the path %s/%s.* is too long", out, ms->name);
    snprintf(csv, sizeof csv, "%s/%s.csv", out, ms->name);
    snprintf(json, sizeof json, "%s/%s.json", out, ms->name);
    snprintf(meta, sizeof meta, "%s/%s.meta.gp", out, ms->name);
    if (write_rows(csv, ms, &h, 0) || write_json_merged(json, csv, ms, &h) || write_meta_merged(meta, ms, &h))
        return 1;
    fprintf(stderr, "[%s] merged %d shard%s, %zu points from %d host%s: wrote %s and %s\n", ms->name, ms->n,
            ms->n == 1 ? "" : "s", ms->total, h.n, h.n == 1 ? "" : "s", csv, json);
    double fm = ms->shards[0]->fit_min_M;
    if (fm <= 0) return 0;
    const char *fitted = csv;
    if (h.main_rows != ms->total) { /* the fit reads one CPU model's rows, kept beside the CSV */
        snprintf(fitrows, sizeof fitrows, "%s/%s.fit-rows.csv", out, ms->name);
        if (write_rows(fitrows, ms, &h, 1)) return 1;
        fprintf(stderr, "[%s] the fit uses the %zu rows from %s (%s)\n", ms->name, h.main_rows, h.main_cpu, fitrows);
        fitted = fitrows;
    }
    snprintf(cx, sizeof cx, "%s/complexity.csv", out);
    int rc = complexity_check(fitted, cx, fm, ms->shards[0]->quick, stdout);
    fflush(stdout);
    return rc;
}
