/* shard.c — `sweep --shard K/N`: which points of a study shard K runs, and
 * how many CPUs a shard's task may use.
 *
 * The split rule, the same on every host (it reads nothing but the points):
 *  - a point and its thread variants form one group, named by the point's
 *    key with threads=1 (point_key), so a multi-thread point always finds
 *    its 1-thread twin (value_err_vs_1thread) in its own shard;
 *  - groups are ordered by cost (the ETA's cost model, summed over the
 *    group), largest first, ties by the FNV-1a hash of the group key, then
 *    the key itself; the order of the definition's lines plays no part;
 *  - each group goes to the shard with the least cost so far (greedy
 *    longest-processing-time); equal loads go to the first of them counted
 *    from a shard chosen by the study's name, so that the heaviest group of
 *    every study does not land on shard 0.
 * Costs are sums of products of integers in the same order on every host,
 * so the split is bit-for-bit the same wherever it is computed. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/study.h"

unsigned long long shard_hash(unsigned long long h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

typedef struct group {
    char key[400];
    unsigned long long hash;
    double cost;
    int shard;
    size_t idx;          /* its place in the unsorted list */
} group;

static int by_cost(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->cost != y->cost) return x->cost > y->cost ? -1 : 1;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* The groups of st's points (gi[i]: point i's group); returns their count.
 * Groups are found through an open-addressing table on their key's hash,
 * so a study at the point cap (100 000) groups in linear time. */
static size_t make_groups(const study *st, group *g, size_t *gi)
{
    size_t cap = 64, ng = 0;
    while (cap < 2 * st->n) cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot); /* group index + 1, 0 empty */
    if (!slot) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    for (size_t i = 0; i < st->n; i++) {
        char k1[400];
        point_key(&st->pts[i], 1, k1, sizeof k1);
        unsigned long long h = shard_hash(SHARD_HASH0, k1);
        size_t s = (size_t)h & (cap - 1);
        while (slot[s] && strcmp(g[slot[s] - 1].key, k1)) s = (s + 1) & (cap - 1);
        if (!slot[s]) {
            memcpy(g[ng].key, k1, sizeof k1);
            g[ng].hash = h;
            g[ng].cost = 0;
            g[ng].idx = ng;
            slot[s] = ++ng;
        }
        size_t j = slot[s] - 1;
        g[j].cost += st->pts[i].cost;
        gi[i] = j;
    }
    free(slot);
    return ng;
}

/* Greedy LPT over the sorted groups. */
static void assign(group *g, size_t ng, int n, unsigned long long start)
{
    double *load = calloc((size_t)n, sizeof *load);
    if (!load) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    for (size_t j = 0; j < ng; j++) {
        int best = (int)(start % (unsigned)n);
        for (int s = 1; s < n; s++) {
            int c = (int)((start + (unsigned)s) % (unsigned)n);
            if (load[c] < load[best]) best = c;
        }
        load[best] += g[j].cost;
        g[j].shard = best;
    }
    free(load);
}

void shard_select(study *st, int k, int n)
{
    /* what makes shards of one study joinable: its points in order, and the
     * settings that are not in a key (passes, the fit) */
    char settings[64];
    snprintf(settings, sizeof settings, "passes=%d;fit_min_M=%g\n", st->passes, st->fit_min_M);
    unsigned long long h = shard_hash(SHARD_HASH0, settings);
    for (size_t i = 0; i < st->n; i++) {
        st->pts[i].gidx = i;
        h = shard_hash(shard_hash(h, st->pts[i].key), "\n");
    }
    st->total = st->n;
    st->points_hash = h;
    if (n <= 0) return;
    group *g = calloc(st->n, sizeof *g);
    size_t *gi = calloc(st->n, sizeof *gi);
    if (!g || !gi) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    size_t ng = make_groups(st, g, gi);
    /* gi indexes the unsorted groups: sort a copy, then map back by idx */
    group *sorted = malloc(ng * sizeof *sorted);
    if (!sorted) { fprintf(stderr, "dmlbench: out of memory\n"); exit(1); }
    memcpy(sorted, g, ng * sizeof *g);
    qsort(sorted, ng, sizeof *sorted, by_cost);
    assign(sorted, ng, n, shard_hash(SHARD_HASH0, st->name));
    for (size_t s = 0; s < ng; s++) g[sorted[s].idx].shard = sorted[s].shard;
    size_t kept = 0;
    for (size_t i = 0; i < st->n; i++)
        if (g[gi[i]].shard == k) st->pts[kept++] = st->pts[i];
    st->n = kept;
    /* the shard's points moved: --resume finds them through a new table */
    size_t first, again;
    pointset_build(st, &first, &again);
    free(sorted);
    free(gi);
    free(g);
}

/* A positive integer from the environment, or 0. */
static int env_count(const char *name)
{
    const char *v = getenv(name);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 && n < 1 << 20 ? (int)n : 0;
}

int shard_cpus(char *why, size_t len)
{
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    snprintf(why, len, "the process's CPU affinity");
    /* A Slurm task may use what it was given (sbatch -c N), even when no
     * task plugin narrowed its affinity. */
    int slurm = env_count("SLURM_CPUS_PER_TASK");
    const char *src = "SLURM_CPUS_PER_TASK";
    if (!slurm) { slurm = env_count("SLURM_CPUS_ON_NODE"); src = "SLURM_CPUS_ON_NODE"; }
    if (slurm && (cpus == 0 || slurm < cpus)) {
        cpus = slurm;
        snprintf(why, len, "%s", src);
    }
    return cpus > 0 ? cpus : 1;
}
