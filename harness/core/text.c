/* text.c — the bounded reader, the line iterator, printable text (see text.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

/* path opened for reading, or NULL with err set.  Opened without blocking
 * first: a FIFO (or socket) is refused, not waited on forever for a writer. */
static FILE *open_input(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb)) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)) {
        snprintf(err, errlen, "cannot read: a %s, not a file", S_ISFIFO(sb.st_mode) ? "FIFO" : "socket");
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        close(fd);
    }
    return f;
}

char *read_text(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = open_input(path, err, errlen);
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf && n <= TEXT_MAX) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        size_t nc = cap * 2 > TEXT_MAX + 1 ? TEXT_MAX + 1 : cap * 2;
        if (nc == cap) break; /* read TEXT_MAX + 1 bytes: too large */
        char *nb = realloc(buf, nc + 1);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap = nc;
    }
    int bad = ferror(f), e = errno;
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "cannot read: %s", buf ? strerror(e) : "out of memory");
        return NULL;
    }
    if (n > TEXT_MAX) {
        free(buf);
        snprintf(err, errlen, "larger than the %zu MiB input limit", TEXT_MAX >> 20);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

void lines_init(text_lines *t, char *text, size_t len)
{
    t->p = text;
    t->end = text + len;
    t->lineno = 0;
}

int lines_next(text_lines *t, char **line, size_t *len)
{
    if (t->p >= t->end) return 0;
    char *s = t->p, *nl = memchr(s, '\n', (size_t)(t->end - s));
    char *e = nl ? nl : t->end;
    t->p = nl ? nl + 1 : t->end;
    t->lineno++;
    if (e > s && e[-1] == '\r') e--;
    *e = 0; /* the '\n' or '\r', or the NUL after the text */
    *line = s;
    *len = (size_t)(e - s);
    return memchr(s, 0, *len) ? -1 : 1;
}

size_t utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t k = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0;               /* overlong */
    if (c == 0xed && s[1] > 0x9f) return 0;               /* surrogate */
    if (c == 0xf0 && s[1] < 0x90) return 0;               /* overlong */
    if (c == 0xf4 && s[1] > 0x8f) return 0;               /* > U+10FFFF */
    return k;
}

char *text_printable(const char *s, char *out, size_t outlen)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen;) {
        size_t k = utf8_len(u + i, n - i);
        if (k == 0 || u[i] < 0x20 || u[i] == 0x7f) {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", u[i]);
            i++;
        } else {
            memcpy(out + o, u + i, k);
            o += k;
            i += k;
        }
    }
    if (outlen) out[o < outlen ? o : outlen - 1] = 0;
    return out;
}
