/* records.c — what a study leaves beside its CSV: <study>.json (what was
 * run, on what, by what: the provenance of core/prov.h) and <study>.meta.gp
 * (the one-line label of every figure drawn from it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/json.h"
#include "point/loss_style.h"
#include "sweep/study.h"

/* The distinct ISAs the points ran on, in order: as a JSON list, or joined by '+'. */
static void json_isas_used(FILE *f, const study *st)
{
    const char *seen[64];
    int ns = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *isa = st->pts[i].isa;
        int dup = !*isa;
        for (int j = 0; j < ns && !dup; j++) dup = !strcmp(seen[j], isa);
        if (!dup && ns < 64) {
            fprintf(f, "%s", ns ? ", " : "");
            json_str(f, isa);
            seen[ns++] = isa;
        }
    }
}

/* The ISAs for which pred holds, as a JSON list of names. */
static void json_isa_list(FILE *f, int (*pred)(dml_isa))
{
    for (int i = 0, c = 0; i < DML_ISA_COUNT; i++)
        if (pred((dml_isa)i))
            fprintf(f, "%s\"%s\"", c++ ? ", " : "", dml_isa_name((dml_isa)i));
}

static void json_machine(FILE *f, const study *st, const run_info *ri)
{
    const prov *pv = ri->pv;
    json_kv(f, "  \"date\": ", pv->date);
    json_kv(f, ",\n  \"git\": {\"commit\": ", pv->commit);
    fprintf(f, ", \"dirty\": %s, ", pv->dirty < 0 ? "null" : pv->dirty ? "true" : "false");
    json_kv(f, "\"dirty_compares\": ", PROV_DIRTY_SCOPE);
    fprintf(f, "},\n");
    json_kv(f, "  \"compiler\": ", pv->compiler);
    json_kv(f, ",\n  \"flags\": ", pv->flags);
    fprintf(f, ",\n  \"isa\": {\"used\": [");
    json_isas_used(f, st);
    fprintf(f, "], \"supported\": [");
    json_isa_list(f, dml_isa_supported);
    fprintf(f, "], \"compiled\": [");
    json_isa_list(f, dml_isa_compiled);
    fprintf(f, "], \"default\": \"%s\"},\n", dml_isa_name(dml_isa_default()));
    json_kv(f, "  \"cpu\": {\"model\": ", pv->cpu_model);
    fprintf(f, ", \"packages\": %d, \"cores\": %d, \"pus\": %d, \"machine_cores\": %d, \"machine_pus\": %d, \"cpuset\": ",
            pv->packages, pv->cores, pv->pus, pv->machine_cores, pv->machine_pus);
    json_str(f, pv->cpuset);
    fprintf(f, ", \"hwloc\": ");
    json_str(f, pv->hwloc);
    json_kv(f, ", \"os\": ", pv->host_os);
    fprintf(f, ",\n          \"caches\": [");
    for (int i = 0; i < pv->ncaches; i++) {
        const prov_cache *c = &pv->caches[i];
        fprintf(f, "%s{\"level\": %d, \"type\": \"%s\", \"size_bytes\": %llu, \"count\": %d, \"shared_by_pus\": %d}",
                i ? ", " : "", c->level, c->type, c->size, c->count, c->shared_by);
    }
    fprintf(f, "]},\n  \"threads\": {\"max\": %d, \"per_point\": \"column threads\", \"binding\": ", ri->max_threads);
    json_str(f, ri->binding);
    fprintf(f, "},\n");
}

/* What `dmlbench merge` checks and needs: which shard, of which point list
 * (points_hash covers the whole study's keys in order, so another
 * definition, grid or `threads all` expansion shows), the fit to run, the
 * figure label of this machine. */
static void json_shard(FILE *f, const study *st, const run_info *ri)
{
    fprintf(f, "  \"shard\": {\"k\": %d, \"n\": %d, \"points\": %zu, \"points_total\": %zu, "
               "\"threads_all_cores\": %d, \"fit_min_M\": %g,\n            \"meta\": ",
            ri->shard_k, ri->shard_n, st->n, st->total, prov_ncores(), st->fit_min_M);
    sbuf b = { 0 };
    meta_label(&b, st, ri->pv);
    json_str(f, b.s);
    free(b.s);
    fprintf(f, "},\n");
}

static void json_seeds(FILE *f, const study *st)
{
    fprintf(f, "  \"seed\": [");
    uint64_t seeds[64];
    int nseed = 0;
    for (size_t i = 0; i < st->n; i++) {
        uint64_t s = st->pts[i].sp.batch.seed;
        int dup = 0;
        for (int j = 0; j < nseed; j++) dup |= seeds[j] == s;
        if (!dup && nseed < 64) {
            fprintf(f, "%s%llu", nseed ? ", " : "", (unsigned long long)s);
            seeds[nseed++] = s;
        }
    }
    fprintf(f, "]");
}

