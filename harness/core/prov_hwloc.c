/* prov_hwloc.c — the topology from hwloc: CPU model, cores, caches, thread
 * binding (see prov.h and prov_hwloc.h). */
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#ifdef DML_HAVE_HWLOC
#include <hwloc.h>
#include <hwloc/glibc-sched.h>
#endif

#include "core/cpuset.h"
#include "core/prov_hwloc.h"

#ifdef DML_HAVE_HWLOC
static hwloc_topology_t topo;
static int topo_ok = -1;
/* The PUs we may use: hwloc's allowed set (a cgroup cpuset) and the
 * affinity mask the process started with (taskset, Slurm). */
static hwloc_bitmap_t allowed;

static hwloc_topology_t topology(void)
{
    if (topo_ok < 0) {
        topo_ok = hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0;
        allowed = topo_ok ? hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo)) : NULL;
        cpu_set_t mask;
        hwloc_bitmap_t aff = hwloc_bitmap_alloc();
        if (allowed && aff && cpuset_allowed(&mask) > 0 &&
            hwloc_cpuset_from_glibc_sched_affinity(topo, aff, &mask, sizeof mask) == 0 &&
            hwloc_bitmap_intersects(allowed, aff))
            hwloc_bitmap_and(allowed, allowed, aff);
        hwloc_bitmap_free(aff);
        topo_ok = topo_ok && allowed && !hwloc_bitmap_iszero(allowed);
    }
    return topo_ok ? topo : NULL;
}

/* The i-th core (0-based) with at least one allowed PU, or NULL. */
static hwloc_obj_t allowed_core(hwloc_topology_t t, int i)
{
    hwloc_obj_t core = NULL;
    while ((core = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_CORE, core)))
        if (hwloc_bitmap_intersects(core->cpuset, allowed) && i-- == 0) return core;
    return NULL;
}

static int allowed_cores(hwloc_topology_t t)
{
    int n = 0;
    while (allowed_core(t, n)) n++;
    return n;
}

int prov_hwloc_model(char *out, size_t len)
{
    hwloc_topology_t t = topology();
    if (!t) return 1;
    hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (!model) model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t), "CPUModel");
    if (!model) return 1;
    snprintf(out, len, "%s", model);
    return 0;
}

void prov_hwloc_topology(prov *p)
{
    snprintf(p->hwloc, sizeof p->hwloc, "%s", HWLOC_VERSION);
    hwloc_topology_t t = topology();
    if (!t) return;
    p->packages = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
    p->machine_cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    p->machine_pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    p->cores = allowed_cores(t);
    p->pus = hwloc_bitmap_weight(allowed);
    hwloc_bitmap_list_snprintf(p->cpuset, sizeof p->cpuset, allowed);
    static const struct { hwloc_obj_type_t type; int level; const char *name; } kinds[] = {
        { HWLOC_OBJ_L1CACHE, 1, "data" },     { HWLOC_OBJ_L1ICACHE, 1, "instruction" },
        { HWLOC_OBJ_L2CACHE, 2, "unified" },  { HWLOC_OBJ_L3CACHE, 3, "unified" },
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds && p->ncaches < 8; k++) {
        int n = hwloc_get_nbobjs_by_type(t, kinds[k].type);
        if (n <= 0) continue;
        hwloc_obj_t o = hwloc_get_obj_by_type(t, kinds[k].type, 0);
        prov_cache *c = &p->caches[p->ncaches++];
        c->level = kinds[k].level;
        snprintf(c->type, sizeof c->type, "%s", kinds[k].name);
        if (o->attr->cache.type == HWLOC_OBJ_CACHE_UNIFIED) snprintf(c->type, sizeof c->type, "unified");
        c->size = (unsigned long long)o->attr->cache.size;
        c->count = n;
        c->shared_by = hwloc_bitmap_weight(o->cpuset);
    }
}

