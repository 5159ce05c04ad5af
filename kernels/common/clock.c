/* clock.c — the one clock of dmlbench: the library times its phases with it
 * (dml_ctx_phase_ns), and the harness, the check driver and the benchmarks
 * time everything else with the same two functions (declared in dml.h). */
#include <time.h>

#include "dml.h"

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double dml_now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
double dml_thread_cpu_ns(void) { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }
