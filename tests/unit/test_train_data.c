/* test_train_data.c — the IDX reader on small files written here (gzip and
 * plain, and every way a file can be wrong), and retrieval metrics against the
 * golden cases and a brute-force reference. */
#include <criterion/criterion.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/rng.h"
#include "golden/retrieval_case.h"
#include "train/train.h"
#include "tmpdir.h"

/* ------------------------------------------------------------ IDX files */

static char dir[64];

static void make_dir(void)
{
    tmpdir_make(dir, sizeof dir, "dml_idx_");
}

/* An IDX header (type 0x08) for the given dims, then `payload` bytes. */
static size_t idx_bytes(unsigned char *buf, unsigned magic_type, size_t ndim, const uint32_t *dims,
                        const unsigned char *payload, size_t n)
{
    size_t o = 0;
    buf[o++] = 0, buf[o++] = 0, buf[o++] = (unsigned char)magic_type, buf[o++] = (unsigned char)ndim;
    for (size_t i = 0; i < ndim; i++) {
        buf[o++] = (unsigned char)(dims[i] >> 24), buf[o++] = (unsigned char)(dims[i] >> 16);
        buf[o++] = (unsigned char)(dims[i] >> 8), buf[o++] = (unsigned char)dims[i];
    }
    if (n) memcpy(buf + o, payload, n); /* payload may be NULL when n is 0 */
    return o + n;
}

static void write_file(const char *name, const unsigned char *b, size_t n, int gz)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, gz ? ".gz" : "");
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert(f && gzwrite(f, b, (unsigned)n) == (int)n && gzclose(f) == Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(b, 1, n, f) == n && fclose(f) == 0);
    }
}

/* A valid set: `n` images of 2×3 with pixel values i*6+k, labels i % 3. */
static void write_set(const char *prefix, uint32_t n_img, uint32_t n_lab, int gz, int bad_label)
{
    unsigned char buf[4096], pix[600], lab[100];
    for (size_t i = 0; i < n_img * 6u; i++) pix[i] = (unsigned char)(i % 256);
    for (size_t i = 0; i < n_lab; i++) lab[i] = (unsigned char)(i % 3);
    if (bad_label) lab[1] = 7;
    char name[64];
    uint32_t d3[3] = { n_img, 2, 3 }, d1[1] = { n_lab };
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    write_file(name, buf, idx_bytes(buf, 8, 3, d3, pix, n_img * 6u), gz);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    write_file(name, buf, idx_bytes(buf, 8, 1, d1, lab, n_lab), gz);
}

/* Reads prefix from dir and expects failure with `want` (and the file name) in the message. */
static void expect_error(const char *prefix, const char *want)
{
    dataset d;
    char err[512] = "";
    cr_assert_eq(mnist_read(dir, prefix, 3, &d, err, sizeof err), 1, "no error, wanted '%s'", want);
    cr_assert(strstr(err, want), "error '%s' does not say '%s'", err, want);
    cr_assert(strstr(err, dir), "error '%s' does not name the file", err);
}

Test(idx, valid_gzip_and_plain)
{
    make_dir();
    write_set("gz", 10, 10, 1, 0);
    write_set("plain", 10, 10, 0, 0);
    const char *prefixes[2] = { "gz", "plain" };
    for (int k = 0; k < 2; k++) {
        dataset d;
        char err[512];
        cr_assert_eq(mnist_read(dir, prefixes[k], 3, &d, err, sizeof err), 0, "%s", err);
        cr_assert_eq(d.n, 10u);
        cr_assert_eq(d.dim, 6u);
        cr_assert_eq(d.classes, 3);
        for (size_t i = 0; i < 60; i++)
            cr_assert_float_eq(d.x[i], (float)(i % 256) / 255.0f, 0, "pixel %zu", i);
        for (size_t i = 0; i < 10; i++) cr_assert_eq(d.y[i], (int32_t)(i % 3));
        dataset_free(&d);
    }
}

Test(idx, count_mismatch_and_label_range)
{
    make_dir();
    write_set("mis", 10, 9, 1, 0);
    expect_error("mis", "9 labels, but");
    write_set("lab", 10, 10, 0, 1);
    expect_error("lab", "label 7 of item 1 is outside [0, 3)");
}

