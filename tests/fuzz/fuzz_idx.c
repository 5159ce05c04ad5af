/* fuzz_idx.c — the IDX reader of `dmlbench train` (harness/data/idx.c), on
 * any bytes: written to a memory file and read back through its path, so
 * the real reader runs, gzip detection and all, with images (3 dimensions)
 * and labels (1 dimension) asked for in turn.  The byte cap is small, so a
 * header that asks for more must be refused before anything is allocated. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "data/idx.h"

static volatile uint8_t sink; /* keeps the read of every byte */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.idx", 0);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) abort();
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    for (size_t ndim = 1; ndim <= 3; ndim += 2) {
        idx_array a;
        if (idx_read(path, ndim, (size_t)1 << 20, &a, err, sizeof err) == 0) {
            size_t n = a.dims[0] * a.item * a.esize;
            if (a.ndim != ndim || n > ((size_t)1 << 20)) abort();
            for (size_t i = 0; i < n; i++) sink += a.data[i]; /* every byte it claims is there */
            idx_free(&a);
        } else if (!err[0]) {
            abort(); /* a refusal must say why */
        }
    }
    close(fd);
    return 0;
}
