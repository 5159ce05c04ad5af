/* fuzz_golden.c — the golden-case reader (golden_parse), and the library on
 * every case it accepts (golden_eval: one step, ISA auto, one thread). */
#include <stdio.h>

#include "core/error.h"
#include "fuzz.h"
#include "golden/golden_case.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (dml_isa_init() != DML_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size), err[256];
    golden_case gc;
    if (golden_parse("fuzz.txt", text, size, &gc, err, sizeof err) == 0) {
        golden_result r;
        if (gc.M * (gc.M + gc.C) * gc.D < (1u << 22)) /* a step of at most a few ms */
            golden_eval(&gc, DML_ISA_AUTO, 1, &r, err, sizeof err);
        golden_free(&gc);
    } else if (!memchr(err, 0, sizeof err)) {
        abort(); /* an error always has its message */
    }
    free(text);
    return 0;
}
