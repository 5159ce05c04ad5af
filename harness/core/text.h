/* text.h — the one bounded reader of the harness's input files (golden
 * cases, study definitions, results CSVs, baselines) and the one line
 * iterator over what it read, in place (no copies).
 *
 * A file is read whole, up to TEXT_MAX bytes: a larger one (or an endless
 * one, /dev/zero) is refused with its name, having read TEXT_MAX + 1 bytes.
 * Lines end in "\n" or "\r\n"; a NUL byte inside a line is an error (a text
 * file has none).  The parsers take (text, len): the path version wraps the
 * from-memory one, which is what the fuzzers call. */
#ifndef DML_CORE_TEXT_H
#define DML_CORE_TEXT_H

#include <stddef.h>

#define TEXT_MAX ((size_t)64 << 20) /* 64 MiB, the cap on any input file */

/* The whole file, NUL-terminated, *len its length; NULL with err set
 * ("cannot open: why", "cannot read: why" or "larger than the 64 MiB input
 * limit"; the caller names the file). */
char *read_text(const char *path, size_t *len, char *err, size_t errlen);

typedef struct text_lines {
    char *p, *end;
    size_t lineno;  /* of the line last returned, from 1 */
} text_lines;

void lines_init(text_lines *t, char *text, size_t len);
/* The next line, its "\n" or "\r\n" replaced by NUL (*len its length):
 * 1, 0 at the end, -1 when the line holds a NUL byte (t->lineno is its line). */
int lines_next(text_lines *t, char **line, size_t *len);

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * there are not one (n: the bytes left). */
size_t utf8_len(const unsigned char *s, size_t n);

/* s with every control byte and every byte that is not valid UTF-8 written
 * as \xNN, into out (truncated to outlen); returns out. */
char *text_printable(const char *s, char *out, size_t outlen);

#endif
