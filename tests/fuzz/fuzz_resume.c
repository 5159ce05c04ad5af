/* fuzz_resume.c — --resume on the files a killed run leaves (resume_from_text
 * over <study>.partial.csv), for a study of every timing kind with two passes
 * (tests/fuzz/seed/resume/: its real partial and final CSVs, whole and cut).
 * Whatever the bytes: no more points adopted than the study has, every
 * adopted row writes back (write_csv checks each line's width), and reading
 * what was written back adopts the same points — a row kept is its point's. */
#include <stdio.h>

#include "core/error.h"
#include "fuzz.h"
#include "sweep/study.h"

static const char def[] = "study rz\nlosses ms triplet proxy_anchor\nkernels gemm\nM 16 32\nC 8\nD 8\n"
                          "delta 0.1 0.15\nreps 3\nwarmup 0\nmax_seconds 0.01\npasses 2\n";

static void load(study *st)
{
    char *t = fuzz_text((const uint8_t *)def, sizeof def - 1);
    if (load_study_text("rz.txt", t, sizeof def - 1, 0, 1, st)) abort();
    shard_select(st, 0, 0);
    free(t);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (dml_isa_init() != DML_OK) abort();
    error_sink(fopen("/dev/null", "w"));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    study a, b;
    load(&a);
    load(&b);
    char *text = fuzz_text(data, size), err[256];
    size_t found = resume_from_text(&a, "fuzz.partial.csv", text, size);
    if (found > a.n) abort();
    sbuf back = { 0 };
    if (csv_text(&a, &back, err, sizeof err)) abort(); /* a row of another width was adopted */
    size_t again = resume_from_text(&b, "back.csv", back.s, back.n);
    for (size_t i = 0; i < a.n; i++)
        if ((a.pts[i].row != NULL) != (b.pts[i].row != NULL) || a.pts[i].passes_done != b.pts[i].passes_done)
            abort(); /* what was written back is not what was adopted */
    (void)again;
    free(back.s);
    free(text);
    study_free(&a);
    study_free(&b);
    return 0;
}
