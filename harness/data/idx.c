/* idx.c — the IDX reader (the format: idx.h).  Read with zlib, whose gzread
 * passes plain files through unchanged, so .gz and unpacked files both work.
 * Every failure names the file and what is wrong; nothing is allocated before
 * the header's sizes are checked against a bound. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/idx.h"

#ifdef DML_HAVE_ZLIB
#include <zlib.h>
#else
/* A build without zlib (the AArch64 cross build) reads unpacked files through
 * the same calls; a gzip file is refused by its magic bytes in idx_read. */
typedef FILE *gzFile;
#define Z_OK 0
#define Z_ERRNO (-1)
#define Z_DATA_ERROR (-3)
#define Z_MEM_ERROR (-4)
static gzFile gzopen(const char *path, const char *mode) { return fopen(path, mode); }
static int gzread(gzFile f, void *buf, unsigned n) { return (int)fread(buf, 1, n, f); }
static int gzclose(gzFile f) { return fclose(f); }
static const char *gzerror(gzFile f, int *code)
{
    *code = ferror(f) ? Z_ERRNO : Z_OK;
    return "";
}
#endif

/* Reads exactly n bytes; returns the number read (short on EOF or error). */
static size_t gz_read_all(gzFile f, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        int r = gzread(f, (char *)buf + got, (unsigned)want);
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* zlib's message for a failed read ("unexpected end of file", "incorrect data
 * check"), without the path gzerror puts in front, or "end of file". */
static const char *gz_why(gzFile f)
{
    int code = 0;
    const char *msg = gzerror(f, &code);
    if (code == Z_ERRNO) return strerror(errno);
    if (code == Z_OK || !msg || !*msg) return "end of file";
    const char *colon = strstr(msg, ": ");
    return colon ? colon + 2 : msg;
}

/* A damaged gzip stream is "corrupt", whatever part of the file was being read. */
static int gz_corrupt(gzFile f, char *what, size_t len)
{
    int code = 0;
    gzerror(f, &code);
    if (code != Z_DATA_ERROR && code != Z_MEM_ERROR) return 0;
    snprintf(what, len, "corrupt gzip data (%s)", gz_why(f));
    return 1;
}

static int check_header(const unsigned char h[4], size_t ndim, char *what, size_t len)
{
#ifndef DML_HAVE_ZLIB
    if (h[0] == 0x1f && h[1] == 0x8b) {
        snprintf(what, len, "is gzip-compressed and this build has no zlib: gunzip it");
        return 1;
    }
#endif
    if (h[0] != 0 || h[1] != 0) {
        snprintf(what, len, "not an IDX file (magic %02x%02x%02x%02x does not start with 0000)",
                 h[0], h[1], h[2], h[3]);
        return 1;
    }
    if (h[2] != IDX_TYPE_UBYTE && h[2] != IDX_TYPE_INT32) {
        snprintf(what, len, "IDX type 0x%02x is neither unsigned byte (0x08) nor int32 (0x0C)", h[2]);
        return 1;
    }
    if (h[3] != ndim) {
        snprintf(what, len, "has %u dimensions, expected %zu", h[3], ndim);
        return 1;
    }
    return 0;
}

/* Reads the header's sizes and the product of all of them, refusing a zero
 * size, a product that overflows or one above max_bytes. */
static int read_dims(gzFile f, idx_array *a, size_t max_bytes, char *what, size_t len)
{
    size_t total = a->esize;
    a->item = 1;
    for (size_t i = 0; i < a->ndim; i++) {
        unsigned char b[4];
        if (gz_read_all(f, b, 4) != 4) {
            if (gz_corrupt(f, what, len)) return 1;
            snprintf(what, len, "truncated header (size %zu of %zu missing: %s)", i + 1, a->ndim,
                     gz_why(f));
            return 1;
        }
        size_t d = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
        if (d == 0) {
            snprintf(what, len, "dimension %zu is 0", i + 1);
            return 1;
        }
        if (total > max_bytes / d) {
            snprintf(what, len, "header asks for more than %zu bytes (dimension %zu is %zu): refused",
                     max_bytes, i + 1, d);
            return 1;
        }
        total *= d;
        a->dims[i] = d;
        if (i > 0) a->item *= d;
    }
    return 0;
}

static size_t n_elements(const idx_array *a)
{
    return a->dims[0] * a->item;
}

/* The file's big-endian int32 elements, in place, in this machine's order. */
static void to_host_order(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++, p += 4) {
        uint32_t u = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        int32_t v = (int32_t)u;
        memcpy(p, &v, 4);
    }
}

int idx_read(const char *path, size_t ndim, size_t max_bytes, idx_array *out, char *err,
             size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (ndim < 1 || ndim > 3) {
        snprintf(err, errlen, "%s: %zu dimensions asked for (1 to 3 supported)", path, ndim);
        return 1;
    }
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "zlib error");
        return 1;
    }
    char what[200] = "";
    unsigned char h[4];
    out->ndim = ndim;
    size_t got = gz_read_all(f, h, 4);
    if (got != 4) {
        if (!gz_corrupt(f, what, sizeof what))
            snprintf(what, sizeof what, "truncated header (%zu of 4 magic bytes: %s)", got, gz_why(f));
    } else if (!check_header(h, ndim, what, sizeof what)) {
        out->type = h[2];
        out->esize = h[2] == IDX_TYPE_INT32 ? 4 : 1;
        read_dims(f, out, max_bytes, what, sizeof what);
    }
    if (!*what) {
        size_t n = out->dims[0] * out->item * out->esize;
        out->data = malloc(n);
        if (!out->data) {
            snprintf(what, sizeof what, "out of memory for %zu bytes", n);
        } else if ((got = gz_read_all(f, out->data, n)) != n) {
            if (!gz_corrupt(f, what, sizeof what))
                snprintf(what, sizeof what, "truncated: %zu of the %zu data bytes the header declares (%s)",
                         got, n, gz_why(f));
        } else {
            unsigned char extra;
            int code = Z_OK;
            /* Reading past the end also checks the gzip trailer (CRC, length). */
            if (gz_read_all(f, &extra, 1) == 1)
                snprintf(what, sizeof what, "has data after the %zu items its header declares",
                         out->dims[0]);
            else if ((gzerror(f, &code), code) != Z_OK && !gz_corrupt(f, what, sizeof what))
                snprintf(what, sizeof what, "truncated gzip stream (%s)", gz_why(f));
        }
    }
    gzclose(f);
    if (!*what && out->type == IDX_TYPE_INT32) to_host_order(out->data, n_elements(out));
    if (*what) {
        snprintf(err, errlen, "%s: %s", path, what);
        idx_free(out);
        return 1;
    }
    return 0;
}

void idx_free(idx_array *a)
{
    free(a->data);
    a->data = NULL;
}

int64_t idx_label(const idx_array *a, size_t i)
{
    if (a->type != IDX_TYPE_INT32) return a->data[i];
    int32_t v;
    memcpy(&v, a->data + 4 * i, 4);
    return v;
}