Test(idx, bad_magic_type_and_dims)
{
    make_dir();
    unsigned char buf[256], pix[60] = { 0 };
    uint32_t d3[3] = { 10, 2, 3 }, d1[1] = { 10 };
    write_set("m", 10, 10, 1, 0);
    size_t n = idx_bytes(buf, 8, 3, d3, pix, 60);
    buf[0] = 0x1f;  /* not 00 00 */
    write_file("m-images-idx3-ubyte", buf, n, 1);
    expect_error("m", "not an IDX file");
    write_set("t", 10, 10, 1, 0);
    write_file("t-images-idx3-ubyte", buf, idx_bytes(buf, 0x0D, 3, d3, pix, 60), 1);
    expect_error("t", "is neither unsigned byte (0x08) nor int32 (0x0C)");
    write_set("n", 10, 10, 1, 0);
    write_file("n-labels-idx1-ubyte", buf, idx_bytes(buf, 8, 3, d3, pix, 60), 1);
    expect_error("n", "has 3 dimensions, expected 1");
    (void)d1;
}

Test(idx, absurd_dimensions_are_refused_before_allocation)
{
    make_dir();
    unsigned char buf[64];
    uint32_t huge[3] = { 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu }, zero[3] = { 10, 0, 3 };
    write_set("h", 10, 10, 1, 0);
    write_file("h-images-idx3-ubyte", buf, idx_bytes(buf, 8, 3, huge, NULL, 0), 1);
    expect_error("h", "refused");
    write_set("z", 10, 10, 1, 0);
    write_file("z-images-idx3-ubyte", buf, idx_bytes(buf, 8, 3, zero, NULL, 0), 1);
    expect_error("z", "dimension 2 is 0");
}

Test(idx, truncated_and_corrupt_and_missing)
{
    make_dir();
    unsigned char buf[256], pix[60] = { 0 };
    uint32_t d3[3] = { 10, 2, 3 };
    write_set("tr", 10, 10, 1, 0);
    write_file("tr-images-idx3-ubyte", buf, idx_bytes(buf, 8, 3, d3, pix, 59), 1);
    expect_error("tr", "truncated: 59 of the 60 data bytes");
    write_set("hd", 10, 10, 0, 0);
    write_file("hd-images-idx3-ubyte", buf, 9, 0);  /* magic and one size and a half */
    expect_error("hd", "truncated header");
    write_set("ex", 10, 10, 0, 0);
    write_file("ex-images-idx3-ubyte", buf, idx_bytes(buf, 8, 3, d3, pix, 60) + 1, 0);
    expect_error("ex", "has data after the 10 items");
    /* a gzip stream cut short, and one with a damaged body */
    write_set("cut", 10, 10, 1, 0);
    char path[128];
    snprintf(path, sizeof path, "%s/cut-images-idx3-ubyte.gz", dir);
    FILE *f = fopen(path, "rb+");
    cr_assert(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    cr_assert_eq(ftruncate(fileno(f), len - 12), 0);
    fclose(f);
    expect_error("cut", "cut-images-idx3-ubyte.gz");
    write_set("bad", 10, 10, 1, 0);
    snprintf(path, sizeof path, "%s/bad-images-idx3-ubyte.gz", dir);
    f = fopen(path, "rb+");
    cr_assert(f);
    fseek(f, len - 6, SEEK_SET);  /* a byte of the trailer's CRC-32 */
    int byte = fgetc(f);
    fseek(f, len - 6, SEEK_SET);
    fputc(byte ^ 0x55, f);
    fclose(f);
    expect_error("bad", "corrupt");
    expect_error("nothere", "cannot open");
}

/* ------------------------------------------------------------ retrieval */

Test(retrieval, golden_cases_every_isa_and_path)
{
    glob_t g;
    cr_assert_eq(glob(DML_TEST_DIR "/golden/retrieval/*.txt", 0, NULL, &g), 0, "no retrieval cases");
    cr_assert_geq(g.gl_pathc, 3u);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        retrieval_case rc;
        char err[256];
        cr_assert(retrieval_case_is(g.gl_pathv[i]));
        cr_assert_eq(retrieval_case_load(g.gl_pathv[i], &rc, err, sizeof err), 0, "%s", err);
        /* knn_each's path: by K, the large one, the small one for any K */
        size_t small_k[3] = { 0, 1, SIZE_MAX };
        for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
            if (!dml_isa_supported((dml_isa)isa)) continue;
            for (int b = 0; b < 3; b++)
                for (int threads = 1; threads <= 2; threads++) {
                    retrieval_metrics m;
                    cr_assert_eq(retrieval_eval(rc.E, rc.N, rc.D, rc.labels, (dml_isa)isa, small_k[b],
                                                threads, &m, err, sizeof err), 0, "%s", err);
                    double e = retrieval_max_error(&m, &rc.want);
                    cr_assert_leq(e, 1e-6, "%s %s small_k %zu: max metric error %.3e",
                                  g.gl_pathv[i], dml_isa_name((dml_isa)isa), small_k[b], e);
                }
        }
        retrieval_case_free(&rc);
    }
    globfree(&g);
}

