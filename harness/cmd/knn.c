/* knn.c — `dmlbench knn`: exact k-NN search of a synthetic labelled set
 * against itself, timed on one thread bound inside the allowed cpuset; the
 * set and the lists go to --out for scripts/faiss_bench.py (train/knn_bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/prov.h"
#include "train/knn_bench.h"

static const char knn_usage[] =
    "usage: dmlbench knn [--n 10000] [--d 128] [--classes 10] [--k 9,999] [--rounds 3]\n"
    "                    [--isa ref|avx2|avx512|neon] [--seed 1] [--out build/knn]\n"
    "  the K nearest of each of n unit vectors among the others (cosine), one thread;\n"
    "  writes knn_data.bin, knn_top<K>.i32 and knn_dmlbench.json to --out\n";

static int parse_ks(const char *v, knn_bench_opts *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    o->nk = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->nk == KNN_BENCH_MAX_K) return die("knn: --k: at most %d values", KNN_BENCH_MAX_K);
        if (parse_size(t, &o->k[o->nk]) || o->k[o->nk] == 0)
            return die("knn: --k: '%s' is not a positive integer", t);
        o->nk++;
    }
    return o->nk ? 0 : die("knn: --k: no value");
}

static int parse_opt(const char *key, const char *val, knn_bench_opts *o)
{
    long l;
    if (!strcmp(key, "--k")) return parse_ks(val, o);
    if (!strcmp(key, "--out")) { o->out = val; return 0; }
    if (!strcmp(key, "--isa"))
        return dml_isa_parse(val, &o->isa) != DML_OK ? die("knn: --isa: unknown ISA '%s'", val) : 0;
    if (!strcmp(key, "--seed")) return parse_u64(val, &o->seed) ? die("knn: --seed: '%s' is not an integer", val) : 0;
    if (!strcmp(key, "--rounds")) {
        if (parse_int(val, 1, 64, &l)) return die("knn: --rounds: '%s' is not in 1..64", val);
        o->rounds = (int)l;
        return 0;
    }
    size_t *z = !strcmp(key, "--n") ? &o->n : !strcmp(key, "--d") ? &o->d
              : !strcmp(key, "--classes") ? &o->classes : NULL;
    if (!z) return die("knn: unknown option '%s' (dmlbench knn --help)", key);
    if (parse_size(val, z) || *z == 0) return die("knn: %s: '%s' is not a positive integer", key, val);
    return 0;
}

void cmd_knn_usage(FILE *f) { fputs(knn_usage, f); }

int cmd_knn(int argc, char **argv)
{
    knn_bench_opts o = { .n = 10000, .d = 128, .classes = 10, .k = { 9, 999 }, .nk = 2,
                         .rounds = 3, .seed = 1, .isa = DML_ISA_AUTO, .out = "build/knn" };
    for (int i = 0; i < argc; i += 2) { /* every option takes a value */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(knn_usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) return die("knn: %s needs a value (dmlbench knn --help)", argv[i]);
        if (parse_opt(argv[i], argv[i + 1], &o)) return 1;
    }
    for (int q = 0; q < o.nk; q++)
        if (o.k[q] >= o.n) return die("knn: --k %zu: needs K < n = %zu", o.k[q], o.n);
    if (o.classes > o.n) return die("knn: --classes %zu is more than --n %zu", o.classes, o.n);
    if (dml_isa_init() != DML_OK) return die("knn: %s", dml_last_error());
    if (o.isa == DML_ISA_AUTO) o.isa = dml_isa_default();
    if (!dml_isa_supported(o.isa)) return die("knn: --isa %s: this CPU does not run it", dml_isa_name(o.isa));
    char binding[256];
    prov_bind_threads(1, binding, sizeof binding);
    printf("threads: %s\n", binding);
    return knn_bench_main(&o);
}
