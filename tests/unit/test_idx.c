/* test_idx.c — the IDX writer (harness/data/idx_write.c) against the reader
 * (harness/data/idx.c) and against a reader written apart from both
 * (tests/shell/idx_read.py): both element types, gzip and plain, sizes that are
 * not round, labels a byte cannot hold, and every refusal's message. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/idx.h"
#include "tmpdir.h"

static char dir[64];

static void make_dir(void)
{
    tmpdir_make(dir, sizeof dir, "dml_idxw_");
}

static const char *at(const char *name)
{
    static char path[2][160];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

/* What tests/shell/idx_read.py prints for an array: type, dims, count, sum, weighted sum. */
static void summary(const idx_array *a, char *out, size_t len)
{
    const int64_t P = 1000000007;
    size_t n = a->dims[0] * a->item;
    int64_t sum = 0, w = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v = a->esize == 1 ? a->data[i] : (int64_t)((const int32_t *)(const void *)a->data)[i];
        sum += v;
        w = ((w + (int64_t)((i + 1) % P) * (v % P)) % P + P) % P;
    }
    int o = snprintf(out, len, "0x%02X %zu", (unsigned)a->type, a->dims[0]);
    for (size_t d = 1; d < a->ndim; d++) o += snprintf(out + o, len - (size_t)o, "x%zu", a->dims[d]);
    snprintf(out + o, len - (size_t)o, " %zu %lld %lld", n, (long long)sum, (long long)w);
}

/* The Python reader's line for path (python3 comes with make test's packages). */
static void python_summary(const char *path, char *out, size_t len)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "python3 %s/shell/idx_read.py '%s'", DML_TEST_DIR, path);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run %s", cmd);
    cr_assert(fgets(out, (int)len, p), "no output from %s", cmd);
    out[strcspn(out, "\n")] = 0;
    cr_assert_eq(pclose(p), 0, "%s failed", cmd);
}

