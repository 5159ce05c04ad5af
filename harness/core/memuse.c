/* memuse.c — peak and available memory from /proc and the cgroup (Linux);
 * elsewhere the peak is getrusage's and nothing is known to be available. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "core/memuse.h"

/* A "Name:  N kB" field of /proc/self/status or /proc/meminfo, in bytes; -1 none. */
static double kb_field(const char *file, const char *name)
{
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char line[256];
    double v = -1;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, name, n) && line[n] == ':') {
            unsigned long long kb;
            if (sscanf(line + n + 1, "%llu", &kb) == 1) v = (double)kb * 1024.0;
            break;
        }
    fclose(f);
    return v;
}

int mem_peak_reset(void)
{
    /* Every buffer of 64 KiB or more its own mapping, returned on free: with
     * glibc's moving threshold a point could reuse freed heap of the one
     * before and its peak would not show its buffers. */
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
#endif
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return 0;
    int ok = fputs("5", f) >= 0; /* 5: reset the peak RSS (proc(5)) */
    return fclose(f) == 0 && ok;
}

double mem_peak_bytes(void)
{
    double v = kb_field("/proc/self/status", "VmHWM");
    if (v >= 0) return v;
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss * 1024.0 : 0;
}

double mem_rss_bytes(void)
{
    double v = kb_field("/proc/self/status", "VmRSS");
    return v >= 0 ? v : 0;
}

/* A number from a one-line cgroup file; -1 when absent or "max". */
static double cgroup_value(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    unsigned long long v;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    return ok ? (double)v : -1;
}

static void take(double v, const char *name, double *best, char *why, size_t len)
{
    if (v >= 0 && (*best == 0 || v < *best)) {
        *best = v > 0 ? v : 1;
        snprintf(why, len, "%s", name);
    }
}

double mem_available_bytes(char *why, size_t len)
{
    double best = 0;
    snprintf(why, len, "unknown");
    take(kb_field("/proc/meminfo", "MemAvailable"), "MemAvailable", &best, why, len);
    /* cgroup v2: this process's group is named in /proc/self/cgroup as "0::/path" */
    char line[512], path[640];
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "0::", 3)) {
                line[strcspn(line, "\n")] = 0;
                snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
                double max = cgroup_value(path);
                snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.current", line + 3);
                double cur = cgroup_value(path);
                if (max >= 0) take(cur >= 0 && cur < max ? max - cur : 0, "cgroup memory.max", &best, why, len);
            }
        fclose(f);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        double vm = kb_field("/proc/self/status", "VmSize");
        double left = (double)rl.rlim_cur - (vm > 0 ? vm : 0);
        take(left > 0 ? left : 0, "RLIMIT_AS", &best, why, len);
    }
    return best;
}
