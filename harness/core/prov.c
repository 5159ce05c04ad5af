/* prov.c — the provenance collector (see prov.h); the hwloc topology it
 * reads is in prov_hwloc.c. */
#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "core/cpuset.h"
#include "core/prov.h"
#include "core/prov_hwloc.h"

#ifndef DML_BUILD_FLAGS
#define DML_BUILD_FLAGS "unknown"
#endif

int prov_first_line(const char *cmd, char *out, size_t len)
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

const char *prov_compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

/* The "model name" (x86) or "Model" (Arm) line of /proc/cpuinfo. */
static int cpuinfo_model(char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 1;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (!c || (strncmp(line, "model name", 10) && strncmp(line, "Model", 5))) continue;
        c += 1 + (c[1] == ' ');
        c[strcspn(c, "\r\n")] = 0;
        found = *c != 0;
        if (found) snprintf(out, len, "%s", c);
    }
    fclose(f);
    return !found;
}

void prov_cpu_model(char *out, size_t len)
{
    if (prov_hwloc_model(out, len) && cpuinfo_model(out, len))
        snprintf(out, len, "unknown");
}

static void collect_git(prov *p)
{
    if (prov_first_line("git rev-parse HEAD 2>/dev/null", p->commit, sizeof p->commit) || !p->commit[0])
        snprintf(p->commit, sizeof p->commit, "unknown");
    char buf[64];
    if (strcmp(p->commit, "unknown") == 0)
        p->dirty = -1;
    else if (prov_first_line("git status --porcelain --untracked-files=no -- " PROV_DIRTY_PATHSPEC
                             " 2>/dev/null | head -1", buf, sizeof buf))
        p->dirty = -1;
    else
        p->dirty = buf[0] != 0;
}

void prov_collect(prov *p)
{
    memset(p, 0, sizeof *p);
    collect_git(p);
    snprintf(p->compiler, sizeof p->compiler, "%s", prov_compiler());
    snprintf(p->flags, sizeof p->flags, "%s", DML_BUILD_FLAGS);
    snprintf(p->glibc, sizeof p->glibc, "%s", gnu_get_libc_version());
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(p->host_os, sizeof p->host_os, "%.20s %.64s %.20s", u.sysname, u.release, u.machine);
    prov_cpu_model(p->cpu_model, sizeof p->cpu_model);
    snprintf(p->hwloc, sizeof p->hwloc, "none");
    cpu_set_t mask;
    int n = cpuset_allowed(&mask);
    cpuset_list(&mask, p->cpuset, sizeof p->cpuset);
    p->pus = n > 0 ? n : omp_get_num_procs();
    p->cores = p->pus;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    p->machine_pus = p->machine_cores = online > 0 ? (int)online : p->pus;
    p->packages = 1;
    prov_hwloc_topology(p);
}

int prov_ncores(void)
{
    int n = prov_hwloc_ncores();
    if (n > 0) return n;
    cpu_set_t mask;
    n = cpuset_allowed(&mask);
    if (n <= 0) n = omp_get_num_procs();
    return n > 0 ? n : 1;
}

void prov_print_topology(FILE *f)
{
    prov p;
    prov_collect(&p);
    fprintf(f, "topology (hwloc %s)\n", p.hwloc);
    fprintf(f, "  cpu      %s\n", p.cpu_model);
    fprintf(f, "  packages %d  cores %d  PUs %d (of the machine's %d cores, %d PUs: cpuset %s)\n",
            p.packages, p.cores, p.pus, p.machine_cores, p.machine_pus, p.cpuset);
    for (int i = 0; i < p.ncaches; i++) {
        const prov_cache *c = &p.caches[i];
        fprintf(f, "  L%d %-11s %6llu KiB x %d (shared by %d PU%s)\n", c->level, c->type,
                c->size / 1024, c->count, c->shared_by, c->shared_by == 1 ? "" : "s");
    }
    prov_hwloc_print_binding(f, p.cores);
    fprintf(f, "  compiler %s\n", p.compiler);
}
