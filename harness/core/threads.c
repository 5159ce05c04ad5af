/* threads.c — starting a team of threads once, to see that it can be
 * started (see threads.h).  The threads get the default attributes, as
 * libgomp's do unless OMP_STACKSIZE says otherwise, and all live at once
 * (each waits on a lock this thread holds until the last has started). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static void *wait_gate(void *arg)
{
    pthread_mutex_lock(&gate);
    pthread_mutex_unlock(&gate);
    return arg;
}

int threads_can_start(int n, char *err, size_t errlen)
{
    if (n <= 1) return 0;
    pthread_t *t = malloc((size_t)n * sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory for %d threads", n);
        return 1;
    }
    int started = 0, rc = 0;
    pthread_mutex_lock(&gate);
    for (; started < n - 1; started++)
        if ((rc = pthread_create(&t[started], NULL, wait_gate, NULL)) != 0) break;
    pthread_mutex_unlock(&gate);
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
    free(t);
    if (rc) snprintf(err, errlen, "cannot start %d threads (%s after %d): use fewer", n, strerror(rc), started + 1);
    return rc != 0;
}
