/* glyph_outdir.c — the set's directory replaced whole.  The files are written
 * into OUT.tmp.<pid>, which then takes OUT's place (OUT moved aside to
 * OUT.old.<pid> first and removed after; one atomic exchange of the two
 * where the file system has renameat2's RENAME_EXCHANGE): a build killed at
 * any moment leaves the previous set or the new one, never a mix.  What a
 * killed build left (OUT.tmp.<pid>, OUT.old.<pid> of a process that is gone)
 * is removed by the next one, or, an old set whose new one never took its
 * place, put back.  A directory that is not a glyph set is never replaced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "data/glyph.h"

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    remove(p);
    return 0;
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes OUT.tmp.<pid> and OUT.old.<pid> whose process is gone. */
static void clean_stale(const char *out)
{
    char parent[FILEIO_PATH_MAX + 1];
    snprintf(parent, sizeof parent, "%s", out);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? out + (slash - parent) + 1 : out;
    if (slash) *slash = 0;
    DIR *d = opendir(slash ? (*parent ? parent : "/") : ".");
    if (!d) return;
    size_t bl = strlen(base);
    for (struct dirent *e; (e = readdir(d));) {
        const char *tail = e->d_name + bl;
        if (strncmp(e->d_name, base, bl) || (strncmp(tail, ".tmp.", 5) && strncmp(tail, ".old.", 5))) continue;
        char *end;
        long pid = strtol(tail + 5, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || !(kill((pid_t)pid, 0) != 0 && errno == ESRCH)) continue;
        char full[2 * FILEIO_PATH_MAX + 2];
        snprintf(full, sizeof full, "%s/%s", slash ? (*parent ? parent : "") : ".", e->d_name);
        struct stat sb;
        /* a build killed between its two renames (no exchange here): the old set back */
        if (!strncmp(tail, ".old.", 5) && stat(out, &sb) != 0 && rename(full, out) == 0) continue;
        rm_rf(full);
    }
    closedir(d);
}

/* 0 when out is missing, an empty directory, or a glyph set's directory. */
static int replaceable(const char *out, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(out, &sb)) return 0;
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--out %s: exists and is not a directory", out);
        return 1;
    }
    DIR *d = opendir(out);
    int empty = 1;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
    if (d) closedir(d);
    if (empty) return 0;
    char path[FILEIO_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *m = read_file_all(path, NULL);
    int ours = m && strstr(m, "\"dataset\": \"glyphs\"");
    free(m);
    if (!ours)
        snprintf(err, errlen, "--out %s: a directory that is not a glyph set (no manifest.json of one): "
                 "give a new or empty directory", out);
    return !ours;
}

int glyph_outdir_begin(const char *out, char *stage, size_t len, char *err, size_t errlen)
{
    if (!*out || strlen(out) > FILEIO_PATH_MAX - 32) {
        snprintf(err, errlen, "--out: the path is empty or longer than %d characters", FILEIO_PATH_MAX - 32);
        return 1;
    }
    clean_stale(out);
    if (replaceable(out, err, errlen)) return 1;
    char parent[FILEIO_PATH_MAX + 1];
    snprintf(parent, sizeof parent, "%s", out);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent)) {
            snprintf(err, errlen, "--out %s: cannot create %s: %s", out, parent, strerror(errno));
            return 1;
        }
    }
    snprintf(stage, len, "%s.tmp.%ld", out, (long)getpid());
    if (mkdir(stage, 0777)) {
        snprintf(err, errlen, "--out %s: cannot create %s: %s", out, stage, strerror(errno));
        return 1;
    }
    return 0;
}

int glyph_outdir_commit(const char *out, const char *stage, char *err, size_t errlen)
{
    char old[FILEIO_PATH_MAX + 32];
    snprintf(old, sizeof old, "%s.old.%ld", out, (long)getpid());
    struct stat sb;
    int had = stat(out, &sb) == 0;
    /* One atomic swap where the file system has it: OUT is the old set or
     * the new one at every instant, and the old one, now at the stage's
     * name, is what a kill during its removal leaves for the next build. */
    if (had && renameat2(AT_FDCWD, stage, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
        rm_rf(stage);
        return 0;
    }
    if (had && rename(out, old)) {
        snprintf(err, errlen, "--out %s: cannot move the old set aside: %s", out, strerror(errno));
        return 1;
    }
    if (rename(stage, out)) {
        int e = errno;
        if (had) rename(old, out);
        snprintf(err, errlen, "--out %s: cannot put the new set in place: %s", out, strerror(e));
        return 1;
    }
    if (had) rm_rf(old);
    return 0;
}

void glyph_outdir_abort(const char *stage)
{
    rm_rf(stage);
}
