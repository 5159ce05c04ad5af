/* provenance.h — what produced a result: git, compiler, CPU topology (hwloc),
 * thread binding.  Used by `dmlbench sweep` (JSON provenance, figure labels)
 * and `dmlbench info` (topology report). */
#ifndef DML_PROVENANCE_H
#define DML_PROVENANCE_H

#include <stdio.h>

typedef struct prov_cache {
    int level;          /* 1, 2, 3 */
    char type[12];      /* "data", "instruction", "unified" */
    unsigned long long size; /* bytes */
    int count;          /* instances */
    int shared_by;      /* PUs sharing one instance */
} prov_cache;

typedef struct prov {
    char commit[48];    /* full hash, or "unknown" */
    int dirty;          /* 1 dirty, 0 clean, -1 unknown */
    char compiler[96];
    char flags[512];
    char cpu_model[128];
    int packages, cores, pus;
    prov_cache caches[8];
    int ncaches;
    char hwloc[32];     /* hwloc version, or "none" */
    char date[32];      /* ISO 8601 UTC */
    char host_os[128];
} prov;

/* Fills p (never fails: unknown fields say so). */
void prov_collect(prov *p);

/* Physical cores (hwloc; omp_get_num_procs() without it). */
int prov_ncores(void);

/* Binds OpenMP threads 0..n-1 (one parallel region, so libgomp's pool keeps
 * them) to cores 0..n-1, round robin, and the calling thread to core 0.
 * Writes a description ("omp thread 0 -> core 0 (PU 0), ..." or why not). */
void prov_bind_threads(int n, char *desc, size_t len);

/* Prints the hwloc topology summary (CPU model, cores, caches, binding support). */
void prov_print_topology(FILE *f);

/* Writes s as a JSON string (quotes, escapes). */
void json_str(FILE *f, const char *s);

#endif
