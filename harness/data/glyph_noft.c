/* glyph_noft.c — the glyph set's FreeType entry points in a build without
 * FreeType (the AArch64 cross build has no arm64 libfreetype): every build
 * of the set stops with one line saying so. */
#ifndef DML_HAVE_FREETYPE
#include <stdio.h>

#include "data/glyph.h"

static const char no_ft[] = "this build has no FreeType (libfreetype-dev): it cannot draw glyphs";

int glyph_faces_load(const glyph_opts *o, glyph_face **faces, size_t *n, glyph_skip **skips,
                     size_t *nskips, char *err, size_t errlen)
{
    (void)o;
    *faces = NULL, *n = 0, *skips = NULL, *nskips = 0;
    snprintf(err, errlen, "%s", no_ft);
    return 1;
}

glyph_ft *glyph_ft_open(const glyph_face *faces, size_t n, char *err, size_t errlen)
{
    (void)faces; (void)n;
    snprintf(err, errlen, "%s", no_ft);
    return NULL;
}

void glyph_ft_close(glyph_ft *ft) { (void)ft; }
unsigned glyph_ft_index(glyph_ft *ft, size_t f, uint32_t cp) { (void)ft; (void)f; (void)cp; return 0; }
const char *glyph_ft_version(void) { return "none"; }

int glyph_draw(glyph_ft *ft, size_t f, unsigned gid, const glyph_jitter *j, uint8_t *out)
{
    (void)ft; (void)f; (void)gid; (void)j; (void)out;
    return GLYPH_FAILED;
}
#else
typedef int glyph_noft_empty; /* ISO C wants something in a translation unit */
#endif
