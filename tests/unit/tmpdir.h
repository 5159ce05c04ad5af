/* tmpdir.h — a test's scratch directory under /tmp, removed with everything
 * in it when the test's process ends (Criterion runs each test in its own
 * process), for the test files that write files. */
#ifndef DML_TEST_TMPDIR_H
#define DML_TEST_TMPDIR_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static char *tmpdir_made;

static int tmpdir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static void tmpdir_remove(void)
{
    if (tmpdir_made && tmpdir_made[0]) nftw(tmpdir_made, tmpdir_remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* dir (len >= 64) <- a new /tmp/<prefix>XXXXXX, removed at the process's exit. */
static void tmpdir_make(char *dir, size_t len, const char *prefix)
{
    snprintf(dir, len, "/tmp/%sXXXXXX", prefix);
    cr_assert(mkdtemp(dir), "mkdtemp %s failed", dir);
    tmpdir_made = dir;
    atexit(tmpdir_remove);
}

#endif
