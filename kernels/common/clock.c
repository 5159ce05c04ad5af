/* clock.c — the library's one clock (clock.h). */
#include <time.h>

#include "clock.h"

double dml_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
