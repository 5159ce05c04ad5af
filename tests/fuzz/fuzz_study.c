/* fuzz_study.c — the study-definition parser and the expansion of its
 * points (load_study_text, normal and --quick), nothing run. */
#include <stdio.h>

#include "core/error.h"
#include "fuzz.h"
#include "sweep/study.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (dml_isa_init() != DML_OK) abort();
    error_sink(fopen("/dev/null", "w")); /* thousands of messages a second */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int quick = 0; quick < 2; quick++) {
        char *text = fuzz_text(data, size);
        study st;
        if (load_study_text("fuzz.txt", text, size, quick, 1, &st) == 0 &&
            (st.n == 0 || st.n > STUDY_MAX_POINTS))
            abort(); /* an accepted study has points, and no more than the cap */
        study_free(&st);
        free(text);
    }
    return 0;
}
