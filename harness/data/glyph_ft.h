/* glyph_ft.h — one thread's FreeType state, shared by glyph_faces.c (which
 * opens it) and glyph_render.c (which draws with it).  FreeType objects are
 * not shared between threads: each thread opens its own library and faces. */
#ifndef DML_DATA_GLYPH_FT_H
#define DML_DATA_GLYPH_FT_H

#include <ft2build.h>
#include FT_FREETYPE_H

#include "data/glyph.h"

struct glyph_ft {
    FT_Library lib;
    FT_Face *face;
    size_t n;
    uint8_t *notdef;      /* n × GLYPH_PIXELS: each face's glyph 0 drawn (its fallback box) */
    uint8_t *has_notdef;  /* n: 1 when that box has ink */
};

/* FreeType's error as words. */
const char *glyph_ft_error(FT_Error e);

#endif