int prov_hwloc_ncores(void)
{
    hwloc_topology_t t = topology();
    return t ? allowed_cores(t) : 0;
}

void prov_hwloc_print_binding(FILE *f, int cores)
{
    hwloc_topology_t t = topology();
    if (!t) return;
    const struct hwloc_topology_support *s = hwloc_topology_get_support(t);
    fprintf(f, "  binding  thread cpubind %s\n",
            s && s->cpubind->set_thread_cpubind ? "supported" : "not supported");
    for (int i = 0; i < cores; i++) {
        hwloc_obj_t core = allowed_core(t, i);
        if (!core) break;
        hwloc_bitmap_t mine = hwloc_bitmap_alloc();
        hwloc_bitmap_and(mine, core->cpuset, allowed);
        char set[64];
        hwloc_bitmap_list_snprintf(set, sizeof set, mine);
        hwloc_bitmap_free(mine);
        fprintf(f, "  core %-3u PUs %s (allowed)\n", core->logical_index, set);
    }
}

/* Describes the binding of n threads over the ncores allowed cores. */
static void describe_binding(int n, int ncores, const int *core, const int *pu, const int *ok,
                             char *desc, size_t len)
{
    size_t off = 0;
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(desc + off, len - off, "%somp thread %d -> core %d (PU %d)%s",
                                i ? ", " : "", i, core[i], pu[i], ok[i] ? "" : " FAILED");
    char set[64];
    hwloc_bitmap_list_snprintf(set, sizeof set, allowed);
    if (off < len) off += (size_t)snprintf(desc + off, len - off, " [cpuset %s]", set);
    if (n > ncores && off < len)
        snprintf(desc + off, len - off, " [%d threads on %d cores: oversubscribed]", n, ncores);
}

void prov_bind_threads(int n, char *desc, size_t len)
{
    desc[0] = 0;
    if (n < 1) n = 1;
    hwloc_topology_t t = topology();
    if (!t) { snprintf(desc, len, "unbound (hwloc topology failed to load)"); return; }
    int ncores = allowed_cores(t);
    if (ncores < 1) { snprintf(desc, len, "unbound (no allowed core)"); return; }
    int *pu = malloc((size_t)n * sizeof *pu), *ok = calloc((size_t)n, sizeof *ok);
    int *core_of = malloc((size_t)n * sizeof *core_of);
    if (!pu || !ok || !core_of) {
        free(pu); free(ok); free(core_of);
        snprintf(desc, len, "unbound (out of memory)");
        return;
    }
    /* One parallel region of n threads: each binds itself.  libgomp keeps its
     * pool, so the teams the library opens later reuse these threads. */
#pragma omp parallel num_threads(n)
    {
        int i = omp_get_thread_num();
        if (i < n) {
            hwloc_obj_t core = allowed_core(t, i % ncores);
            hwloc_cpuset_t set = hwloc_bitmap_alloc();
            hwloc_bitmap_and(set, core->cpuset, allowed);
            hwloc_bitmap_singlify(set); /* one allowed PU of the core */
            core_of[i] = (int)core->logical_index;
            ok[i] = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD) == 0;
            pu[i] = hwloc_bitmap_first(set);
            hwloc_bitmap_free(set);
        }
    }
    describe_binding(n, ncores, core_of, pu, ok, desc, len);
    free(pu); free(ok); free(core_of);
}
#else
int prov_hwloc_model(char *out, size_t len) { (void)out; (void)len; return 1; }
void prov_hwloc_topology(prov *p) { (void)p; }
int prov_hwloc_ncores(void) { return 0; }

void prov_hwloc_print_binding(FILE *f, int cores)
{
    (void)cores;
    fprintf(f, "  (built without hwloc: no topology, no binding)\n");
}

void prov_bind_threads(int n, char *desc, size_t len)
{
    snprintf(desc, len, "unbound (built without hwloc), %d OpenMP threads", n < 1 ? 1 : n);
}
#endif