static void round_trip(const char *name, int type, size_t ndim, const size_t *dims, const void *data)
{
    char err[512] = "", mine[160], theirs[160];
    cr_assert_eq(idx_write(at(name), type, ndim, dims, data, err, sizeof err), 0, "%s", err);
    idx_array a;
    cr_assert_eq(idx_read(at(name), ndim, IDX_MAX_BYTES, &a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(a.type, type);
    size_t n = 1;
    for (size_t d = 0; d < ndim; d++) {
        cr_assert_eq(a.dims[d], dims[d]);
        n *= dims[d];
    }
    cr_assert_eq(memcmp(a.data, data, n * a.esize), 0, "%s: read back differs", name);
    summary(&a, mine, sizeof mine);
    python_summary(at(name), theirs, sizeof theirs);
    cr_assert_str_eq(mine, theirs, "%s: the Python reader disagrees", name);
    idx_free(&a);
}

Test(idx_write, round_trip_both_types_gzip_and_plain)
{
    make_dir();
    size_t d3[3] = { 7, 5, 3 }, d1[1] = { 1000 };
    uint8_t pix[105];
    for (size_t i = 0; i < sizeof pix; i++) pix[i] = (uint8_t)(i * 37 + 11);
    int32_t lab[1000];
    for (size_t i = 0; i < 1000; i++) lab[i] = (int32_t)(i * 2654435761u % 70001u);  /* > 65535 */
    lab[3] = INT32_MAX;
    lab[4] = -5;  /* idx_write writes any int32; idx_write_labels refuses it */
    const char *names[2][2] = { { "img-idx3-ubyte", "img-idx3-ubyte.gz" },
                                { "lab-idx1-int", "lab-idx1-int.gz" } };
    for (int gz = 0; gz < 2; gz++) {
        round_trip(names[0][gz], IDX_TYPE_UBYTE, 3, d3, pix);
        round_trip(names[1][gz], IDX_TYPE_INT32, 1, d1, lab);
    }
    /* the same items give the same bytes: the gzip header carries no time or name */
    char err[256];
    cr_assert_eq(idx_write(at("again.gz"), IDX_TYPE_INT32, 1, d1, lab, err, sizeof err), 0, "%s", err);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", at("again.gz"), at("lab-idx1-int.gz"));
    cr_assert_eq(system(cmd), 0, "two writes of the same labels differ");
}

Test(idx_write, labels_that_do_not_fit_are_refused)
{
    make_dir();
    int32_t lab[300];
    for (int i = 0; i < 300; i++) lab[i] = i;
    char err[512] = "";
    cr_assert_eq(idx_write_labels(at("u8"), IDX_TYPE_UBYTE, lab, 256, err, sizeof err), 0, "%s", err);
    cr_assert_eq(idx_write_labels(at("u8big"), IDX_TYPE_UBYTE, lab, 300, err, sizeof err), 1);
    cr_assert(strstr(err, "label 256 of item 256 does not fit IDX type 0x08"), "%s", err);
    cr_assert(strstr(err, "more classes than a byte holds"), "%s", err);
    cr_assert_neq(access(at("u8big"), F_OK), 0, "a refused write left a file");
    lab[7] = -1;
    cr_assert_eq(idx_write_labels(at("neg.gz"), IDX_TYPE_INT32, lab, 300, err, sizeof err), 1);
    cr_assert(strstr(err, "label -1 of item 7"), "%s", err);
    lab[7] = 7;
    cr_assert_eq(idx_write_labels(at("i32.gz"), IDX_TYPE_INT32, lab, 300, err, sizeof err), 0, "%s", err);
    idx_array a;
    cr_assert_eq(idx_read(at("i32.gz"), 1, IDX_MAX_BYTES, &a, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < 300; i++) cr_assert_eq(idx_label(&a, i), (int64_t)i);
    idx_free(&a);
}

Test(idx_write, truncated_int32_files_are_refused)
{
    make_dir();
    int32_t lab[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 300 };
    char err[512] = "";
    cr_assert_eq(idx_write_labels(at("t"), IDX_TYPE_INT32, lab, 10, err, sizeof err), 0, "%s", err);
    cr_assert_eq(truncate(at("t"), 8 + 39), 0);  /* the last label loses a byte */
    idx_array a;
    cr_assert_eq(idx_read(at("t"), 1, IDX_MAX_BYTES, &a, err, sizeof err), 1);
    cr_assert(strstr(err, "truncated: 39 of the 40 data bytes"), "%s", err);
    cr_assert(strstr(err, at("t")), "%s does not name the file", err);
    /* a header asking for more int32 bytes than the cap: refused before allocation */
    size_t big[1] = { 300 };
    cr_assert_eq(idx_write(at("cap"), IDX_TYPE_INT32, 1, big, (int32_t[300]){ 0 }, err, sizeof err), 0, "%s", err);
    cr_assert_eq(idx_read(at("cap"), 1, 1000, &a, err, sizeof err), 1);
    cr_assert(strstr(err, "refused"), "%s", err);
}

Test(idx_write, bad_arguments_and_unwritable_paths)
{
    make_dir();
    char err[512] = "";
    size_t zero[1] = { 0 }, one[1] = { 1 };
    cr_assert_eq(idx_write(at("z"), IDX_TYPE_UBYTE, 1, zero, "", err, sizeof err), 1);
    cr_assert(strstr(err, "dimension 1 is 0"), "%s", err);
    cr_assert_eq(idx_write(at("f"), 0x0D, 1, one, "x", err, sizeof err), 1);
    cr_assert(strstr(err, "not supported"), "%s", err);
    cr_assert_eq(idx_write("/nonexistent-dir/x.gz", IDX_TYPE_UBYTE, 1, one, "x", err, sizeof err), 1);
    cr_assert(strstr(err, "cannot write /nonexistent-dir/x.gz"), "%s", err);
}
