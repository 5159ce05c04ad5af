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
static int gzdirect(gzFile f) { (void)f; return 1; } /* every file is plain here */
static unsigned long crc32(unsigned long crc, const unsigned char *p, unsigned n) { (void)p; (void)n; return crc; }
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
static int read_dims(gzFile f, idx_array *a, size_t max_bytes, unsigned long *crc, char *what, size_t len)
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
        *crc = crc32(*crc, b, 4);
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

/* crc32 over n bytes, n beyond what an unsigned holds. */
static unsigned long crc32_big(unsigned long crc, const unsigned char *p, size_t n)
{
    while (n) {
        unsigned k = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

/* zlib reports no missing trailer when the file ended just as the deflate
 * data did: the gzip trailer (CRC-32 and length, little-endian, the last 8
 * bytes of a one-member file, as gzip writes it) is checked here. */
static void check_trailer(const char *path, unsigned long crc, size_t len, char *what, size_t wlen)
{
    FILE *raw = fopen(path, "rb");
    unsigned char t[8] = { 0 };
    int ok = raw && fseek(raw, -8, SEEK_END) == 0 && fread(t, 1, 8, raw) == 8;
    if (raw) fclose(raw);
    unsigned long fcrc = t[0] | (unsigned long)t[1] << 8 | (unsigned long)t[2] << 16 | (unsigned long)t[3] << 24;
    unsigned long flen = t[4] | (unsigned long)t[5] << 8 | (unsigned long)t[6] << 16 | (unsigned long)t[7] << 24;
    if (!ok || fcrc != crc || flen != (len & 0xffffffffUL))
        snprintf(what, wlen, "truncated gzip stream (its CRC and length trailer is missing or wrong)");
}

/* The items after the header: the first out->kept into out->data, the rest
 * through a 1 MiB buffer; every byte to each and into the CRC.  Returns the
 * bytes read (short on an early end or an error). */
static size_t read_items(gzFile f, idx_array *out, idx_each each, void *user, unsigned long *crc)
{
    size_t n = n_elements(out) * out->esize, k = out->kept * out->item * out->esize;
    size_t got = gz_read_all(f, out->data, k);
    *crc = crc32_big(*crc, out->data, got);
    if (each) each(out->data, got, user);
    if (got < k) return got;
    unsigned char *buf = malloc(1 << 20);
    for (size_t r = 1; buf && got < n && r;) {
        size_t want = n - got < (1u << 20) ? n - got : (1u << 20);
        r = gz_read_all(f, buf, want);
        *crc = crc32_big(*crc, buf, r);
        if (each) each(buf, r, user);
        got += r;
    }
    free(buf);
    return got;
}

/* After the items: nothing more, and an intact gzip end; what stays "" if so. */
static void check_end(gzFile f, const char *path, const idx_array *out, unsigned long crc, char *what, size_t len)
{
    unsigned char extra;
    int code = Z_OK;
    /* Reading past the end also checks the gzip trailer (CRC, length)... */
    if (gz_read_all(f, &extra, 1) == 1)
        snprintf(what, len, "has data after the %zu items its header declares", out->dims[0]);
    else if ((gzerror(f, &code), code) != Z_OK && !gz_corrupt(f, what, len))
        snprintf(what, len, "truncated gzip stream (%s)", gz_why(f));
    else if (!gzdirect(f)) /* ...unless the file ends with the deflate data */
        check_trailer(path, crc, 4 + 4 * out->ndim + n_elements(out) * out->esize, what, len);
}

int idx_read_some(const char *path, size_t ndim, size_t max_bytes, size_t keep, idx_each each, void *user,
                  idx_array *out, char *err, size_t errlen)
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
    unsigned long crc = crc32(0, h, (unsigned)got);
    if (got != 4) {
        if (!gz_corrupt(f, what, sizeof what))
            snprintf(what, sizeof what, "truncated header (%zu of 4 magic bytes: %s)", got, gz_why(f));
    } else if (!check_header(h, ndim, what, sizeof what)) {
        out->type = h[2];
        out->esize = h[2] == IDX_TYPE_INT32 ? 4 : 1;
        read_dims(f, out, max_bytes, &crc, what, sizeof what);
    }
    if (!*what) {
        size_t n = n_elements(out) * out->esize;
        out->kept = keep < out->dims[0] ? keep : out->dims[0];
        out->data = malloc(out->kept * out->item * out->esize + 1);
        if (!out->data)
            snprintf(what, sizeof what, "out of memory for %zu bytes", out->kept * out->item * out->esize);
        else if ((got = read_items(f, out, each, user, &crc)) != n) {
            if (!gz_corrupt(f, what, sizeof what))
                snprintf(what, sizeof what, "truncated: %zu of the %zu data bytes the header declares (%s)",
                         got, n, gz_why(f));
        } else
            check_end(f, path, out, crc, what, sizeof what);
    }
    gzclose(f);
    if (!*what && out->type == IDX_TYPE_INT32) to_host_order(out->data, out->kept * out->item);
    if (*what) {
        snprintf(err, errlen, "%s: %s", path, what);
        idx_free(out);
        return 1;
    }
    return 0;
}

int idx_read(const char *path, size_t ndim, size_t max_bytes, idx_array *out, char *err, size_t errlen)
{
    return idx_read_some(path, ndim, max_bytes, SIZE_MAX, NULL, NULL, out, err, errlen);
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
