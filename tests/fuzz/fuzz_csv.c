/* fuzz_csv.c — the results-CSV readers: --resume's (resume_from_text, on a
 * small study whose points the seed CSV carries) and fit's
 * (complexity_check_text, its report to /dev/null, no file written). */
#include <stdio.h>

#include "core/error.h"
#include "fuzz.h"
#include "sweep/fit.h"
#include "sweep/study.h"

/* The study of tests/fuzz/seed/csv/tiny.csv (dmlbench sweep of this text). */
static const char tiny[] = "study tiny\nlosses ms proxy_anchor\nM 16 32\nC 8\nD 8\nreps 3\nwarmup 0\nmax_seconds 0.01\n";
static study st;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (dml_isa_init() != DML_OK) abort();
    devnull = fopen("/dev/null", "w");
    error_sink(devnull);
    char *def = fuzz_text((const uint8_t *)tiny, sizeof tiny - 1);
    if (load_study_text("tiny.txt", def, sizeof tiny - 1, 0, 1, &st)) abort();
    free(def);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    size_t found = resume_from_text(&st, "fuzz.csv", text, size);
    if (found > st.n) abort();
    for (size_t i = 0; i < st.n; i++) {
        free(st.pts[i].row);
        st.pts[i].row = NULL;
        st.pts[i].passes_done = 0;
    }
    free(text);
    text = fuzz_text(data, size);
    int rc = complexity_check_text("fuzz.csv", text, size, NULL, 1, 0, devnull);
    if (rc != 0 && rc != 1 && rc != 3) abort();
    free(text);
    return 0;
}
