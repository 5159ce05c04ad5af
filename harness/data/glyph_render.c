/* glyph_render.c — one drawing: a glyph's outline (unhinted, no embedded
 * bitmaps), made bolder or thinner, scaled and rotated, centred by its ink
 * box in a 32×32 grey image and shifted, then rasterised by FreeType's
 * anti-aliasing rasteriser.  Each thread draws with its own FreeType. */
#ifdef DML_HAVE_FREETYPE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/glyph_ft.h"
#include FT_OUTLINE_H
#include FT_BBOX_H
#include FT_BITMAP_H

static void scale_rotate(FT_Outline *o, double s, double deg)
{
    double a = deg * 3.14159265358979323846 / 180.0;
    FT_Matrix m = { (FT_Fixed)lround(s * cos(a) * 65536.0), (FT_Fixed)lround(-s * sin(a) * 65536.0),
                    (FT_Fixed)lround(s * sin(a) * 65536.0), (FT_Fixed)lround(s * cos(a) * 65536.0) };
    FT_Outline_Transform(o, &m);
}

/* Transforms the loaded outline and places it: ink box centred (then shifted),
 * shrunk to GLYPH_FIT_PX when larger.  GLYPH_EMPTY when it has no area. */
static int place(FT_Outline *o, const glyph_jitter *j)
{
    if (j->bold != 0.0) {
        FT_Pos b = (FT_Pos)lround(j->bold * 64.0);
        FT_Outline_EmboldenXY(o, b, b);
    }
    if (j->scale != 1.0 || j->rotate_deg != 0.0) scale_rotate(o, j->scale, j->rotate_deg);
    FT_BBox bb;
    FT_Outline_Get_BBox(o, &bb);
    FT_Pos w = bb.xMax - bb.xMin, h = bb.yMax - bb.yMin, big = w > h ? w : h;
    if (w <= 0 || h <= 0) return GLYPH_EMPTY;
    if (big > GLYPH_FIT_PX * 64) {
        scale_rotate(o, (double)(GLYPH_FIT_PX * 64) / (double)big, 0.0);
        FT_Outline_Get_BBox(o, &bb);
    }
    FT_Pos dx = (GLYPH_SIZE * 64 - (bb.xMin + bb.xMax)) / 2 + (FT_Pos)lround(j->dx * 64.0);
    FT_Pos dy = (GLYPH_SIZE * 64 - (bb.yMin + bb.yMax)) / 2 + (FT_Pos)lround(j->dy * 64.0);
    FT_Outline_Translate(o, dx, dy);
    return GLYPH_OK;
}

int glyph_draw(glyph_ft *ft, size_t f, unsigned gid, const glyph_jitter *j, uint8_t *out)
{
    memset(out, 0, GLYPH_PIXELS);
    FT_Face face = ft->face[f];
    if (FT_Load_Glyph(face, gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) ||
        face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
        return GLYPH_FAILED;
    FT_Outline *o = &face->glyph->outline;
    if (o->n_points == 0) return GLYPH_EMPTY;
    int rc = place(o, j);
    if (rc) return rc;
    FT_Bitmap bm;
    FT_Bitmap_Init(&bm);
    bm.rows = bm.width = GLYPH_SIZE;
    bm.pitch = GLYPH_SIZE;  /* positive: row 0 is the top row */
    bm.buffer = out;
    bm.num_grays = 256;
    bm.pixel_mode = FT_PIXEL_MODE_GRAY;
    if (FT_Outline_Get_Bitmap(ft->lib, o, &bm)) return GLYPH_FAILED;
    unsigned ink = 0;
    for (size_t i = 0; i < GLYPH_PIXELS; i++) ink |= out[i];
    if (!ink) return GLYPH_EMPTY;
    if (gid && ft->notdef && ft->has_notdef[f] && !memcmp(out, ft->notdef + f * GLYPH_PIXELS, GLYPH_PIXELS))
        return GLYPH_NOTDEF;
    return GLYPH_OK;
}

unsigned glyph_ft_index(glyph_ft *ft, size_t f, uint32_t cp)
{
    return FT_Get_Char_Index(ft->face[f], cp);
}

glyph_ft *glyph_ft_open(const glyph_face *faces, size_t n, char *err, size_t errlen)
{
    glyph_ft *ft = calloc(1, sizeof *ft);
    if (!ft || FT_Init_FreeType(&ft->lib)) {
        free(ft);
        snprintf(err, errlen, "FreeType does not start");
        return NULL;
    }
    ft->face = calloc(n, sizeof *ft->face);
    uint8_t *notdef = calloc(n ? n : 1, GLYPH_PIXELS);
    ft->has_notdef = calloc(n ? n : 1, 1);
    if (!ft->face || !notdef || !ft->has_notdef) {
        free(notdef);
        glyph_ft_close(ft);
        snprintf(err, errlen, "out of memory for %zu faces", n);
        return NULL;
    }
    ft->n = n;  /* faces not opened are NULL, which glyph_ft_close skips */
    for (size_t f = 0; f < n; f++) {
        FT_Error e = FT_New_Face(ft->lib, faces[f].path, faces[f].index, &ft->face[f]);
        if (!e) e = FT_Select_Charmap(ft->face[f], FT_ENCODING_UNICODE);
        if (!e) e = FT_Set_Pixel_Sizes(ft->face[f], 0, GLYPH_EM_PX);
        if (e) {
            snprintf(err, errlen, "%s: face %ld: %s", faces[f].path, faces[f].index, glyph_ft_error(e));
            free(notdef);
            glyph_ft_close(ft);
            return NULL;
        }
        /* the fallback box: what a face draws for a character it does not have */
        ft->has_notdef[f] = glyph_draw(ft, f, 0, &glyph_no_jitter, notdef + f * GLYPH_PIXELS) == GLYPH_OK;
    }
    ft->notdef = notdef;
    return ft;
}

void glyph_ft_close(glyph_ft *ft)
{
    if (!ft) return;
    for (size_t f = 0; f < ft->n; f++)
        if (ft->face[f]) FT_Done_Face(ft->face[f]);
    if (ft->lib) FT_Done_FreeType(ft->lib);
    free(ft->face);
    free(ft->notdef);
    free(ft->has_notdef);
    free(ft);
}

#endif /* DML_HAVE_FREETYPE (else glyph_noft.c) */
