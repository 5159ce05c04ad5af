/* glyph.h — the glyph set: Han characters rendered with FreeType from many
 * typefaces, one class a character, one sample a (face, jitter) drawing, split
 * into train / validation / test classes that share no character, written as
 * IDX files (images 0x08, labels int32 0x0C) and a manifest (docs/datasets.md).
 *
 * Files: glyph_faces.c (fonts from Debian packages or files, one FreeType set a
 * thread), glyph_render.c (one 32×32 drawing), glyph_pick.c (which characters),
 * glyph_build.c (split, render, write), glyph_manifest.c (manifest.json),
 * glyph_dpkg.c (a package's files and version), glyph_outdir.c (the set's
 * directory replaced whole).  Every failure: one line in err, return 1. */
#ifndef DML_DATA_GLYPH_H
#define DML_DATA_GLYPH_H

#include <stddef.h>
#include <stdint.h>

#define GLYPH_SIZE 32        /* pixels a side */
#define GLYPH_PIXELS (GLYPH_SIZE * GLYPH_SIZE)
#define GLYPH_EM_PX 26       /* the em square, in pixels: Han ink fills ~90 % of it */
#define GLYPH_FIT_PX 30      /* an ink box larger than this is scaled down to it */
#define GLYPH_MIN_HAN 1000   /* a face with fewer Han characters is not a CJK face */

/* One face of a font file (a .ttc holds several). */
typedef struct glyph_face {
    char path[512];
    long index;               /* face index within the file */
    char package[64], version[64];  /* "" for a file given by --font */
    char family[96], style[64];
    char sha256[65];          /* of the file */
    size_t han;               /* Han characters its cmap maps (U+3400-U+4DBF, U+4E00-U+9FFF) */
    uint64_t key;             /* seeds its jitter: a hash of file name and index */
} glyph_face;

typedef struct glyph_skip {   /* a face left out, and why (the manifest lists them) */
    char path[512];
    long index;
    char why[96];
} glyph_skip;

typedef struct glyph_jitter_range {
    double scale, rotate_deg, shift_px, bold_lo, bold_hi;  /* scale in [1-s, 1+s], ... */
} glyph_jitter_range;

typedef struct glyph_opts {
    const char *out;
    size_t classes, samples, min_faces;
    double split[3];          /* train, validation, test fractions (sum 1) */
    uint64_t seed;            /* the split and the order of items */
    int label_type;           /* IDX_TYPE_INT32 (default) or IDX_TYPE_UBYTE */
    const char **packages;    /* Debian font packages */
    size_t npackages;
    const char **fonts;       /* font files outside packages (--font) */
    size_t nfonts;
    const uint32_t *chars;    /* the characters asked for (--chars), or NULL: pick */
    size_t nchars;
    int threads;
    glyph_jitter_range jitter;
    void (*progress)(const char *what);  /* NULL: silent */
} glyph_opts;

void glyph_opts_default(glyph_opts *o);

/* What a build did (for the caller's summary line). */
typedef struct glyph_summary {
    size_t faces, families, skipped, classes[3], samples[3];
    double seconds;
} glyph_summary;

/* The whole build: faces, characters, split, rendering, files. */
int glyph_build(const glyph_opts *o, glyph_summary *sum, char *err, size_t errlen);

/* ------------------------------------------------ the pieces (glyph_*.c) */

/* A package's font files (sorted, symbolic links left out) and its version. */
int glyph_dpkg_files(const char *package, char ***files, size_t *n, char *version, size_t vlen,
                     char *err, size_t errlen);
void glyph_dpkg_free(char **files, size_t n);

typedef struct glyph_ft glyph_ft;   /* one thread's FreeType library and open faces */

/* Every usable face of the packages and files; faces a package holds that are
 * not CJK faces go to skips.  A --font file that is not a font, or has no CJK
 * face, is an error. */
int glyph_faces_load(const glyph_opts *o, glyph_face **faces, size_t *n, glyph_skip **skips,
                     size_t *nskips, char *err, size_t errlen);
glyph_ft *glyph_ft_open(const glyph_face *faces, size_t n, char *err, size_t errlen);
void glyph_ft_close(glyph_ft *ft);
/* The glyph of code point cp in face f (0: none). */
unsigned glyph_ft_index(glyph_ft *ft, size_t f, uint32_t cp);
const char *glyph_ft_version(void);

/* One drawing's transform (identity: scale 1, the rest 0). */
typedef struct glyph_jitter { double scale, rotate_deg, dx, dy, bold; } glyph_jitter;
extern const glyph_jitter glyph_no_jitter;
/* The jitter of copy `copy` (>= 1) of code point cp in a face: seeded from the three. */
glyph_jitter glyph_jitter_of(const glyph_jitter_range *r, uint64_t face_key, uint32_t cp, size_t copy);

enum { GLYPH_OK = 0, GLYPH_EMPTY = 1, GLYPH_NOTDEF = 2, GLYPH_FAILED = 3 };
/* Draws glyph gid of face f into out (GLYPH_PIXELS grey bytes, row 0 at the top),
 * centred by its ink box; GLYPH_EMPTY when no ink, GLYPH_NOTDEF when it is the
 * face's fallback box (glyph 0), GLYPH_FAILED when FreeType fails. */
int glyph_draw(glyph_ft *ft, size_t f, unsigned gid, const glyph_jitter *j, uint8_t *out);

/* A picked character: its distinct drawings, one face each (in face order). */
typedef struct glyph_char {
    uint32_t cp;
    size_t nfaces;
    uint16_t *faces;
} glyph_char;

/* Chooses o->classes characters (or checks o->chars) that at least
 * o->min_faces faces draw, distinct drawings counted once. */
int glyph_pick(const glyph_opts *o, glyph_ft **ft, const glyph_face *faces, size_t nfaces,
               glyph_char **chars, size_t *n, char *err, size_t errlen);
void glyph_chars_free(glyph_char *c, size_t n);
/* cp as UTF-8 (for messages and the manifest). */
void glyph_utf8(uint32_t cp, char out[5]);

/* One split's set: ready to write. */
typedef struct glyph_split {
    const char *name, *prefix;  /* "train"/"train", "val"/"val", "test"/"t10k" */
    uint32_t *cps;              /* code point of each label, label order */
    uint16_t *drawings;         /* distinct drawings (faces) of each label */
    size_t classes, n;
    uint8_t *images;            /* n × GLYPH_PIXELS */
    int32_t *labels;            /* n */
    char images_sha[65], labels_sha[65];
} glyph_split;

int glyph_manifest_write(const char *path, const glyph_opts *o, const glyph_face *faces,
                         size_t nfaces, const glyph_skip *skips, size_t nskips,
                         const glyph_split sp[3], char *err, size_t errlen);

/* The set's directory: files go to a staging directory that replaces `out`
 * whole at the end, so a killed build leaves the old set or the new one. */
int glyph_outdir_begin(const char *out, char *stage, size_t len, char *err, size_t errlen);
int glyph_outdir_commit(const char *out, const char *stage, char *err, size_t errlen);
void glyph_outdir_abort(const char *stage);

#endif
