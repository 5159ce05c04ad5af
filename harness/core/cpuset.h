/* cpuset.h — the CPUs this process may run on: its affinity mask (taskset,
 * a Slurm task's binding, a cgroup cpuset all narrow it), read once, before
 * any thread of ours binds itself.  They are "the machine" for binding,
 * thread counts and provenance: a job never binds outside what it was given. */
#ifndef DML_CORE_CPUSET_H
#define DML_CORE_CPUSET_H

#include <sched.h>
#include <stddef.h>

/* The allowed CPUs as the process started (cached at the first call, so a
 * later call from a thread already bound to one PU still sees them all).
 * Returns how many (0 when the mask cannot be read: then *set is empty). */
int cpuset_allowed(cpu_set_t *set);

/* "0-1", "1", "0,2-3": the list form of set (taskset -c, Slurm, hwloc). */
void cpuset_list(const cpu_set_t *set, char *out, size_t len);

#endif
