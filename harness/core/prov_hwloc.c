/* prov_hwloc.c — the topology from hwloc: CPU model, cores, caches, thread
 * binding (see prov.h and prov_hwloc.h). */
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#ifdef DML_HAVE_HWLOC
#include <hwloc.h>
#endif

#include "core/prov_hwloc.h"

#ifdef DML_HAVE_HWLOC
static hwloc_topology_t topo;
static int topo_ok = -1;

static hwloc_topology_t topology(void)
{
    if (topo_ok < 0)
        topo_ok = hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0;
    return topo_ok ? topo : NULL;
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
    p->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    p->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
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
    int n = t ? hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) : 0;
    return n > 0 ? n : 0;
}

void prov_hwloc_print_binding(FILE *f, int cores)
{
    hwloc_topology_t t = topology();
    if (!t) return;
    const struct hwloc_topology_support *s = hwloc_topology_get_support(t);
    fprintf(f, "  binding  thread cpubind %s\n",
            s && s->cpubind->set_thread_cpubind ? "supported" : "not supported");
    for (int i = 0; i < cores; i++) {
        hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)i);
        char set[64];
        hwloc_bitmap_list_snprintf(set, sizeof set, core->cpuset);
        fprintf(f, "  core %-3d PUs %s\n", i, set);
    }
}

/* Describes the binding of n threads over ncores cores. */
static void describe_binding(int n, int ncores, const int *pu, const int *ok, char *desc, size_t len)
{
    size_t off = 0;
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(desc + off, len - off, "%somp thread %d -> core %d (PU %d)%s",
                                i ? ", " : "", i, i % ncores, pu[i], ok[i] ? "" : " FAILED");
    if (n > ncores && off < len)
        snprintf(desc + off, len - off, " [%d threads on %d cores: oversubscribed]", n, ncores);
}

void prov_bind_threads(int n, char *desc, size_t len)
{
    desc[0] = 0;
    if (n < 1) n = 1;
    hwloc_topology_t t = topology();
    if (!t) { snprintf(desc, len, "unbound (hwloc topology failed to load)"); return; }
    int ncores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    if (ncores < 1) { snprintf(desc, len, "unbound (hwloc reports no cores)"); return; }
    int *pu = malloc((size_t)n * sizeof *pu), *ok = calloc((size_t)n, sizeof *ok);
    if (!pu || !ok) {
        free(pu); free(ok);
        snprintf(desc, len, "unbound (out of memory)");
        return;
    }
    /* One parallel region of n threads: each binds itself.  libgomp keeps its
     * pool, so the teams the library opens later reuse these threads. */
#pragma omp parallel num_threads(n)
    {
        int i = omp_get_thread_num();
        if (i < n) {
            hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)(i % ncores));
            hwloc_cpuset_t set = hwloc_bitmap_dup(core->cpuset);
            hwloc_bitmap_singlify(set); /* one PU of the core */
            ok[i] = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD) == 0;
            pu[i] = hwloc_bitmap_first(set);
            hwloc_bitmap_free(set);
        }
    }
    describe_binding(n, ncores, pu, ok, desc, len);
    free(pu); free(ok);
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
