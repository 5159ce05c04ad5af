/* provenance.c — git commit and dirty flag, compiler and flags, CPU model,
 * cores and caches from hwloc, thread binding with hwloc, date. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <omp.h>
#ifdef DML_HAVE_HWLOC
#include <hwloc.h>
#endif

#include "harness.h"
#include "provenance.h"

#ifndef DML_BUILD_FLAGS
#define DML_BUILD_FLAGS "unknown"
#endif

void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* First line of a shell command's output, or "" (stderr silenced). */
static int first_line(const char *cmd, char *out, size_t len)
{
    out[0] = 0;
    FILE *p = popen(cmd, "r");
    if (!p) return 1;
    if (!fgets(out, (int)len, p)) out[0] = 0;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) {} /* drain */
    int rc = pclose(p);
    out[strcspn(out, "\r\n")] = 0;
    return rc != 0;
}

#ifdef DML_HAVE_HWLOC
static hwloc_topology_t topo;
static int topo_ok = -1;

static hwloc_topology_t topology(void)
{
    if (topo_ok < 0) {
        topo_ok = hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0;
    }
    return topo_ok ? topo : NULL;
}
#endif

int prov_ncores(void)
{
#ifdef DML_HAVE_HWLOC
    hwloc_topology_t t = topology();
    if (t) {
        int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
        if (n > 0) return n;
    }
#endif
    int n = omp_get_num_procs();
    return n > 0 ? n : 1;
}

void prov_collect(prov *p)
{
    memset(p, 0, sizeof *p);
    if (first_line("git rev-parse HEAD 2>/dev/null", p->commit, sizeof p->commit) || !p->commit[0])
        snprintf(p->commit, sizeof p->commit, "unknown");
    char buf[64];
    if (strcmp(p->commit, "unknown") == 0)
        p->dirty = -1;
    else if (first_line("git status --porcelain --untracked-files=no 2>/dev/null | head -1", buf, sizeof buf))
        p->dirty = -1;
    else
        p->dirty = buf[0] != 0;
#if defined(__clang__)
    snprintf(p->compiler, sizeof p->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(p->compiler, sizeof p->compiler, "gcc %s", __VERSION__);
#else
    snprintf(p->compiler, sizeof p->compiler, "unknown");
#endif
    snprintf(p->flags, sizeof p->flags, "%s", DML_BUILD_FLAGS);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(p->host_os, sizeof p->host_os, "%.20s %.64s %.20s", u.sysname, u.release, u.machine);
    snprintf(p->cpu_model, sizeof p->cpu_model, "unknown");
    snprintf(p->hwloc, sizeof p->hwloc, "none");
    p->pus = omp_get_num_procs();
    p->cores = p->pus;
    p->packages = 1;
#ifdef DML_HAVE_HWLOC
    snprintf(p->hwloc, sizeof p->hwloc, "%s", HWLOC_VERSION);
    hwloc_topology_t t = topology();
    if (!t) return;
    p->packages = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
    p->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    p->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (!model) model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t), "CPUModel");
    if (model) snprintf(p->cpu_model, sizeof p->cpu_model, "%s", model);
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
#endif
}

void prov_bind_threads(int n, char *desc, size_t len)
{
    desc[0] = 0;
    if (n < 1) n = 1;
#ifdef DML_HAVE_HWLOC
    hwloc_topology_t t = topology();
    if (!t) {
        snprintf(desc, len, "unbound (hwloc topology failed to load)");
        return;
    }
    int ncores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    if (ncores < 1) {
        snprintf(desc, len, "unbound (hwloc reports no cores)");
        return;
    }
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
    size_t off = 0;
    int bound = 0;
    for (int i = 0; i < n && off < len; i++) {
        bound += ok[i];
        off += (size_t)snprintf(desc + off, len - off, "%somp thread %d -> core %d (PU %d)%s",
                                i ? ", " : "", i, i % ncores, pu[i], ok[i] ? "" : " FAILED");
    }
    if (n > ncores && off < len)
        snprintf(desc + off, len - off, " [%d threads on %d cores: oversubscribed]", n, ncores);
    free(pu); free(ok);
    (void)bound;
#else
    snprintf(desc, len, "unbound (built without hwloc), %d OpenMP threads", n);
#endif
}

void prov_print_topology(FILE *f)
{
    prov p;
    prov_collect(&p);
    fprintf(f, "topology (hwloc %s)\n", p.hwloc);
    fprintf(f, "  cpu      %s\n", p.cpu_model);
    fprintf(f, "  packages %d  cores %d  PUs %d\n", p.packages, p.cores, p.pus);
    for (int i = 0; i < p.ncaches; i++) {
        const prov_cache *c = &p.caches[i];
        fprintf(f, "  L%d %-11s %6llu KiB x %d (shared by %d PU%s)\n", c->level, c->type,
                c->size / 1024, c->count, c->shared_by, c->shared_by == 1 ? "" : "s");
    }
#ifdef DML_HAVE_HWLOC
    hwloc_topology_t t = topology();
    if (t) {
        const struct hwloc_topology_support *s = hwloc_topology_get_support(t);
        fprintf(f, "  binding  thread cpubind %s\n",
                s && s->cpubind->set_thread_cpubind ? "supported" : "not supported");
        for (int i = 0; i < p.cores; i++) {
            hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)i);
            char set[64];
            hwloc_bitmap_list_snprintf(set, sizeof set, core->cpuset);
            fprintf(f, "  core %-3d PUs %s\n", i, set);
        }
    }
#else
    fprintf(f, "  (built without hwloc: no topology, no binding)\n");
#endif
    fprintf(f, "  compiler %s\n", p.compiler);
}
