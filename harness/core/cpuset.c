/* cpuset.c — the CPUs this process may run on (see cpuset.h). */
#include <stdio.h>
#include <string.h>

#include "core/cpuset.h"

int cpuset_allowed(cpu_set_t *set)
{
    static cpu_set_t cached;
    static int state; /* 0 not read, 1 read, -1 unreadable */
    if (state == 0) {
        CPU_ZERO(&cached);
        state = sched_getaffinity(0, sizeof cached, &cached) == 0 ? 1 : -1;
        if (state < 0) CPU_ZERO(&cached);
    }
    *set = cached;
    return CPU_COUNT(set);
}

void cpuset_list(const cpu_set_t *set, char *out, size_t len)
{
    size_t off = 0;
    out[0] = 0;
    for (int c = 0; c < CPU_SETSIZE && off < len; c++) {
        if (!CPU_ISSET(c, set)) continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set)) last++;
        if (last == c) off += (size_t)snprintf(out + off, len - off, "%s%d", off ? "," : "", c);
        else off += (size_t)snprintf(out + off, len - off, "%s%d-%d", off ? "," : "", c, last);
        c = last;
    }
    if (!out[0]) snprintf(out, len, "unknown");
}
