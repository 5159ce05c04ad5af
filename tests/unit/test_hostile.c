/* test_hostile.c — the harness's readers against hostile input (issue 12):
 * the strict number parser, the bounded reader and its line iterator,
 * escaping, JSON's UTF-8, and the golden reader's one-record-once rule. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/parse.h"
#include "core/text.h"
#include "golden/golden_case.h"

Test(parse, no_blank_no_sign_on_unsigned)
{
    uint64_t u = 7;
    size_t z = 7;
    long l = 7;
    double d = 7;
    cr_expect(parse_u64(" -1", &u) && u == 7, "' -1' is not a u64");
    cr_expect(parse_u64("-1", &u) && parse_u64("+1", &u) && parse_u64(" 1", &u) && parse_u64("1 ", &u));
    cr_expect(parse_size("\t5", &z) && parse_size("0x10", &z) && parse_size("18446744073709551616", &z));
    cr_expect(parse_int(" 3", 0, 9, &l) && parse_int("3\r", 0, 9, &l) && parse_int("10", 0, 9, &l));
    cr_expect(parse_double(" 1", &d) && parse_double("1 ", &d) && parse_double("0x1p3", &d) &&
              parse_double("nan", &d) && parse_double("inf", &d) && parse_double("1e999", &d) && d == 7);
    cr_expect(!parse_u64("18446744073709551615", &u) && u == UINT64_MAX);
    cr_expect(!parse_int("-3", -9, 9, &l) && l == -3);
    cr_expect(!parse_double("-.5e1", &d) && d == -5);
}

Test(text, crlf_and_nul)
{
    char t[] = "a b\r\nc\n\nd\0e\nlast";
    text_lines tl;
    lines_init(&tl, t, sizeof t - 1);
    char *line;
    size_t n;
    cr_assert_eq(lines_next(&tl, &line, &n), 1);
    cr_expect_str_eq(line, "a b", "the \\r of CRLF is the line end's");
    cr_assert_eq(lines_next(&tl, &line, &n), 1);
    cr_expect_str_eq(line, "c");
    cr_assert_eq(lines_next(&tl, &line, &n), 1);
    cr_expect_eq(n, 0);
    cr_expect_eq(lines_next(&tl, &line, &n), -1, "a NUL byte inside a line is an error");
    cr_expect_eq(tl.lineno, 4);
    cr_assert_eq(lines_next(&tl, &line, &n), 1);
    cr_expect_str_eq(line, "last");
    cr_expect_eq(lines_next(&tl, &line, &n), 0);
}

Test(text, read_is_bounded)
{
    size_t n;
    char err[128];
    char *t = read_text("/dev/zero", &n, err, sizeof err);
    cr_expect_null(t);
    cr_expect(strstr(err, "larger than the 64 MiB input limit") != NULL, "%s", err);
    free(t);
}

Test(text, printable_escapes)
{
    char out[128];
    text_printable("a\x01\xff\x1b[2J caf\xc3\xa9", out, sizeof out);
    cr_expect_str_eq(out, "a\\x01\\xff\\x1b[2J caf\xc3\xa9");
}

Test(json, utf8_always_valid)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_str(f, "caf\xc3\xa9 \xe9\xff \xed\xa0\x80 \"\x01");
    fclose(f);
    cr_expect_str_eq(buf, "\"caf\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\\"\\u0001\"");
    free(buf);
}

/* The golden case text of tests/golden/proxy_anchor_small.txt plus `tail`. */
static char *golden_with(const char *tail, size_t *len)
{
    size_t n;
    char err[128];
    char *t = read_text(DML_TEST_DIR "/golden/proxy_anchor_small.txt", &n, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    t = realloc(t, n + strlen(tail) + 1);
    strcpy(t + n, tail);
    *len = n + strlen(tail);
    return t;
}

static void expect_refused(const char *tail, const char *why)
{
    size_t n;
    char *t = golden_with(tail, &n), err[256] = "";
    golden_case gc;
    cr_expect_eq(golden_parse("x.txt", t, n, &gc, err, sizeof err), 1, "'%s' accepted", tail);
    cr_expect(strstr(err, why) != NULL, "'%s': message '%s', want '%s'", tail, err, why);
    free(t);
}

Test(golden, every_record_once)
{
    size_t n;
    char *t = golden_with("", &n), err[256];
    golden_case gc;
    cr_assert_eq(golden_parse("x.txt", t, n, &gc, err, sizeof err), 0, "%s", err);
    golden_free(&gc);
    free(t);
    expect_refused("D 1000000\n", "D is given twice");
    expect_refused("M 1\n", "M is given twice");
    expect_refused("loss ms\n", "loss is given twice");
    expect_refused("value 1\n", "value is given twice");
    expect_refused("param alpha 2\nparam alpha 3\n", "param alpha is given twice");
    expect_refused("param alpha 2 junk\n", "param needs a name and a value");
}

Test(golden, crlf_reads)
{
    size_t n;
    char *t = golden_with("", &n), err[256];
    char *c = malloc(2 * n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\n') c[o++] = '\r';
        c[o++] = t[i];
    }
    golden_case gc;
    cr_expect_eq(golden_parse("x.txt", c, o, &gc, err, sizeof err), 0, "CRLF: %s", err);
    golden_free(&gc);
    free(c);
    free(t);
}
