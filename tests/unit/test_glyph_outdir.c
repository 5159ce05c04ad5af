/* test_glyph_outdir.c — the glyph set's directory replaced whole
 * (glyph_outdir.c): what a killed build leaves is cleaned up or put back by
 * the next one, a build's new set takes OUT's place with nothing left beside
 * it, another process's work in progress is left alone, and a directory that
 * is not a glyph set is never replaced. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fileio.h"
#include "data/glyph.h"
#include "tmpdir.h"

static char root[64], out[128];

static void setup(void)
{
    tmpdir_make(root, sizeof root, "dml_outdir_");
    snprintf(out, sizeof out, "%s/set", root);
}

TestSuite(glyph_outdir, .init = setup);

/* A directory holding a glyph set's manifest, tagged so that it is known again. */
static void make_set(const char *dir, const char *tag)
{
    char path[256], text[128];
    cr_assert_eq(mkdir(dir, 0777), 0, "mkdir %s", dir);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    int n = snprintf(text, sizeof text, "{\"dataset\": \"glyphs\", \"tag\": \"%s\"}\n", tag);
    char err[256];
    cr_assert_eq(write_file_atomic(path, text, (size_t)n, err, sizeof err), 0, "%s", err);
}

/* Whether dir holds the set made with this tag. */
static int holds(const char *dir, const char *tag)
{
    char path[256], want[64];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *m = read_file_all(path, NULL);
    snprintf(want, sizeof want, "\"tag\": \"%s\"", tag);
    int yes = m && strstr(m, want);
    free(m);
    return yes;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The pid of a process that has ended. */
static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    cr_assert(p > 0, "fork failed");
    waitpid(p, NULL, 0);
    return (long)p;
}

Test(glyph_outdir, old_set_of_a_build_killed_between_its_renames_is_put_back)
{
    char old[192], tmp[192], stage[192], err[256] = "";
    long pid = dead_pid();
    snprintf(old, sizeof old, "%s.old.%ld", out, pid);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, pid);
    make_set(old, "previous");   /* OUT moved aside, the new set never put in */
    make_set(tmp, "half-built");
    cr_assert_eq(glyph_outdir_begin(out, stage, sizeof stage, err, sizeof err), 0, "%s", err);
    cr_assert(holds(out, "previous"), "the old set is not back at %s", out);
    cr_assert(!exists(old) && !exists(tmp), "a killed build's leftovers are still there");
    glyph_outdir_abort(stage); /* this build fails too: the old set stays */
    cr_assert(holds(out, "previous"));
    cr_assert(!exists(stage));
}

Test(glyph_outdir, killed_build_leftovers_go_when_the_set_is_in_place)
{
    char old[192], stage[192], err[256] = "";
    snprintf(old, sizeof old, "%s.old.%ld", out, dead_pid());
    make_set(out, "current");
    make_set(old, "older"); /* killed while removing the set it replaced */
    cr_assert_eq(glyph_outdir_begin(out, stage, sizeof stage, err, sizeof err), 0, "%s", err);
    cr_assert(!exists(old), "%s is left", old);
    cr_assert(holds(out, "current"), "the set in place was touched");
    glyph_outdir_abort(stage);
}

Test(glyph_outdir, commit_replaces_the_set_whole_and_leaves_nothing_beside)
{
    char stage[192], err[256] = "";
    make_set(out, "old");
    cr_assert_eq(glyph_outdir_begin(out, stage, sizeof stage, err, sizeof err), 0, "%s", err);
    char path[256];
    snprintf(path, sizeof path, "%s/manifest.json", stage);
    const char *text = "{\"dataset\": \"glyphs\", \"tag\": \"new\"}\n";
    cr_assert_eq(write_file_atomic(path, text, strlen(text), err, sizeof err), 0, "%s", err);
    cr_assert_eq(glyph_outdir_commit(out, stage, err, sizeof err), 0, "%s", err);
    cr_assert(holds(out, "new"));
    cr_assert(!exists(stage), "the stage %s is left", stage);
    char old[192];
    snprintf(old, sizeof old, "%s.old.%ld", out, (long)getpid());
    cr_assert(!exists(old), "the old set %s is left", old);
}

Test(glyph_outdir, a_running_builds_stage_is_left_alone)
{
    char live[192], stage[192], err[256] = "";
    snprintf(live, sizeof live, "%s.tmp.%ld", out, (long)getppid()); /* the runner: alive */
    make_set(live, "in progress");
    cr_assert_eq(glyph_outdir_begin(out, stage, sizeof stage, err, sizeof err), 0, "%s", err);
    cr_assert(holds(live, "in progress"), "another process's stage was removed");
    glyph_outdir_abort(stage);
}

Test(glyph_outdir, a_directory_that_is_not_a_glyph_set_is_refused)
{
    char stage[192], err[256] = "", path[256];
    cr_assert_eq(mkdir(out, 0777), 0);
    snprintf(path, sizeof path, "%s/notes.txt", out);
    cr_assert_eq(write_file_atomic(path, "mine\n", 5, err, sizeof err), 0, "%s", err);
    cr_assert_eq(glyph_outdir_begin(out, stage, sizeof stage, err, sizeof err), 1);
    cr_assert(strstr(err, "not a glyph set"), "%s", err);
    cr_assert(exists(path), "the directory was touched");
}
