/* checks.h — kernel checks shared by the Criterion suite and the standalone
 * driver that runs under qemu (Criterion's runner hangs under qemu-user).
 *
 * A check runs one kernel of one ISA against the scalar reference and returns
 * 0 when it agrees, or non-zero with a one-line reason in why[]. */
#ifndef DML_CHECKS_H
#define DML_CHECKS_H

#include <stddef.h>

#include "dml.h"

typedef int (*dml_check_fn)(const dml_kernels *k, char *why, size_t whylen);

typedef struct dml_check {
    const char *name;
    dml_check_fn fn;
} dml_check;

/* Each family exports a table terminated by { NULL, NULL }. */
extern const dml_check dml_cosine_checks[];
extern const dml_check dml_lse_checks[];
/* The bf16 proxies' normalisation and product (check_bf16.c). */
extern const dml_check dml_bf16_checks[];
/* The lse and exp kernels' output bits against pinned hashes (check_lse_bits.c). */
extern const dml_check dml_lse_bits_checks[];
extern const dml_check dml_triplet_checks[]; /* the losses over the table: sorted vs enumerate */
/* The fused proxy step against the unfused one and the reference (check_fused.c). */
extern const dml_check dml_loss_checks[];
/* Sampled proxies: the step is its gathered sub-problem's (check_sampled.c). */
extern const dml_check dml_sample_checks[];

/* The odd sizes every dimension with a tail is tried at. */
#define DML_CHECK_SIZES { 1, 3, 7, 15, 16, 17, 31, 63, 65, 97, 1000, 1023 }

#endif
