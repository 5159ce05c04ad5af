/* fileio.c — atomic writes, whole-file reads, mkdir -p, temporary files
 * cleaned up (see fileio.h). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/parse.h"
#include "core/text.h"

char *read_file_all(const char *path, size_t *len)
{
    char err[64];
    size_t n;
    char *text = read_text(path, &n, err, sizeof err);
    if (text && len) *len = n;
    return text;
}

/* The temporary file being written, for the signal handler. */
static char cur_tmp[FILEIO_PATH_MAX + 32];
static volatile sig_atomic_t have_tmp;

static void on_signal(int sig)
{
    if (have_tmp) unlink(cur_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

void fileio_cleanup_on_signals(void)
{
    signal(SIGXFSZ, SIG_IGN);
    int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa = { .sa_handler = on_signal };
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Writes and syncs text into the open file; 0, or the errno of the first failure. */
static int write_all(FILE *f, const char *text, size_t len)
{
    int e = 0;
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0) e = errno ? errno : EIO;
    if (!e && fsync(fileno(f)) != 0) e = errno;
    if (fclose(f) != 0 && !e) e = errno ? errno : EIO;
    return e;
}

int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    size_t old_len;
    char *old = read_file_all(path, &old_len);
    int same = old && old_len == len && memcmp(old, text, len) == 0;
    free(old);
    if (same)
        return 0;
    if (strlen(path) > FILEIO_PATH_MAX) {
        snprintf(err, errlen, "cannot write %.200s...: the path is longer than %d characters", path,
                 FILEIO_PATH_MAX);
        return 1;
    }
    have_tmp = 0;
    snprintf(cur_tmp, sizeof cur_tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(cur_tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", cur_tmp, strerror(errno));
        return 1;
    }
    have_tmp = 1;
    errno = 0;
    int e = write_all(f, text, len);
    if (!e && rename(cur_tmp, path) != 0) e = errno;
    if (e) {
        unlink(cur_tmp);
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
    }
    have_tmp = 0;
    return e != 0;
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
    int bad = fflush(f) != 0 || ferror(f);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    int rc = bad || !buf || len <= 0 || fread(buf, 1, (size_t)len, f) != (size_t)len;
    fclose(f);
    if (rc) {
        free(buf);
        snprintf(err, errlen, "cannot build %s in a temporary file: %s", path, strerror(errno));
        return 1;
    }
    rc = write_file_atomic(path, buf, (size_t)len, err, errlen);
    free(buf);
    return rc;
}

/* 0 when dir is a directory we can write into; 1 with errno set. */
static int dir_ok(const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb)) return 1;
    if (!S_ISDIR(sb.st_mode)) { errno = ENOTDIR; return 1; }
    return access(dir, W_OK | X_OK) != 0;
}

int mkdir_p(const char *dir)
{
    char tmp[FILEIO_PATH_MAX + 1];
    if (strlen(dir) > FILEIO_PATH_MAX) { errno = ENAMETOOLONG; return 1; }
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0777) && errno != EEXIST) return 1;
            *p = '/';
        }
    if (mkdir(tmp, 0777) && errno != EEXIST) return 1;
    return dir_ok(tmp);
}

/* Is pid a live dmlbench (its temporary files are its own)? */
static int live_dmlbench(long pid)
{
    if (pid == (long)getpid()) return 1;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    char p[64], comm[64] = "";
    snprintf(p, sizeof p, "/proc/%ld/comm", pid);
    FILE *f = fopen(p, "r");
    if (!f) return 1; /* cannot tell: leave it */
    int ok = fgets(comm, sizeof comm, f) != NULL;
    fclose(f);
    return ok && !strncmp(comm, "dmlbench", 8);
}

int fileio_clean_stale(const char *path)
{
    char dir[FILEIO_PATH_MAX + 1];
    if (strlen(path) > FILEIO_PATH_MAX) return 0;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) *slash = 0;
    size_t bl = strlen(base);
    DIR *d = opendir(slash ? (*dir ? dir : "/") : ".");
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        uint64_t pid;
        if (strncmp(e->d_name, base, bl) || strncmp(e->d_name + bl, ".tmp.", 5) ||
            parse_u64(e->d_name + bl + 5, &pid) || pid == 0 || pid > 1u << 30 || live_dmlbench((long)pid))
            continue;
        char full[2 * FILEIO_PATH_MAX + 2];
        snprintf(full, sizeof full, "%s/%s", slash ? (*dir ? dir : "") : ".", e->d_name);
        n += unlink(full) == 0;
    }
    closedir(d);
    return n;
}