/* Brute force: every row fully sorted (similarity descending, then index
 * ascending, the library's tie rule), in double. */
static const double *row_sim;
static int by_sim(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (row_sim[i] != row_sim[j]) return row_sim[i] > row_sim[j] ? -1 : 1;
    return i < j ? -1 : 1;
}

static retrieval_metrics brute_force(const float *E, size_t N, size_t D, const int32_t *y)
{
    retrieval_metrics m = { { 0 }, 0, 0, 0 };
    double *s = malloc(N * sizeof(double));
    size_t *ord = malloc(N * sizeof(size_t));
    for (size_t i = 0; i < N; i++) {
        size_t R = 0, n = 0;
        for (size_t j = 0; j < N; j++) R += j != i && y[j] == y[i];
        if (!R) continue;
        for (size_t j = 0; j < N; j++) {
            double dot = 0, ni = 0, nj = 0;
            for (size_t k = 0; k < D; k++) {
                dot += (double)E[i * D + k] * E[j * D + k];
                ni += (double)E[i * D + k] * E[i * D + k];
                nj += (double)E[j * D + k] * E[j * D + k];
            }
            s[j] = dot / sqrt(ni * nj);
            if (j != i) ord[n++] = j;
        }
        row_sim = s;
        qsort(ord, n, sizeof *ord, by_sim);
        size_t first = 0, hits = 0;
        double ap = 0;
        for (size_t r = 0; r < n; r++) {
            int rel = y[ord[r]] == y[i];
            if (rel && !first) first = r + 1;
            if (r < R && rel) ap += (double)++hits / (double)(r + 1);
        }
        static const size_t at[4] = { 1, 2, 4, 8 };
        for (int t = 0; t < 4; t++) m.recall[t] += first <= at[t];
        m.r_precision += (double)hits / (double)R;
        m.map_at_r += ap / (double)R;
        m.queries++;
    }
    for (int t = 0; t < 4; t++) m.recall[t] /= (double)m.queries;
    m.r_precision /= (double)m.queries;
    m.map_at_r /= (double)m.queries;
    free(s);
    free(ord);
    return m;
}

/* Items in {±1}^16 (norm 4, so normalised components are ±1/4 and every
 * similarity is a multiple of 1/16: exact in float whatever the summation
 * order).  Ties are then common, which exercises the tie rule as well.
 * Labels: item i starts from prototype y_i and flips a few signs; class sizes
 * unequal, and one class of a single item (left out as a query). */
static void make_sign_data(size_t N, float *E, int32_t *y, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    float proto[6][16];
    for (int c = 0; c < 6; c++)
        for (int k = 0; k < 16; k++) proto[c][k] = rng_uniform(&r) < 0.5 ? -1.0f : 1.0f;
    for (size_t i = 0; i < N; i++) {
        y[i] = i == 0 ? 5 : (int32_t)(rng_next(&r) % 5 * (rng_next(&r) % 3 ? 1 : 0) + (i % 7 == 0));
        if (y[i] == 5 && i) y[i] = 4;
        for (int k = 0; k < 16; k++)
            E[i * 16 + k] = rng_uniform(&r) < 0.3 ? -proto[y[i]][k] : proto[y[i]][k];
    }
}

