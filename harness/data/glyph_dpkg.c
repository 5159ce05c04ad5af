/* glyph_dpkg.c — which font files a Debian package installed and which
 * version it is, read from dpkg's own records (/var/lib/dpkg: the .list file
 * of the package, the status file) rather than by running dpkg-query. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/glyph.h"

#define DPKG_DIR "/var/lib/dpkg"

static int is_font_file(const char *p)
{
    static const char *ext[] = { ".ttf", ".otf", ".ttc", ".otc" };
    size_t n = strlen(p);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (n > 4 && !strcasecmp(p + n - 4, ext[i])) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The package's .list file: <pkg>.list (Architecture: all) or <pkg>:<arch>.list. */
static FILE *open_list(const char *package)
{
    char path[512];
    snprintf(path, sizeof path, DPKG_DIR "/info/%s.list", package);
    FILE *f = fopen(path, "r");
    if (f) return f;
    snprintf(path, sizeof path, DPKG_DIR "/info/%s:*.list", package);
    glob_t g;
    if (glob(path, 0, NULL, &g) == 0 && g.gl_pathc > 0) f = fopen(g.gl_pathv[0], "r");
    globfree(&g);
    return f;
}

/* Version of an installed package from the status file; 0 when found. */
static int dpkg_version(const char *package, char *version, size_t vlen)
{
    FILE *f = fopen(DPKG_DIR "/status", "r");
    if (!f) return 1;
    char line[1024];
    int in = 0, installed = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) { in = installed = 0; continue; }
        if (!strncmp(line, "Package: ", 9)) in = !strcmp(line + 9, package);
        else if (in && !strncmp(line, "Status: ", 8)) installed = strstr(line, " installed") != NULL;
        else if (in && installed && !strncmp(line, "Version: ", 9)) {
            snprintf(version, vlen, "%s", line + 9);
            found = 1;
            break;
        }
    }
    fclose(f);
    return !found;
}

int glyph_dpkg_files(const char *package, char ***files, size_t *n, char *version, size_t vlen,
                     char *err, size_t errlen)
{
    *files = NULL;
    *n = 0;
    FILE *f = open_list(package);
    if (!f || dpkg_version(package, version, vlen)) {
        if (f) fclose(f);
        snprintf(err, errlen, "font package %s is not installed (sh scripts/deps.sh glyphs installs the list)",
                 package);
        return 1;
    }
    char line[1024];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        struct stat sb;
        /* symbolic links point at files another entry or package already holds */
        if (!is_font_file(line) || lstat(line, &sb) || !S_ISREG(sb.st_mode)) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*files, cap * sizeof *grown);
            if (!grown) break;
            *files = grown;
        }
        if (!((*files)[*n] = strdup(line))) break;
        ++*n;
    }
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        glyph_dpkg_free(*files, *n);
        snprintf(err, errlen, "cannot read dpkg's file list of %s: %s", package, strerror(errno ? errno : ENOMEM));
        return 1;
    }
    if (*n == 0) {
        snprintf(err, errlen, "font package %s installed no font file (.ttf, .otf, .ttc, .otc)", package);
        return 1;
    }
    qsort(*files, *n, sizeof **files, cmp_str);
    return 0;
}

void glyph_dpkg_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) free(files[i]);
    free(files);
}
