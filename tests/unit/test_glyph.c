/* test_glyph.c — the glyph set's pieces on WenQuanYi Micro Hei (a make test
 * font): a drawing is centred by its ink box, an empty glyph and a face's
 * fallback box are told apart from a drawing, jitter is a function of its
 * seeds alone; and SHA-256 against FIPS 180-4's examples, its SHA-NI blocks
 * against its portable code. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/sha256.h"
#include "data/glyph_ft.h"

#define WQY "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

static glyph_ft *open_wqy(glyph_face **faces, size_t *n)
{
    glyph_opts o;
    glyph_opts_default(&o);
    const char *fonts[1] = { WQY };
    o.fonts = fonts, o.nfonts = 1, o.threads = 1;
    glyph_skip *skips;
    size_t ns;
    char err[512] = "";
    cr_assert_eq(glyph_faces_load(&o, faces, n, &skips, &ns, err, sizeof err), 0, "%s", err);
    cr_assert_eq(*n, 2, "WenQuanYi Micro Hei holds 2 faces, found %zu", *n);
    free(skips);
    glyph_ft *ft = glyph_ft_open(*faces, *n, err, sizeof err);
    cr_assert(ft, "%s", err);
    return ft;
}

/* Ink box of an image: columns and rows with any ink. */
static void ink_box(const uint8_t *im, int box[4])
{
    box[0] = box[1] = GLYPH_SIZE, box[2] = box[3] = -1;
    for (int y = 0; y < GLYPH_SIZE; y++)
        for (int x = 0; x < GLYPH_SIZE; x++)
            if (im[y * GLYPH_SIZE + x] > 32) {
                if (x < box[0]) box[0] = x;
                if (y < box[1]) box[1] = y;
                if (x > box[2]) box[2] = x;
                if (y > box[3]) box[3] = y;
            }
}

Test(glyph, drawing_is_centred_by_its_ink_box)
{
    glyph_face *faces;
    size_t n;
    glyph_ft *ft = open_wqy(&faces, &n);
    uint32_t cps[] = { 0x4E00, 0x4E01, 0x53E3, 0x9F8D };  /* 一 丁 口 龍: flat, tall, square, dense */
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        uint8_t im[GLYPH_PIXELS];
        unsigned gid = glyph_ft_index(ft, 0, cps[i]);
        cr_assert_neq(gid, 0u);
        cr_assert_eq(glyph_draw(ft, 0, gid, &glyph_no_jitter, im), GLYPH_OK);
        int b[4];
        ink_box(im, b);
        double cx = (b[0] + b[2] + 1) / 2.0, cy = (b[1] + b[3] + 1) / 2.0;
        cr_assert(cx > 14.5 && cx < 17.5 && cy > 14.5 && cy < 17.5, "U+%04X: ink centred at (%.1f, %.1f)",
                  cps[i], cx, cy);
        cr_assert(b[2] - b[0] < GLYPH_FIT_PX + 1 && b[3] - b[1] < GLYPH_FIT_PX + 1, "U+%04X too large", cps[i]);
    }
    glyph_ft_close(ft);
    free(faces);
}

Test(glyph, empty_and_fallback_glyphs_are_not_drawings)
{
    glyph_face *faces;
    size_t n;
    glyph_ft *ft = open_wqy(&faces, &n);
    uint8_t im[GLYPH_PIXELS];
    unsigned space = glyph_ft_index(ft, 0, 0x3000);  /* ideographic space: mapped, no ink */
    cr_assert_neq(space, 0u);
    cr_assert_eq(glyph_draw(ft, 0, space, &glyph_no_jitter, im), GLYPH_EMPTY);
    /* a face whose fallback box looked like 口 would pass 口 off as a drawing:
     * with the box set to 口's own drawing, 口 must be refused as the box */
    unsigned kou = glyph_ft_index(ft, 0, 0x53E3);
    cr_assert_eq(glyph_draw(ft, 0, kou, &glyph_no_jitter, im), GLYPH_OK);
    memcpy(ft->notdef, im, GLYPH_PIXELS);
    ft->has_notdef[0] = 1;
    cr_assert_eq(glyph_draw(ft, 0, kou, &glyph_no_jitter, im), GLYPH_NOTDEF);
    cr_assert_eq(glyph_draw(ft, 0, glyph_ft_index(ft, 0, 0x4E00), &glyph_no_jitter, im), GLYPH_OK);
    glyph_ft_close(ft);
    free(faces);
}

