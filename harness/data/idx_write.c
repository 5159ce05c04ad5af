/* idx_write.c — the IDX writer (the format: idx.h).  The file is built in
 * memory (header, big-endian elements, then gzip when the name ends in .gz)
 * and written through core/fileio's atomic write: a killed build leaves the
 * previous file or none, never half of one.  gzip with zlib's fixed header
 * (no name, time 0), so the same items give the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "data/idx.h"

#ifdef DML_HAVE_ZLIB
#include <zlib.h>
#endif

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

/* The plain IDX bytes: header, then the elements big-endian.  NULL with err set. */
static uint8_t *idx_bytes(const char *path, int type, size_t ndim, const size_t *dims,
                          const void *data, size_t *len, char *err, size_t errlen)
{
    size_t esize = type == IDX_TYPE_INT32 ? 4 : 1, n = 1;
    for (size_t i = 0; i < ndim; i++) {
        if (dims[i] == 0 || dims[i] > UINT32_MAX || n > SIZE_MAX / 8 / dims[i]) {
            snprintf(err, errlen, "cannot write %s: dimension %zu is %zu (1 to 2^32-1, and the product must fit)",
                     path, i + 1, dims[i]);
            return NULL;
        }
        n *= dims[i];
    }
    *len = 4 + 4 * ndim + n * esize;
    uint8_t *b = malloc(*len), *p = b;
    if (!b) {
        snprintf(err, errlen, "cannot write %s: out of memory for %zu bytes", path, *len);
        return NULL;
    }
    *p++ = 0, *p++ = 0, *p++ = (uint8_t)type, *p++ = (uint8_t)ndim;
    for (size_t i = 0; i < ndim; i++, p += 4)
        p[0] = (uint8_t)(dims[i] >> 24), p[1] = (uint8_t)(dims[i] >> 16),
        p[2] = (uint8_t)(dims[i] >> 8), p[3] = (uint8_t)dims[i];
    if (esize == 1) {
        memcpy(p, data, n);
        return b;
    }
    const int32_t *v = data;
    for (size_t i = 0; i < n; i++, p += 4) {
        uint32_t u = (uint32_t)v[i];
        p[0] = (uint8_t)(u >> 24), p[1] = (uint8_t)(u >> 16), p[2] = (uint8_t)(u >> 8), p[3] = (uint8_t)u;
    }
    return b;
}

/* raw (len bytes) as a gzip member in a new buffer; NULL with err set. */
static uint8_t *gzip_bytes(const char *path, const uint8_t *raw, size_t *len, char *err, size_t errlen)
{
#ifdef DML_HAVE_ZLIB
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper; zlib writes time 0 and no name. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        snprintf(err, errlen, "cannot write %s: zlib cannot start a gzip stream", path);
        return NULL;
    }
    size_t cap = deflateBound(&z, (uLong)*len);
    uint8_t *out = malloc(cap);
    int rc = Z_BUF_ERROR;
    if (out) {
        z.next_in = (Bytef *)raw;
        z.next_out = out;
        size_t in_left = *len, out_left = cap, giga = (size_t)1 << 30;
        do {  /* avail_in/out are 32-bit: hand over at most 1 GiB at a time */
            if (z.avail_in == 0 && in_left) {
                z.avail_in = (uInt)(in_left < giga ? in_left : giga);
                in_left -= z.avail_in;
            }
            if (z.avail_out == 0 && out_left) {
                z.avail_out = (uInt)(out_left < giga ? out_left : giga);
                out_left -= z.avail_out;
            }
            rc = deflate(&z, in_left ? Z_NO_FLUSH : Z_FINISH);
        } while (rc == Z_OK);
    }
    *len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        snprintf(err, errlen, "cannot write %s: gzip compression failed", path);
        return NULL;
    }
    return out;
#else
    (void)raw; (void)len;
    snprintf(err, errlen, "cannot write %s: this build has no zlib (write the unpacked name)", path);
    return NULL;
#endif
}

int idx_write(const char *path, int type, size_t ndim, const size_t *dims, const void *data,
              char *err, size_t errlen)
{
    if ((type != IDX_TYPE_UBYTE && type != IDX_TYPE_INT32) || ndim < 1 || ndim > 3) {
        snprintf(err, errlen, "cannot write %s: IDX type 0x%02x with %zu dimensions is not supported",
                 path, (unsigned)type, ndim);
        return 1;
    }
    size_t len;
    uint8_t *raw = idx_bytes(path, type, ndim, dims, data, &len, err, errlen);
    if (!raw) return 1;
    if (ends_with(path, ".gz")) {
        uint8_t *gz = gzip_bytes(path, raw, &len, err, errlen);
        free(raw);
        if (!gz) return 1;
        raw = gz;
    }
    int rc = write_file_atomic(path, (const char *)raw, len, err, errlen);
    free(raw);
    return rc;
}

int idx_write_labels(const char *path, int type, const int32_t *labels, size_t n, char *err,
                     size_t errlen)
{
    int32_t top = type == IDX_TYPE_UBYTE ? 255 : INT32_MAX;
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] > top) {
            snprintf(err, errlen, "cannot write %s: label %ld of item %zu does not fit IDX type 0x%02X "
                     "(%s holds 0 to %ld)%s", path, (long)labels[i], i, (unsigned)type,
                     type == IDX_TYPE_UBYTE ? "unsigned byte" : "int32", (long)top,
                     type == IDX_TYPE_UBYTE && labels[i] > top ? ": more classes than a byte holds, use int32 (0x0C)" : "");
            return 1;
        }
    if (type == IDX_TYPE_INT32)
        return idx_write(path, type, 1, &n, labels, err, errlen);
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        snprintf(err, errlen, "cannot write %s: out of memory", path);
        return 1;
    }
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)labels[i];
    int rc = idx_write(path, type, 1, &n, b, err, errlen);
    free(b);
    return rc;
}
