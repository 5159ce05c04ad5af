/* fuzz_merge.c — `dmlbench merge` (merge_main) on one shard.  The input is
 * the shard's CSV, a form feed, then its JSON (the seeds, tests/fuzz/seed/
 * merge/, are real shards of `sweep --shard`); both are written into a
 * scratch directory and merged into its out/.  Whatever the bytes, merge
 * ends with 0, 1 or 3, and writes nothing outside out/ (a study named
 * "../x" once did). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz.h"
#include "sweep/sweep.h"

static char dir[64], csv[128], json[128], out[128];

static void only(const char *d, const char *const *names, int n, int remove_rest);

/* The scratch directory goes with the process (make test replays this). */
static void scratch_gone(void)
{
    only(out, NULL, 0, 1);
    rmdir(out);
    unlink(csv);
    unlink(json);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    snprintf(dir, sizeof dir, "/tmp/fuzz-merge.XXXXXX");
    if (!mkdtemp(dir)) abort();
    snprintf(csv, sizeof csv, "%s/f.shard-0-of-1.csv", dir);
    snprintf(json, sizeof json, "%s/f.shard-0-of-1.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    error_sink(fopen("/dev/null", "w"));
    if (!freopen("/dev/null", "w", stdout)) abort(); /* the fit's table */
    atexit(scratch_gone);
    return 0;
}

static void put(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f)) abort();
}

/* Every entry of d but the expected ones is a file merge wrote where it must not. */
static void only(const char *d, const char *const *names, int n, int remove_rest)
{
    DIR *dp = opendir(d);
    for (struct dirent *e; dp && (e = readdir(dp));) {
        int known = e->d_name[0] == '.';
        for (int i = 0; i < n; i++) known |= !strcmp(e->d_name, names[i]);
        if (known) continue;
        if (!remove_rest) abort();
        char p[512];
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        unlink(p);
    }
    if (dp) closedir(dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *ff = memchr(data, '\f', size);
    size_t nc = ff ? (size_t)(ff - data) : size;
    put(csv, data, nc);
    put(json, ff ? ff + 1 : data, ff ? size - nc - 1 : 0);
    const char *files[1] = { csv };
    int rc = merge_main(out, files, 1);
    if (rc != 0 && rc != 1 && rc != 3) abort();
    static const char *const mine[] = { "f.shard-0-of-1.csv", "f.shard-0-of-1.json", "out" };
    only(dir, mine, 3, 0);
    only(out, NULL, 0, 1);
    return 0;
}
