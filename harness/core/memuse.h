/* memuse.h — the memory a point uses and the memory it may use: the peak
 * resident set (VmHWM, reset through /proc/self/clear_refs where the kernel
 * allows it, else getrusage's lifetime maximum) and what the machine has
 * left (MemAvailable, the cgroup's memory.max, RLIMIT_AS), so that a point
 * that would not fit is refused before it starts. */
#ifndef DML_CORE_MEMUSE_H
#define DML_CORE_MEMUSE_H

#include <stddef.h>

/* Resets the peak to the current resident set: 1 when it could (VmHWM now
 * measures from here), 0 when the peak stays the process's lifetime one. */
int mem_peak_reset(void);  /* also maps every buffer of 64 KiB or more on its own (glibc) */
/* The peak resident set in bytes since the reset (or process start). */
double mem_peak_bytes(void);
/* The resident set now, in bytes. */
double mem_rss_bytes(void);

/* The bytes this process may still take, the smallest of the limits that
 * apply; why names that limit ("MemAvailable", "cgroup memory.max",
 * "RLIMIT_AS").  Returns 0 when none is known (then why is "unknown"). */
double mem_available_bytes(char *why, size_t len);

#endif
