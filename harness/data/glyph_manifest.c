/* glyph_manifest.c — manifest.json of a glyph set: what it is, how it was
 * drawn, every face (package, version, file, sha256), every face left out and
 * why, and the characters of each split in label order.  Nothing in it
 * changes from one build to the next on the same fonts (no date, no host). */
#include <stdio.h>

#include "core/fileio.h"
#include "core/json.h"
#include "data/glyph.h"
#include "data/idx.h"

static void render_part(FILE *f, const glyph_opts *o)
{
    const glyph_jitter_range *j = &o->jitter;
    fprintf(f, "  \"freetype\": ");
    json_str(f, glyph_ft_version());
    fprintf(f, ",\n  \"image\": {\"size\": %d, \"type\": \"IDX 0x08 unsigned byte, N x %d x %d, "
            "0 = background, 255 = full ink\"},\n", GLYPH_SIZE, GLYPH_SIZE, GLYPH_SIZE);
    fprintf(f, "  \"labels\": \"IDX 0x%02X %s, numbered from 0 within each split, in code point order\",\n",
            (unsigned)o->label_type, o->label_type == IDX_TYPE_INT32 ? "int32 big-endian" : "unsigned byte");
    fprintf(f, "  \"render\": {\"em_px\": %d, \"fit_px\": %d, \"hinting\": \"none\", "
            "\"embedded_bitmaps\": \"not used\", \"rasteriser\": \"FreeType smooth, 256 grey levels\",\n"
            "    \"centred_by\": \"ink box\", \"samples_per_class\": %zu,\n"
            "    \"sample_rule\": \"sample j of a class: distinct drawing perm[j mod F], copy j div F; "
            "copy 0 unjittered; perm seeded by the code point\",\n",
            GLYPH_EM_PX, GLYPH_FIT_PX, o->samples);
    fprintf(f, "    \"jitter\": {\"seeded_by\": \"face file name and index, code point, copy\", "
            "\"scale\": [%g, %g], \"rotate_deg\": [%g, %g], \"shift_px\": [%g, %g], \"embolden_px\": [%g, %g]}},\n",
            1 - j->scale, 1 + j->scale, -j->rotate_deg, j->rotate_deg, -j->shift_px, j->shift_px,
            j->bold_lo, j->bold_hi);
    fprintf(f, "  \"selection\": {\"candidates\": \"%s\", \"min_faces\": %zu, \"classes\": %zu,\n"
            "    \"counts\": \"a face counts for a character when its cmap maps it, its drawing has ink, "
            "is not its .notdef box and differs from every face counted before it\",\n"
            "    \"order\": \"most faces whose cmap maps it first, then code point\"},\n",
            o->chars ? "--chars" : "U+4E00-U+9FFF, U+3400-U+4DBF", o->min_faces,
            o->chars ? o->nchars : o->classes);
    fprintf(f, "  \"split\": {\"seed\": %llu, \"fractions\": [%g, %g, %g], "
            "\"rule\": \"characters shuffled with the seed and cut; items of a split shuffled with seed + 1 + split\"},\n",
            (unsigned long long)o->seed, o->split[0], o->split[1], o->split[2]);
}

static void faces_part(FILE *f, const glyph_face *faces, size_t nf, const glyph_skip *skips, size_t ns)
{
    fprintf(f, "  \"faces\": [\n");
    for (size_t i = 0; i < nf; i++) {
        const glyph_face *x = &faces[i];
        json_kv(f, "    {\"package\": ", x->package);
        json_kv(f, ", \"version\": ", x->version);
        json_kv(f, ", \"file\": ", x->path);
        fprintf(f, ", \"index\": %ld", x->index);
        json_kv(f, ", \"family\": ", x->family);
        json_kv(f, ", \"style\": ", x->style);
        json_kv(f, ", \"sha256\": ", x->sha256);
        fprintf(f, ", \"han\": %zu}%s\n", x->han, i + 1 < nf ? "," : "");
    }
    fprintf(f, "  ],\n  \"skipped_faces\": [\n");
    for (size_t i = 0; i < ns; i++) {
        json_kv(f, "    {\"file\": ", skips[i].path);
        fprintf(f, ", \"index\": %ld", skips[i].index);
        json_kv(f, ", \"why\": ", skips[i].why);
        fprintf(f, "}%s\n", i + 1 < ns ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void split_part(FILE *f, const glyph_split *sp, int last)
{
    fprintf(f, "    {\"name\": \"%s\", \"classes\": %zu, \"samples\": %zu,\n", sp->name, sp->classes, sp->n);
    fprintf(f, "     \"images\": {\"file\": \"%s-images-idx3-ubyte.gz\", \"sha256\": \"%s\"},\n", sp->prefix,
            sp->images_sha);
    fprintf(f, "     \"labels\": {\"file\": \"%s-labels-idx1-ubyte.gz\", \"sha256\": \"%s\"},\n", sp->prefix,
            sp->labels_sha);
    fprintf(f, "     \"code_points\": [");
    for (size_t c = 0; c < sp->classes; c++) fprintf(f, "%s%u", c ? (c % 16 ? ", " : ",\n       ") : "", sp->cps[c]);
    fprintf(f, "],\n     \"drawings\": [");
    for (size_t c = 0; c < sp->classes; c++)
        fprintf(f, "%s%u", c ? (c % 32 ? ", " : ",\n       ") : "", (unsigned)sp->drawings[c]);
    fprintf(f, "],\n     \"characters\": \"");
    for (size_t c = 0; c < sp->classes; c++) {
        char u[5];
        glyph_utf8(sp->cps[c], u);
        fputs(u, f);
    }
    fprintf(f, "\"}%s\n", last ? "" : ",");
}

int glyph_manifest_write(const char *path, const glyph_opts *o, const glyph_face *faces, size_t nf,
                         const glyph_skip *skips, size_t ns, const glyph_split sp[3], char *err,
                         size_t errlen)
{
    FILE *f = fileio_tmp(err, errlen);
    if (!f) return 1;
    fprintf(f, "{\n  \"dataset\": \"glyphs\",\n  \"generator\": \"dmlbench data glyphs\",\n");
    render_part(f, o);
    faces_part(f, faces, nf, skips, ns);
    fprintf(f, "  \"splits\": [\n");
    for (int s = 0; s < 3; s++) split_part(f, &sp[s], s == 2);
    fprintf(f, "  ]\n}\n");
    return write_stream_atomic(f, path, err, errlen);
}
