/* cmd/data.c — `dmlbench data SET`: build a data set into a directory.  One
 * set so far, glyphs (harness/data/glyph.h); a new set is a row of the table
 * at the end and its builder in harness/data/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/text.h"
#include "data/glyph.h"
#include "data/idx.h"

#define GLYPHS_USAGE "usage: dmlbench data glyphs --out DIR (--packages P,... | --packages-file FILE | --font FILE ...) " \
    "[--classes N] [--samples S] [--min-faces F] [--split T,V,E] [--seed N] [--labels int32|ubyte] " \
    "[--chars U+4E00,U+4E8C-U+4E94,...] [--threads T] [--quiet]"

enum { MAX_LIST = 512, MAX_CHARS = 1 << 17 };

typedef struct glyph_cli {
    glyph_opts o;
    char out[4096];        /* --out without trailing slashes (DIR.tmp.<pid> sits beside DIR) */
    const char *packages[MAX_LIST], *fonts[MAX_LIST];
    char *lists[4];        /* strings the lists point into, freed at the end */
    size_t nlists;
    uint32_t *chars;
} glyph_cli;

/* Splits s (owned by c) into v: one entry a line, or several split by commas;
 * '#' starts a comment that runs to the end of its line. */
static int split_list(glyph_cli *c, char *s, const char **v, size_t *n, const char *what)
{
    c->lists[c->nlists++] = s;
    for (char *line = s, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        line[strcspn(line, "#")] = 0;
        for (char *tok = line, *end; tok; tok = end) {
            end = strchr(tok, ',');
            if (end) *end++ = 0;
            tok += strspn(tok, " \t");
            tok[strcspn(tok, " \t\r")] = 0;
            if (!*tok) continue;
            if (*n == MAX_LIST) return die("data glyphs: %s: more than %d entries", what, MAX_LIST);
            v[(*n)++] = tok;
        }
    }
    return 0;
}

static int parse_cp(const char *s, uint32_t *cp)
{
    uint64_t v = 0;
    if ((s[0] != 'U' && s[0] != 'u') || s[1] != '+' || !s[2] || strlen(s + 2) > 6) return 1;
    for (const char *p = s + 2; *p; p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
              : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
        if (d < 0) return 1;
        v = v * 16 + (uint64_t)d;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 1;
    *cp = (uint32_t)v;
    return 0;
}

/* --chars U+4E00,U+4E8C-U+4E94: code points and ranges, each once. */
static int parse_chars(glyph_cli *c, const char *v)
{
    char *s = strdup(v);
    c->chars = malloc(MAX_CHARS * sizeof *c->chars);
    if (!s || !c->chars) { free(s); return die("data glyphs: out of memory"); }
    size_t n = 0;
    int rc = 0;
    uint8_t *seen = calloc(0x110000 / 8, 1);
    if (!seen) rc = die("data glyphs: out of memory");
    for (char *tok = strtok(s, ","); tok && !rc; tok = strtok(NULL, ",")) {
        char *dash = strchr(tok, '-');
        uint32_t lo, hi;
        if (dash) *dash = 0;
        if (parse_cp(tok, &lo) || (dash ? parse_cp(dash + 1, &hi) : (hi = lo, 0)) || hi < lo) {
            rc = die("data glyphs: --chars: '%s%s%s' is not a code point U+XXXX or a range U+XXXX-U+YYYY",
                     tok, dash ? "-" : "", dash ? dash + 1 : "");
            break;
        }
        for (uint64_t cp = lo; cp <= hi && !rc; cp++) {
            if (seen[cp / 8] >> (cp % 8) & 1) rc = die("data glyphs: --chars: U+%04X is listed twice", (unsigned)cp);
            seen[cp / 8] |= (uint8_t)(1u << (cp % 8));
            if (!rc && n == MAX_CHARS) rc = die("data glyphs: --chars: more than %d characters", MAX_CHARS);
            if (!rc) c->chars[n++] = (uint32_t)cp;
        }
    }
    free(s);
    free(seen);
    if (!rc && n == 0) rc = die("data glyphs: --chars: no character given");
    c->o.chars = c->chars, c->o.nchars = n;
    return rc;
}

static int parse_split(glyph_opts *o, const char *v)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    double sum = 0;
    int k = 0;
    for (char *tok = strtok(buf, ",/"); tok; tok = strtok(NULL, ",/"), k++)
        if (k > 2 || parse_double(tok, &o->split[k]) || !(o->split[k] > 0)) k = 9;
    for (int i = 0; k == 3 && i < 3; i++) sum += o->split[i];
    if (k == 3 && sum > 99.9 && sum < 100.1)  /* percentages */
        for (int i = 0; i < 3; i++) o->split[i] /= 100, sum = 1;
    if (k != 3 || sum < 0.999 || sum > 1.001)
        return die("data glyphs: --split: '%s' is not three positive fractions adding to 1 or 100 (e.g. 50,15,35)", v);
    return 0;
}

static int size_opt(const char *name, const char *v, size_t lo, size_t hi, size_t *out)
{
    if (parse_size(v, out) || *out < lo || *out > hi)
        return die("data glyphs: %s: '%s' is not a whole number from %zu to %zu", name, v, lo, hi);
    return 0;
}

