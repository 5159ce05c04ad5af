/* prov.h — what produced a result: git, compiler and flags, C library, CPU
 * model and caches (hwloc, with /proc/cpuinfo for the model when hwloc has
 * none), thread binding, date.  The one collector: the sweep's JSON and
 * figure labels, `dmlbench info` and bench-check's baseline provenance all
 * read it, so they name the same CPU the same way. */
#ifndef DML_CORE_PROV_H
#define DML_CORE_PROV_H

#include <stddef.h>
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
    int dirty;          /* 1 dirty, 0 clean, -1 unknown: source files only (PROV_DIRTY_SCOPE) */
    char compiler[96];
    char flags[512];    /* the build's CFLAGS, as make passed them */
    char glibc[32];
    char cpu_model[128];
    int packages, cores, pus; /* cores, PUs: those this process may run on */
    int machine_cores, machine_pus; /* all of the machine's */
    char cpuset[128];   /* the PUs it may run on, "0-1" (affinity mask ∩ hwloc's allowed set) */
    prov_cache caches[8];
    int ncaches;
    char hwloc[32];     /* hwloc version, or "none" */
    char date[32];      /* ISO 8601 UTC */
    char host_os[128];
} prov;

/* Fills p (never fails: unknown fields say so). */
void prov_collect(prov *p);

/* The CPU model alone ("unknown" when neither hwloc nor /proc/cpuinfo says). */
void prov_cpu_model(char *out, size_t len);
/* "gcc 12.2.0", "clang 14.0.6", ... */
const char *prov_compiler(void);
/* First line of a shell command's output into out ("" when none); returns
 * non-zero when the command failed. */
int prov_first_line(const char *cmd, char *out, size_t len);

/* Physical cores this process may run on (hwloc, inside the allowed cpuset;
 * the affinity mask's CPUs without it). */
int prov_ncores(void);

/* Binds OpenMP threads 0..n-1 (one parallel region, so libgomp's pool keeps
 * them) to the allowed cores, round robin (thread i to the i-th core with an
 * allowed PU, on an allowed PU of it), the calling thread to the first.
 * Writes a description ("omp thread 0 -> core 0 (PU 0), ..." or why not). */
void prov_bind_threads(int n, char *desc, size_t len);

/* Prints the topology summary (CPU model, cores, caches, binding support). */
void prov_print_topology(FILE *f);

/* What "dirty" compares: every tracked file but results/, which the sweeps
 * themselves rewrite (the timing half's CSVs would otherwise stamp the
 * learning half "dirty" on a clean clone).  The JSON says so beside the flag. */
#define PROV_DIRTY_PATHSPEC "':(top)' ':(top,exclude)results'"
#define PROV_DIRTY_SCOPE "tracked files except results/ (what the sweeps write)"

#endif
