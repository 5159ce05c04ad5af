/* glyph_pick.c — which characters become classes.  A candidate is a CJK
 * Unified Ideograph (U+4E00-U+9FFF, Extension A U+3400-U+4DBF); the faces whose
 * cmap maps it are drawn once without jitter, and a drawing counts when it has
 * ink, is not the face's fallback box (glyph 0) and differs from every drawing
 * counted before it (Noto's regional faces, or IPA and Takao, often share one
 * drawing: it counts once).  Candidates go by cmap coverage, most-covered
 * first, then by code point; the first o->classes with at least o->min_faces
 * distinct drawings are taken.  Checked in parallel blocks, taken in order,
 * so the pick does not depend on the number of threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "data/glyph.h"

enum { HAS = 0, LACKS = 10, SAME = 11 };  /* why a face's drawing does not count, beside GLYPH_* */

void glyph_utf8(uint32_t cp, char out[5])
{
    if (cp < 0x80) out[0] = (char)cp, out[1] = 0;
    else if (cp < 0x800) out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 63)), out[2] = 0;
    else if (cp < 0x10000)
        out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 63)),
        out[2] = (char)(0x80 | (cp & 63)), out[3] = 0;
    else
        out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 63)),
        out[2] = (char)(0x80 | (cp >> 6 & 63)), out[3] = (char)(0x80 | (cp & 63)), out[4] = 0;
}

/* The faces that draw cp distinctly, into keep; why[f] says for every face. */
static size_t drawings(glyph_ft *ft, size_t nfaces, uint32_t cp, uint16_t *keep, uint8_t *why,
                       uint8_t *img)
{
    size_t k = 0;
    for (size_t f = 0; f < nfaces; f++) {
        unsigned gid = glyph_ft_index(ft, f, cp);
        if (!gid) { why[f] = LACKS; continue; }
        int rc = glyph_draw(ft, f, gid, &glyph_no_jitter, img + k * GLYPH_PIXELS);
        if (rc) { why[f] = (uint8_t)rc; continue; }
        why[f] = HAS;
        for (size_t i = 0; i < k && why[f] == HAS; i++)
            if (!memcmp(img + i * GLYPH_PIXELS, img + k * GLYPH_PIXELS, GLYPH_PIXELS)) why[f] = SAME;
        if (why[f] == HAS) keep[k++] = (uint16_t)f;
    }
    return k;
}

typedef struct cand { uint32_t cp, cover; } cand;

static int by_cover(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->cover != y->cover) return x->cover > y->cover ? -1 : 1;
    return (x->cp > y->cp) - (x->cp < y->cp);
}

/* The candidates: o->chars as given, or every Han code point that at least
 * o->min_faces cmaps map, most-covered first. */
static cand *candidates(const glyph_opts *o, glyph_ft *ft, size_t nfaces, size_t *n)
{
    static const uint32_t ranges[][2] = { { 0x4E00, 0x9FFF }, { 0x3400, 0x4DBF } };
    cand *c = malloc(sizeof *c * (o->chars ? (o->nchars ? o->nchars : 1) : 0x9FFF - 0x3400 + 1));
    *n = 0;
    if (!c) return NULL;
    if (o->chars) {
        for (size_t i = 0; i < o->nchars; i++) c[(*n)++] = (cand){ o->chars[i], 0 };
        return c;
    }
    for (size_t r = 0; r < 2; r++)
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            uint32_t cover = 0;
            for (size_t f = 0; f < nfaces; f++) cover += glyph_ft_index(ft, f, cp) != 0;
            if (cover >= o->min_faces) c[(*n)++] = (cand){ cp, cover };
        }
    qsort(c, *n, sizeof *c, by_cover);
    return c;
}

