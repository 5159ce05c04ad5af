/* fuzz_retrieval.c — the retrieval-case reader of `dmlbench golden`
 * (harness/golden/retrieval_case.c) on any text, through a memory file; a
 * case it accepts is also evaluated (exact k-NN on the scalar reference, two
 * block sizes), so the metrics see whatever labels and embeddings a file
 * can hold. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "golden/retrieval_case.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (dml_isa_init() != DML_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.txt", 0);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) abort();
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    retrieval_case rc;
    if (retrieval_case_load(path, &rc, err, sizeof err) == 0) {
        if (rc.N * rc.D <= 65536) {
            static const size_t small_k[2] = { 1, 0 }; /* large, then by K (N x K keys: not forced) */
            for (int p = 0; p < 2; p++) {
                retrieval_metrics m;
                if (retrieval_eval(rc.E, rc.N, rc.D, rc.labels, DML_ISA_REF, small_k[p], 1, &m, err,
                                   sizeof err) == 0 && m.queries > rc.N)
                    abort();
            }
        }
        retrieval_case_free(&rc);
    } else if (!err[0]) {
        abort();
    }
    close(fd);
    return 0;
}
