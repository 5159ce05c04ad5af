/* idx.h — the IDX format of MNIST-style data sets (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header (two zero bytes, a type byte, the number of dimensions,
 * then one 32-bit size per dimension) followed by the items, big-endian.
 *
 * Two element types are read and written: unsigned byte (0x08: pixels, and the
 * labels of sets with at most 256 classes) and signed 32-bit integer (0x0C: the
 * labels of sets with more classes, as the glyph set writes them; PyTorch's and
 * every other IDX reader know both).  Every failure names the file and what is
 * wrong: one line in err, return 1. */
#ifndef DML_DATA_IDX_H
#define DML_DATA_IDX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_TYPE_UBYTE 0x08
#define IDX_TYPE_INT32 0x0C

/* Reading is bounded: a header whose dimensions ask for more than this many
 * bytes of items is refused before anything is allocated. */
#define IDX_MAX_BYTES ((size_t)1 << 30)

typedef struct idx_array {
    uint8_t *data;    /* count × item elements of esize bytes; int32 ones in host order */
    int type;         /* IDX_TYPE_UBYTE or IDX_TYPE_INT32 */
    size_t esize;     /* bytes an element: 1 or 4 */
    size_t ndim;      /* 1 (labels) or 3 (images) */
    size_t dims[3];   /* dims[0] = count */
    size_t item;      /* elements an item: product of dims[1..] (1 for labels) */
} idx_array;

/* Reads an IDX file (gzip or plain: zlib reads both) with exactly `ndim`
 * dimensions, of either type. */
int idx_read(const char *path, size_t ndim, size_t max_bytes, idx_array *out, char *err,
             size_t errlen);
void idx_free(idx_array *a);

/* Element i of a 1-dimensional array (a label), whatever its type. */
int64_t idx_label(const idx_array *a, size_t i);

/* Writes an IDX file atomically (core/fileio.h: a killed write leaves the old
 * file or none), gzip-compressed when path ends in ".gz".  `data` holds
 * dims[0] × … × dims[ndim-1] elements: bytes for IDX_TYPE_UBYTE, int32_t in
 * host order for IDX_TYPE_INT32.  The same arguments give the same bytes. */
int idx_write(const char *path, int type, size_t ndim, const size_t *dims, const void *data,
              char *err, size_t errlen);

/* Writes n labels as a 1-dimensional IDX file of the given type, refusing a
 * label the type cannot hold (negative, or above 255 for unsigned byte). */
int idx_write_labels(const char *path, int type, const int32_t *labels, size_t n, char *err,
                     size_t errlen);

#endif