Test(retrieval, matches_brute_force_on_both_paths)
{
    /* classes of ~200: rows reach the bucketed sort (K >= 64) and the sampled threshold */
    size_t N = 1001, D = 16;
    float *E = malloc(N * D * sizeof(float));
    int32_t *y = malloc(N * sizeof(int32_t));
    make_sign_data(N, E, y, 7);
    retrieval_metrics want = brute_force(E, N, D, y);
    cr_assert_eq(want.queries, N - 1, "the singleton class must be left out");
    size_t small_k[3] = { 0, 1, SIZE_MAX }; /* by K (large), large, small */
    char err[256];
    for (int isa = 0; isa < DML_ISA_COUNT; isa++) {
        if (!dml_isa_supported((dml_isa)isa)) continue;
        for (int b = 0; b < 3; b++) {
            retrieval_metrics m;
            cr_assert_eq(retrieval_eval(E, N, D, y, (dml_isa)isa, small_k[b], 2, &m, err, sizeof err),
                         0, "%s", err);
            cr_assert_eq(m.queries, want.queries);
            cr_assert_leq(retrieval_max_error(&m, &want), 1e-12, "%s small_k %zu: R@1 %.6f vs %.6f, "
                          "MAP@R %.6f vs %.6f", dml_isa_name((dml_isa)isa), small_k[b], m.recall[0],
                          want.recall[0], m.map_at_r, want.map_at_r);
        }
    }
    free(E);
    free(y);
}

Test(retrieval, bad_input_is_an_error)
{
    float E[8] = { 1, 0, 0, 1, 1, 1, NAN, 0 };
    int32_t y[4] = { 0, 0, 1, 1 }, neg[4] = { 0, -1, 1, 1 }, single[4] = { 0, 1, 2, 3 };
    retrieval_metrics m;
    char err[256];
    cr_assert_eq(retrieval_eval(E, 4, 2, neg, DML_ISA_REF, 0, 1, &m, err, sizeof err), 1);
    cr_assert(strstr(err, "label -1 of item 1"), "%s", err);
    cr_assert_eq(retrieval_eval(E, 4, 2, y, DML_ISA_REF, 0, 1, &m, err, sizeof err), 1);
    cr_assert(strstr(err, "not finite"), "%s", err);
    E[6] = 0;
    cr_assert_eq(retrieval_eval(E, 4, 2, single, DML_ISA_REF, 0, 1, &m, err, sizeof err), 1);
    cr_assert(strstr(err, "no query"), "%s", err);
    cr_assert_eq(retrieval_eval(E, 1, 2, y, DML_ISA_REF, 0, 1, &m, err, sizeof err), 1);
}

Test(retrieval, malformed_case_names_the_line)
{
    make_dir();
    const char *bad[][2] = {
        { "retrieval\nN 2\nD 1\nlabels 0 0\nE 1 x\n", "line 5: expected 2 numbers" },
        { "retrieval\nN 2\nlabels 0 0\n", "line 3: labels before N and D" },
        { "retrieval\nN 2\nD 1\nlabels 0 5\n", "line 4: label 2 (5) is not an integer in [0, N)" },
        { "retrieval\nN 2\nD 1\nlabels 0 0\nE 1 1\nrecall_at_1 1\n", "end of file: missing" },
        { "retrieval\nN 2\nD 1\nfoo 1\n", "line 4: unknown record 'foo'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[128], err[256];
        snprintf(path, sizeof path, "%s/case%zu.txt", dir, i);
        write_file(path + strlen(dir) + 1, (const unsigned char *)bad[i][0], strlen(bad[i][0]), 0);
        cr_assert(retrieval_case_is(path));
        retrieval_case rc;
        cr_assert_eq(retrieval_case_load(path, &rc, err, sizeof err), 1, "case %zu loaded", i);
        cr_assert(strstr(err, bad[i][1]), "case %zu: '%s' does not say '%s'", i, err, bad[i][1]);
    }
}