Test(glyph, jitter_is_a_function_of_its_seeds)
{
    glyph_opts o;
    glyph_opts_default(&o);
    glyph_jitter a = glyph_jitter_of(&o.jitter, 42, 0x4E00, 1), b = glyph_jitter_of(&o.jitter, 42, 0x4E00, 1);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    glyph_jitter c = glyph_jitter_of(&o.jitter, 42, 0x4E00, 2), d = glyph_jitter_of(&o.jitter, 43, 0x4E00, 1);
    cr_assert(c.rotate_deg != a.rotate_deg && d.rotate_deg != a.rotate_deg);
    for (size_t k = 1; k < 2000; k++) {
        glyph_jitter j = glyph_jitter_of(&o.jitter, k * 7919, (uint32_t)(0x4E00 + k), k);
        cr_assert(j.scale >= 1 - o.jitter.scale && j.scale <= 1 + o.jitter.scale);
        cr_assert(j.rotate_deg >= -o.jitter.rotate_deg && j.rotate_deg <= o.jitter.rotate_deg);
        cr_assert(j.dx >= -o.jitter.shift_px && j.dy <= o.jitter.shift_px);
        cr_assert(j.bold >= o.jitter.bold_lo && j.bold <= o.jitter.bold_hi);
    }
}

static void hash(const uint8_t *b, size_t n, size_t step, char hex[65])
{
    sha256_ctx c;
    sha256_init(&c);
    for (size_t at = 0; at < n; at += step) sha256_update(&c, b + at, n - at < step ? n - at : step);
    sha256_hex(&c, hex);
}

Test(sha256, sha_ni_equals_the_portable_code)
{
    if (!sha256_ni_available()) cr_log_warn("no SHA-NI on this CPU: both runs use the portable code");
    enum { N = 70000 };
    static uint8_t b[N];
    for (size_t i = 0; i < N; i++) b[i] = (uint8_t)(i * 2654435761u >> 13);
    size_t lens[] = { 0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 129, 300, 4097, N };
    size_t steps[] = { 1, 7, 64, 1000, N };
    for (size_t l = 0; l < sizeof lens / sizeof *lens; l++)
        for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
            char fast[65], slow[65];
            sha256_force_portable(0);
            hash(b, lens[l], steps[s], fast);
            sha256_force_portable(1);
            hash(b, lens[l], steps[s], slow);
            sha256_force_portable(0);
            cr_assert_str_eq(fast, slow, "length %zu in pieces of %zu", lens[l], steps[s]);
        }
}

Test(sha256, fips_180_4_examples)
{
    static const struct { const char *msg; size_t repeat; const char *hex; } cases[] = {
        { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
    };
    for (size_t i = 0; i < 2 * sizeof cases / sizeof *cases; i++) {
        sha256_force_portable(i % 2);  /* both ways */
        sha256_ctx c;
        char hex[65];
        sha256_init(&c);
        for (size_t r = 0; r < cases[i / 2].repeat; r++) sha256_update(&c, cases[i / 2].msg, strlen(cases[i / 2].msg));
        sha256_hex(&c, hex);
        cr_assert_str_eq(hex, cases[i / 2].hex, "case %zu, %s", i / 2, i % 2 ? "portable" : "SHA-NI if present");
    }
    sha256_force_portable(0);
}
