/* threads.h — can this process start n threads?  libgomp ends the process
 * with its own "Thread creation failed" when it cannot start a team (under
 * a memory cap, each thread's stack counts): asked first, the command says
 * which option asked for too many. */
#ifndef DML_CORE_THREADS_H
#define DML_CORE_THREADS_H

#include <stddef.h>

/* 0 when n - 1 threads (the team beside this one) start; 1 with err set. */
int threads_can_start(int n, char *err, size_t errlen);

#endif
