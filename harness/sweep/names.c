/* names.c — what may name a study.  The name is part of every file the study
 * writes (<out>/<name>.csv, <name>.shard-K-of-N.partial.csv.tmp.<pid>, ...)
 * and the first field of every row, so it is used whole or refused, never
 * cut: two names that agree in their first characters must not write the
 * same files.  A `study` line takes lower-case letters, digits, _ and -; a
 * file stem (no `study` line) also upper-case letters and dots, but not a
 * leading dot (a hidden file, "..") — nothing that leaves --out, splits a
 * CSV field or breaks the JSON and gnuplot strings the name is written in. */
#include <stdio.h>
#include <string.h>

#include "sweep/study.h"

int study_name_check(const char *name, int stem, char *why, size_t len)
{
    static const char key_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    static const char stem_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJKLMNOPQRSTUVWXYZ.";
    size_t n = strlen(name);
    if (n == 0) {
        snprintf(why, len, "an empty name");
        return 1;
    }
    if (n > STUDY_NAME_MAX) {
        snprintf(why, len, "a name of %zu characters; at most %d (every file of the study is named by it whole)",
                 n, STUDY_NAME_MAX);
        return 1;
    }
    if (strspn(name, stem ? stem_chars : key_chars) != n || name[0] == '.') {
        snprintf(why, len, "'%.*s' is not a name (%s)", STUDY_NAME_MAX, name,
                 stem ? "letters, digits, _, - and ., not starting with ." : "lower-case letters, digits, _ and -");
        return 1;
    }
    return 0;
}
