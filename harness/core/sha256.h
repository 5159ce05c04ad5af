/* sha256.h — SHA-256 (FIPS 180-4), small and slow enough to read: the glyph
 * set's manifest names every font file by its hash, and a hash library is
 * not worth a dependency for a few hundred megabytes once per build. */
#ifndef DML_CORE_SHA256_H
#define DML_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len;        /* bytes hashed so far */
    uint8_t block[64];
    size_t used;         /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(sha256_ctx *c, char out[65]);

/* The portable code (1) or SHA-NI when the CPU has it (0, the default): for the tests. */
void sha256_force_portable(int on);
/* sha256_ni.c: does this CPU have SHA-NI; the blocks with it. */
int sha256_ni_available(void);
void sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]);

/* The hash of a whole file; 0, or 1 with errno set. */
int sha256_file(const char *path, char out[65]);

#endif