/* A learning study: what was trained on what, how it was scored. */
static void json_training(FILE *f, const study *st)
{
    int learn = 0;
    for (size_t i = 0; i < st->n; i++) learn |= st->pts[i].kind == PK_TRAIN || st->pts[i].kind == PK_BASELINE;
    if (!learn) return;
    fprintf(f, ",\n  \"training\": ");
    json_str(f, "harness/train: Fashion-MNIST (IDX files of the Debian package dataset-fashion-mnist), standardised "
                "by one mean and std of all 60 000 training pixels; closed: train on the training set, retrieve among "
                "the test set; open: train on classes 0-4 of the training set, retrieve among the training and test "
                "images of classes 5-9; train_limit / eval_limit keep the first N of each. Network 784 -> H -> D (ReLU), "
                "class-balanced batches of M, AdamW (lr, wd 1e-4; proxies 100 x lr), the library's loss step. "
                "One row per evaluation (epoch 0 = untrained): exact cosine k-NN, query set = reference set, self "
                "left out; train_s = training wall time so far (evaluation excluded), train_cpu_s its thread CPU "
                "time, total_median_ms the median step. Baseline rows: retrieval on the pixels, x / 255 (name "
                "pixels) and standardised (pixels_standardised).");
}

/* How the inputs were made and how the times were taken. */
static void json_method(FILE *f, const study *st)
{
    json_training(f, st);
    fprintf(f, ",\n  \"generator\": ");
    json_str(f, "class-balanced batches (harness/point/batch.c): per_class samples from each of ceil(M/per_class) classes "
                "drawn without replacement from C; class centres uniform on the unit sphere; a sample is its centre "
                "plus Gaussian noise of expected norm `noise` (the difficulty), a proxy its centre plus noise of "
                "expected norm `proxy_noise`; xoshiro256** seeded by `seed`. classes_in_batch fixes the number of "
                "classes so that per_class = max(2, ceil(M/classes_in_batch)) grows with M.");
    fprintf(f, ",\n  \"passes\": %d", st->passes);
    fprintf(f, ",\n  \"timing\": ");
    json_str(f, "per point and pass: one pilot step (the first of `warmup`), the rest of `warmup` (at most max_seconds / pilot time), then reps = min(reps, max(3, max_seconds / pilot time)) "
                "timed steps; min/median/p90 of CLOCK_MONOTONIC per phase and per step (total_*), "
                "CLOCK_THREAD_CPUTIME_ID of the calling thread per step (cpu_*); with passes > 1 the row of the pass "
                "with the fastest step is kept. fwd_products_min_ms: the forward products (normalisations, S) timed alone "
                "with the same kernels and shapes; specific_min_ms: the forward step alone (no gradient) less those "
                "products; both the fastest sample's CLOCK_THREAD_CPUTIME_ID, the two timed in turn (single-thread "
                "points whose S fits the unfused step's cap only).");
    json_kv(f, ",\n  \"columns\": ", csv_header());
    fprintf(f, "\n}\n");
}

int write_json(const study *st, const char *path, const char *csv_path, const run_info *ri,
               char *err, size_t errlen)
{
    FILE *f = fileio_tmp(err, errlen);
    if (!f) return 1;
    json_kv(f, "{\n  \"study\": ", st->name);
    json_kv(f, ",\n  \"title\": ", st->title);
    json_kv(f, ",\n  \"definition\": ", st->path);
    json_kv(f, ",\n  \"csv\": ", csv_path);
    fprintf(f, ",\n  \"quick\": %s,\n  \"points\": %zu,\n  \"resumed_points\": %zu,\n  \"elapsed_s\": %.1f,\n",
            ri->quick ? "true" : "false", st->n, ri->resumed, ri->elapsed_s);
    fprintf(f, "  \"points_hash\": \"%016llx\",\n", st->points_hash);
    json_kv(f, "  \"host\": ", host_name());
    fprintf(f, ",\n");
    if (ri->shard_n) json_shard(f, st, ri);
    json_machine(f, st, ri);
    json_seeds(f, st);
    json_method(f, st);
    return write_stream_atomic(f, path, err, errlen);
}

void meta_label(sbuf *b, const study *st, const prov *pv)
{
    char isas[128] = "";
    size_t o = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *isa = st->pts[i].isa;
        if (!*isa || strstr(isas, isa)) continue;
        o += (size_t)snprintf(isas + o, o < sizeof isas ? sizeof isas - o : 0, "%s%s", o ? "+" : "", isa);
    }
    char l2[32] = "";
    for (int i = 0; i < pv->ncaches; i++)
        if (pv->caches[i].level == 2)
            snprintf(l2, sizeof l2, ", L2 %llu KiB/core", pv->caches[i].size / 1024);
    sb_add(b, "%s, %d core%s%s | isa %s | commit %.10s%s | %.10s", pv->cpu_model, pv->cores,
           pv->cores == 1 ? "" : "s", l2, isas, pv->commit,
           pv->dirty > 0 ? "+dirty" : "", pv->date);
}

int write_meta(const study *st, const char *path, const prov *pv, char *err, size_t errlen)
{
    sbuf b = { 0 };
    sb_add(&b, "# written by dmlbench sweep: the label of every figure drawn from %s\nMETA = \"", st->name);
    meta_label(&b, st, pv);
    sb_add(&b, "\"\n");
    loss_style_lines(&b); /* every loss's title, colour and point type */
    int rc = write_file_atomic(path, b.s, b.n, err, errlen);
    free(b.s);
    return rc;
}
