/* fuzz.h — what the libFuzzer harnesses of tests/fuzz/ share: the two entry
 * points libFuzzer calls (and tests/fuzz/replay.c, which replays the seeds
 * and the kept regressions in the plain build), and the input as a
 * NUL-terminated copy (the readers split their text in place). */
#ifndef DML_TESTS_FUZZ_H
#define DML_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t) abort();
    if (size) memcpy(t, data, size);
    t[size] = 0;
    return t;
}

#endif
