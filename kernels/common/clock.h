/* clock.h — the library's one clock (the phase times of a step). */
#ifndef DML_CLOCK_H
#define DML_CLOCK_H

/* CLOCK_MONOTONIC in nanoseconds. */
double dml_now_ns(void);

#endif
