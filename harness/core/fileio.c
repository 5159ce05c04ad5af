/* fileio.c — atomic writes, whole-file reads, mkdir -p. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

char *read_file_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        char *nb = realloc(buf, 2 * cap + 1);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) { free(buf); return NULL; }
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    size_t old_len;
    char *old = read_file_all(path, &old_len);
    int same = old && old_len == len && memcmp(old, text, len) == 0;
    free(old);
    if (same)
        return 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return 1;
    }
    int bad = fwrite(text, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

FILE *fileio_tmp(char *err, size_t errlen)
{
    char tmpl[] = "/tmp/dmlbench-json-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f) {
        snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
        return NULL;
    }
    unlink(tmpl);
    return f;
}

int write_stream_atomic(FILE *f, const char *path, char *err, size_t errlen)
{
    fflush(f);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    int rc = !buf || len <= 0 || fread(buf, 1, (size_t)len, f) != (size_t)len;
    fclose(f);
    if (rc) {
        free(buf);
        snprintf(err, errlen, "cannot build the JSON for %.900s", path);
        return 1;
    }
    rc = write_file_atomic(path, buf, (size_t)len, err, errlen);
    free(buf);
    return rc;
}

int mkdir_p(const char *dir)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0777) && errno != EEXIST) return 1;
            *p = '/';
        }
    return mkdir(tmp, 0777) && errno != EEXIST;
}
