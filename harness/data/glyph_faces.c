/* glyph_faces.c — the faces of the glyph set: every face of every font file
 * of the packages asked for (and of --font files), kept when it is scalable,
 * has a Unicode cmap and maps at least GLYPH_MIN_HAN Han characters; and
 * each thread's FreeType library with those faces open. */
#ifdef DML_HAVE_FREETYPE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "data/glyph_ft.h"

const char *glyph_ft_error(FT_Error e)
{
    static const struct { FT_Error e; const char *what; } names[] = {
        { 0x01, "cannot open resource" }, { 0x02, "unknown file format (not a font)" },
        { 0x03, "broken font file" }, { 0x06, "invalid argument" }, { 0x40, "out of memory" },
        { 0x51, "cannot open stream" }, { 0x55, "invalid stream operation (truncated?)" },
        { 0x8E, "table missing" }, { 0x10, "invalid glyph index" }, { 0x14, "invalid outline" },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].e == e) return names[i].what;
    static _Thread_local char buf[48];
    snprintf(buf, sizeof buf, "FreeType error 0x%02X", (unsigned)e);
    return buf;
}

const char *glyph_ft_version(void)
{
    static char v[32];
    FT_Library lib;
    if (FT_Init_FreeType(&lib)) return "unknown";
    FT_Int a, b, c;
    FT_Library_Version(lib, &a, &b, &c);
    FT_Done_FreeType(lib);
    snprintf(v, sizeof v, "%d.%d.%d", a, b, c);
    return v;
}

static size_t count_han(FT_Face face)
{
    static const uint32_t ranges[][2] = { { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF } };
    size_t n = 0;
    for (size_t r = 0; r < 2; r++)
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) n += FT_Get_Char_Index(face, cp) != 0;
    return n;
}

static uint64_t face_key(const char *path, long index)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    uint64_t h = 1469598103934665603ull;  /* FNV-1a over "<file name>#<index>" */
    char s[600];
    snprintf(s, sizeof s, "%s#%ld", base, index);
    for (const char *p = s; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return h;
}

typedef struct face_list {
    glyph_face *f;
    size_t n, cap;
    glyph_skip *s;
    size_t ns, caps;
} face_list;

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return p;
    size_t c = *cap ? 2 * *cap : 32;
    void *q = realloc(p, c * size);
    if (q) *cap = c;
    return q;
}

static int skip(face_list *L, const char *path, long index, const char *why)
{
    glyph_skip *s = grow(L->s, &L->caps, L->ns, sizeof *s);
    if (!s) return 1;
    L->s = s;
    s = &L->s[L->ns++];
    snprintf(s->path, sizeof s->path, "%s", path);
    s->index = index;
    snprintf(s->why, sizeof s->why, "%s", why);
    return 0;
}