/* One option with its value; 0, or 1 after printing the error. */
static int glyph_option(glyph_cli *c, const char *name, const char *v)
{
    glyph_opts *o = &c->o;
    long l;
    if (!strcmp(name, "--out")) {
        size_t n = strlen(v);
        while (n > 1 && v[n - 1] == '/') n--;
        if (n >= sizeof c->out) return die("data glyphs: --out: the path is too long");
        memcpy(c->out, v, n);
        c->out[n] = 0;
        o->out = c->out;
        return 0;
    }
    /* int32 labels hold any count that fits in memory; the bound keeps sizes sane */
    if (!strcmp(name, "--classes")) return size_opt(name, v, 3, (size_t)INT32_MAX, &o->classes);
    if (!strcmp(name, "--samples")) return size_opt(name, v, 1, 100000, &o->samples);
    if (!strcmp(name, "--min-faces")) return size_opt(name, v, 1, 65535, &o->min_faces);
    if (!strcmp(name, "--split")) return parse_split(o, v);
    if (!strcmp(name, "--chars")) return parse_chars(c, v);
    if (!strcmp(name, "--seed")) return parse_u64(v, &o->seed) ? die("data glyphs: --seed: bad value '%s'", v) : 0;
    if (!strcmp(name, "--threads")) {
        if (parse_int(v, 1, 1024, &l)) return die("data glyphs: --threads: '%s' is not 1 to 1024", v);
        o->threads = (int)l;
        return 0;
    }
    if (!strcmp(name, "--labels")) {
        if (!strcmp(v, "int32")) o->label_type = IDX_TYPE_INT32;
        else if (!strcmp(v, "ubyte")) o->label_type = IDX_TYPE_UBYTE;
        else return die("data glyphs: --labels: '%s' is neither int32 nor ubyte", v);
        return 0;
    }
    if (!strcmp(name, "--font")) {
        if (o->nfonts == MAX_LIST) return die("data glyphs: more than %d --font files", MAX_LIST);
        c->fonts[o->nfonts++] = v;
        return 0;
    }
    if (!strcmp(name, "--packages") || !strcmp(name, "--packages-file")) {
        char *s = NULL, terr[300];
        if (c->nlists == 4) return die("data glyphs: %s: too many package lists", name);
        size_t len;
        if (name[10]) s = read_text(v, &len, terr, sizeof terr);
        else s = strdup(v);
        if (!s) return die("data glyphs: %s: %s", name, name[10] ? terr : "out of memory");
        return split_list(c, s, c->packages, &o->npackages, name);
    }
    return die("data glyphs: unknown option '%s' (%s)", name, GLYPHS_USAGE);
}

static void progress(const char *what)
{
    fprintf(stderr, "data glyphs: %s\n", what);
}

static int glyphs_parse(glyph_cli *c, int argc, char **argv)
{
    glyph_opts_default(&c->o);
    c->o.progress = progress;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) { c->o.progress = NULL; continue; }
        if (!strcmp(argv[i], "--help")) { printf("%s\n", GLYPHS_USAGE); exit(0); }
        if (strncmp(argv[i], "--", 2)) return die("data glyphs: unexpected argument '%s' (%s)", argv[i], GLYPHS_USAGE);
        if (i + 1 == argc) return die("data glyphs: %s needs a value", argv[i]);
        if (glyph_option(c, argv[i], argv[i + 1])) return 1;
        i++;
    }
    if (!c->o.out) return die("data glyphs: --out DIR is required (%s)", GLYPHS_USAGE);
    if (!c->o.npackages && !c->o.nfonts)
        return die("data glyphs: no fonts: give --packages, --packages-file or --font "
                   "(make data-glyphs passes the curated list, harness/data/glyph_fonts.txt)");
    c->o.packages = c->packages, c->o.fonts = c->fonts;
    return 0;
}

static int data_glyphs(int argc, char **argv)
{
    glyph_cli *c = calloc(1, sizeof *c);
    if (!c) return die("data glyphs: out of memory");
    int rc = glyphs_parse(c, argc, argv);
    char err[1024] = "";
    glyph_summary s;
    if (!rc && glyph_build(&c->o, &s, err, sizeof err)) rc = die("data glyphs: %s", err);
    if (!rc)
        printf("glyphs: %s: %zu faces (%zu families); classes train %zu, val %zu, test %zu; "
               "samples %zu, %zu, %zu; %.1f s\n", c->o.out, s.faces, s.families, s.classes[0], s.classes[1],
               s.classes[2], s.samples[0], s.samples[1], s.samples[2], s.seconds);
    for (size_t i = 0; i < c->nlists; i++) free(c->lists[i]);
    free(c->chars);
    free(c);
    return rc;
}

typedef struct data_set {
    const char *name;
    int (*build)(int argc, char **argv);
    const char *what;
} data_set;

static const data_set sets[] = {
    { "glyphs", data_glyphs, "Han characters drawn from Debian's CJK fonts (FreeType): IDX + manifest.json" },
};

int cmd_data(int argc, char **argv)
{
    for (size_t i = 0; argc > 0 && i < sizeof sets / sizeof *sets; i++)
        if (!strcmp(argv[0], sets[i].name)) return sets[i].build(argc - 1, argv + 1);
    if (argc > 0 && strcmp(argv[0], "--help")) die("data: unknown data set '%s'", argv[0]);
    FILE *f = argc > 0 && !strcmp(argv[0], "--help") ? stdout : stderr;
    fprintf(f, "usage: dmlbench data SET --out DIR [OPTIONS]\n\nsets:\n");
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) fprintf(f, "  %-8s %s\n", sets[i].name, sets[i].what);
    return f == stdout ? 0 : 2;
}

/* dmlbench data --help, or data SET --help (main.c): the sets, and each one's options. */
void cmd_data_usage(FILE *f)
{
    fprintf(f, "usage: dmlbench data SET --out DIR [OPTIONS]\n\nsets:\n");
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) fprintf(f, "  %-8s %s\n", sets[i].name, sets[i].what);
    fprintf(f, "\n%s\n", GLYPHS_USAGE);
}