/* The message for an asked-for character too few faces draw. */
static void too_few(const glyph_opts *o, const glyph_face *faces, size_t nfaces, uint32_t cp, size_t k,
                    const uint8_t *why, char *err, size_t errlen)
{
    char u[5];
    glyph_utf8(cp, u);
    int at = snprintf(err, errlen, "U+%04X %s: %zu distinct drawing(s) in the %zu faces, --min-faces asks for %zu:", (unsigned)cp,
                      u, k, nfaces, o->min_faces);
    size_t told = 0;
    for (size_t f = 0; f < nfaces && at > 0 && (size_t)at < errlen; f++) {
        if (why[f] == HAS || why[f] == SAME) continue;
        if (++told > 3) { at += snprintf(err + at, errlen - (size_t)at, "; ..."); break; }
        const char *base = strrchr(faces[f].path, '/');
        at += snprintf(err + at, errlen - (size_t)at, "%s %s#%ld %s", told > 1 ? ";" : "",
                       base ? base + 1 : faces[f].path,
                       faces[f].index,
                       why[f] == LACKS ? "lacks it" : why[f] == GLYPH_EMPTY ? "has an empty glyph"
                       : why[f] == GLYPH_NOTDEF ? "draws its fallback box (.notdef)" : "fails to draw it");
    }
}

typedef struct block_result { size_t k; uint16_t *keep; uint8_t *why; } block_result;

/* Checks candidates [lo, hi) in parallel, one FreeType a thread. */
static int check_block(glyph_ft **ft, int threads, size_t nfaces, const cand *c, size_t lo, size_t hi,
                       block_result *r)
{
    int oom = 0;
#pragma omp parallel num_threads(threads) reduction(| : oom)
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        uint8_t *img = malloc(nfaces * GLYPH_PIXELS);
        oom |= !img;
#pragma omp for schedule(dynamic, 4)
        for (size_t i = lo; i < hi; i++) {
            block_result *b = &r[i - lo];
            b->keep = malloc(nfaces * sizeof *b->keep);
            b->why = malloc(nfaces);
            if (!img || !b->keep || !b->why) { oom = 1; continue; }
            b->k = drawings(ft[t], nfaces, c[i].cp, b->keep, b->why, img);
        }
        free(img);
    }
    return oom;
}

int glyph_pick(const glyph_opts *o, glyph_ft **ft, const glyph_face *faces, size_t nfaces,
               glyph_char **chars, size_t *n, char *err, size_t errlen)
{
    size_t ncand, want = o->chars ? o->nchars : o->classes, got = 0;
    cand *c = candidates(o, ft[0], nfaces, &ncand);
    glyph_char *out = calloc(want ? want : 1, sizeof *out);
    enum { BLOCK = 512 };
    block_result *r = calloc(BLOCK, sizeof *r);
    int rc = !c || !out || !r;
    if (rc) snprintf(err, errlen, "out of memory for %zu candidates", ncand);
    for (size_t lo = 0; !rc && lo < ncand && got < want; lo += BLOCK) {
        size_t hi = lo + BLOCK < ncand ? lo + BLOCK : ncand;
        memset(r, 0, BLOCK * sizeof *r);
        if (check_block(ft, o->threads, nfaces, c, lo, hi, r)) {
            snprintf(err, errlen, "out of memory while drawing the candidates");
            rc = 1;
        }
        for (size_t i = lo; i < hi && !rc; i++) {
            block_result *b = &r[i - lo];
            if (o->chars && b->k < o->min_faces) {
                too_few(o, faces, nfaces, c[i].cp, b->k, b->why, err, errlen);
                rc = 1;
            } else if (b->k >= o->min_faces && got < want) {
                out[got++] = (glyph_char){ c[i].cp, b->k, b->keep };
                b->keep = NULL;
            }
        }
        for (size_t i = lo; i < hi; i++) free(r[i - lo].keep), free(r[i - lo].why);
    }
    if (!rc && got < want) {
        snprintf(err, errlen, "only %zu characters are drawn by %zu or more distinct faces (of %zu); "
                 "--classes asks for %zu: lower --min-faces or add fonts", got, o->min_faces, nfaces, want);
        rc = 1;
    }
    free(c);
    free(r);
    if (rc) { glyph_chars_free(out, got); return 1; }
    *chars = out;
    *n = got;
    return 0;
}

void glyph_chars_free(glyph_char *c, size_t n)
{
    if (!c) return;
    for (size_t i = 0; i < n; i++) free(c[i].faces);
    free(c);
}