/* One face of a file: kept, or skipped with the reason (an error for --font files). */
static int add_face(face_list *L, FT_Library lib, const char *path, long idx, const char *pkg,
                    const char *ver, char *err, size_t errlen)
{
    FT_Face face;
    FT_Error e = FT_New_Face(lib, path, idx, &face);
    char why[96] = "";
    if (e) snprintf(why, sizeof why, "%s", glyph_ft_error(e));
    else if (!FT_IS_SCALABLE(face)) snprintf(why, sizeof why, "not scalable (bitmap only)");
    else if (FT_Select_Charmap(face, FT_ENCODING_UNICODE)) snprintf(why, sizeof why, "no Unicode cmap");
    size_t han = *why ? 0 : count_han(face);
    if (!*why && han < GLYPH_MIN_HAN)
        snprintf(why, sizeof why, "maps %zu Han characters (a CJK face has %d or more)", han, GLYPH_MIN_HAN);
    if (*why) {
        if (!e) FT_Done_Face(face);
        if (*pkg) return skip(L, path, idx, why);
        snprintf(err, errlen, "%s: face %ld: %s", path, idx, why);
        return 1;
    }
    glyph_face *f = grow(L->f, &L->cap, L->n, sizeof *f);
    if (!f) { FT_Done_Face(face); snprintf(err, errlen, "out of memory"); return 1; }
    L->f = f;
    f = &L->f[L->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->index = idx;
    snprintf(f->package, sizeof f->package, "%s", pkg);
    snprintf(f->version, sizeof f->version, "%s", ver);
    snprintf(f->family, sizeof f->family, "%s", face->family_name ? face->family_name : "?");
    snprintf(f->style, sizeof f->style, "%s", face->style_name ? face->style_name : "?");
    f->han = han;
    f->key = face_key(path, idx);
    FT_Done_Face(face);
    return 0;
}

/* Every face of one file. */
static int add_file(face_list *L, FT_Library lib, const char *path, const char *pkg, const char *ver,
                    char *err, size_t errlen)
{
    FT_Face probe;
    FT_Error e = FT_New_Face(lib, path, -1, &probe);  /* index -1: only count the faces */
    if (e) {
        if (*pkg) return skip(L, path, 0, glyph_ft_error(e));
        snprintf(err, errlen, "%s: %s", path, e == 0x02 ? "not a font file (FreeType: unknown file format)"
                                                         : glyph_ft_error(e));
        return 1;
    }
    long nf = probe->num_faces;
    FT_Done_Face(probe);
    for (long i = 0; i < nf; i++)
        if (add_face(L, lib, path, i, pkg, ver, err, errlen)) return 1;
    return 0;
}

static int add_sources(face_list *L, FT_Library lib, const glyph_opts *o, char *err, size_t errlen)
{
    for (size_t p = 0; p < o->npackages; p++) {
        char **files, version[64];
        size_t n;
        if (glyph_dpkg_files(o->packages[p], &files, &n, version, sizeof version, err, errlen)) return 1;
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++) rc = add_file(L, lib, files[i], o->packages[p], version, err, errlen);
        glyph_dpkg_free(files, n);
        if (rc) return 1;
    }
    for (size_t i = 0; i < o->nfonts; i++)
        if (add_file(L, lib, o->fonts[i], "", "", err, errlen)) return 1;
    return 0;
}

/* Each font file's SHA-256, files in parallel (a few hundred MB in all). */
static int hash_files(glyph_face *f, size_t n, int threads, char *err, size_t errlen)
{
    size_t bad = SIZE_MAX;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !strcmp(f[i].path, f[i - 1].path)) continue;  /* faces of one file are adjacent */
        if (sha256_file(f[i].path, f[i].sha256)) {
#pragma omp critical(glyph_hash)
            if (i < bad) bad = i;
        }
    }
    if (bad != SIZE_MAX) {
        snprintf(err, errlen, "%s: cannot read it to hash it", f[bad].path);
        return 1;
    }
    for (size_t i = 1; i < n; i++)
        if (!strcmp(f[i].path, f[i - 1].path)) memcpy(f[i].sha256, f[i - 1].sha256, sizeof f[i].sha256);
    return 0;
}

int glyph_faces_load(const glyph_opts *o, glyph_face **faces, size_t *n, glyph_skip **skips,
                     size_t *nskips, char *err, size_t errlen)
{
    face_list L = { 0 };
    FT_Library lib;
    if (FT_Init_FreeType(&lib)) {
        snprintf(err, errlen, "FreeType does not start");
        return 1;
    }
    int rc = add_sources(&L, lib, o, err, errlen);
    FT_Done_FreeType(lib);
    if (!rc && L.n == 0) {
        snprintf(err, errlen, "no CJK face among the fonts given (%zu packages, %zu files)", o->npackages, o->nfonts);
        rc = 1;
    }
    if (!rc && L.n > UINT16_MAX) {
        snprintf(err, errlen, "%zu faces: at most %u", L.n, UINT16_MAX);
        rc = 1;
    }
    if (!rc) rc = hash_files(L.f, L.n, o->threads > 0 ? o->threads : 1, err, errlen);
    if (rc) { free(L.f); free(L.s); return 1; }
    *faces = L.f, *n = L.n, *skips = L.s, *nskips = L.ns;
    return 0;
}

#endif /* DML_HAVE_FREETYPE (else glyph_noft.c) */
