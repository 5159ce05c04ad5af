/* glyph_build.c — the glyph set from its pieces: faces, characters, a
 * class-disjoint split, every sample drawn (in parallel over classes, each
 * sample's bytes a function of its character, face and copy alone), the
 * items of each split shuffled with the seed, the IDX files and the manifest
 * written into a staging directory that then replaces the set whole. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/rng.h"
#include "core/sha256.h"
#include "data/glyph.h"
#include "data/idx.h"

void glyph_opts_default(glyph_opts *o)
{
    memset(o, 0, sizeof *o);
    o->classes = 2000;
    o->samples = 32;
    o->min_faces = 8;
    o->split[0] = 0.50, o->split[1] = 0.15, o->split[2] = 0.35;
    o->seed = 1;
    o->label_type = IDX_TYPE_INT32;
    o->jitter = (glyph_jitter_range){ .scale = 0.08, .rotate_deg = 6.0, .shift_px = 1.5,
                                      .bold_lo = -0.3, .bold_hi = 0.9 };
}

/* The jitter is FreeType's business only once drawn: defined here, so a build
 * without FreeType still links. */
const glyph_jitter glyph_no_jitter = { 1.0, 0.0, 0.0, 0.0, 0.0 };

glyph_jitter glyph_jitter_of(const glyph_jitter_range *r, uint64_t face_key, uint32_t cp, size_t copy)
{
    rng g;
    rng_seed(&g, face_key ^ (cp * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)copy * 0xC2B2AE3D27D4EB4Full));
    glyph_jitter j;
    j.scale = 1.0 + r->scale * (2.0 * rng_uniform(&g) - 1.0);
    j.rotate_deg = r->rotate_deg * (2.0 * rng_uniform(&g) - 1.0);
    j.dx = r->shift_px * (2.0 * rng_uniform(&g) - 1.0);
    j.dy = r->shift_px * (2.0 * rng_uniform(&g) - 1.0);
    j.bold = r->bold_lo + (r->bold_hi - r->bold_lo) * rng_uniform(&g);
    return j;
}

static void shuffle(size_t *p, size_t n, uint64_t seed)
{
    rng g;
    rng_seed(&g, seed);
    for (size_t i = 0; i < n; i++) p[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(&g) % i), t = p[i - 1];
        p[i - 1] = p[j], p[j] = t;
    }
}

static int by_cp(const void *a, const void *b)
{
    uint32_t x = (*(glyph_char *const *)a)->cp, y = (*(glyph_char *const *)b)->cp;
    return (x > y) - (x < y);
}

/* Sample j of character g: distinct drawing perm[j mod F], copy j / F (copy 0
 * unjittered).  A jittered copy that thins to nothing is drawn without the
 * thinning. */
static int draw_sample(glyph_ft *ft, const glyph_opts *o, const glyph_face *faces, const glyph_char *g,
                       const size_t *perm, size_t j, uint8_t *out)
{
    size_t f = g->faces[perm[j % g->nfaces]], copy = j / g->nfaces;
    unsigned gid = glyph_ft_index(ft, f, g->cp);
    glyph_jitter jt = copy ? glyph_jitter_of(&o->jitter, faces[f].key, g->cp, copy) : glyph_no_jitter;
    int rc = glyph_draw(ft, f, gid, &jt, out);
    if (rc == GLYPH_EMPTY && jt.bold < 0) {
        jt.bold = 0;
        rc = glyph_draw(ft, f, gid, &jt, out);
    }
    return rc;
}

/* Every sample of one split's classes (cls, label order) into sp->images. */
static int render_split(glyph_ft **ft, const glyph_opts *o, const glyph_face *faces, glyph_char **cls,
                        glyph_split *sp, char *err, size_t errlen)
{
    size_t S = o->samples, bad_class = SIZE_MAX;
#pragma omp parallel for num_threads(o->threads) schedule(dynamic, 2)
    for (size_t c = 0; c < sp->classes; c++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        size_t *perm = malloc(cls[c]->nfaces * sizeof *perm);
        shuffle(perm, perm ? cls[c]->nfaces : 0, 0x676C797068ull ^ cls[c]->cp);  /* "glyph" */
        for (size_t j = 0; j < S; j++) {
            sp->labels[c * S + j] = (int32_t)c;
            if (!perm || draw_sample(ft[t], o, faces, cls[c], perm, j, sp->images + (c * S + j) * GLYPH_PIXELS)) {
#pragma omp critical(glyph_bad)
                if (c < bad_class) bad_class = c;
                break;
            }
        }
        free(perm);
    }
    if (bad_class != SIZE_MAX)
        snprintf(err, errlen, "U+%04X: a jittered drawing failed (FreeType) or ran out of memory",
                 (unsigned)cls[bad_class]->cp);
    return bad_class != SIZE_MAX;
}

/* The items of a split in a seeded order, so a prefix of the file holds many classes. */
static int shuffle_items(glyph_split *sp, uint64_t seed)
{
    size_t *p = malloc(sp->n * sizeof *p);
    uint8_t *im = malloc(sp->n * GLYPH_PIXELS);
    int32_t *lb = malloc(sp->n * sizeof *lb);
    if (!p || !im || !lb) { free(p); free(im); free(lb); return 1; }
    shuffle(p, sp->n, seed);
    for (size_t i = 0; i < sp->n; i++) {
        memcpy(im + i * GLYPH_PIXELS, sp->images + p[i] * GLYPH_PIXELS, GLYPH_PIXELS);
        lb[i] = sp->labels[p[i]];
    }
    free(p);
    free(sp->images);
    free(sp->labels);
    sp->images = im, sp->labels = lb;
    return 0;
}

/* The class-disjoint split: picked characters shuffled with the seed, cut by
 * the fractions; within a split, labels follow the code points. */
static int make_splits(const glyph_opts *o, glyph_char *chars, size_t n, glyph_split sp[3],
                       glyph_char ***cls, char *err, size_t errlen)
{
    static const char *names[3] = { "train", "val", "test" }, *prefixes[3] = { "train", "val", "t10k" };
    size_t *p = malloc(n * sizeof *p), at = 0;
    if (!p) { snprintf(err, errlen, "out of memory"); return 1; }
    shuffle(p, n, o->seed);
    size_t count[3];
    count[0] = (size_t)(o->split[0] * (double)n + 0.5);
    count[1] = (size_t)(o->split[1] * (double)n + 0.5);
    count[2] = n - count[0] - count[1];
    for (int s = 0; s < 3; s++) {
        memset(&sp[s], 0, sizeof sp[s]);
        sp[s].name = names[s], sp[s].prefix = prefixes[s];
        sp[s].classes = count[s];
        if (count[s] == 0 || count[0] + count[1] > n) {
            snprintf(err, errlen, "%zu classes split %g/%g/%g leave the %s split empty: more --classes",
                     n, o->split[0], o->split[1], o->split[2], names[s]);
            free(p);
            return 1;
        }
        if (o->label_type == IDX_TYPE_UBYTE && count[s] > 256) {
            snprintf(err, errlen, "--labels ubyte: the %s split has %zu classes, more than the 256 a byte "
                     "label holds: use int32 labels", names[s], count[s]);
            free(p);
            return 1;
        }
        cls[s] = malloc(count[s] * sizeof *cls[s]);
        sp[s].cps = malloc(count[s] * sizeof *sp[s].cps);
        sp[s].drawings = malloc(count[s] * sizeof *sp[s].drawings);
        sp[s].n = count[s] * o->samples;
        sp[s].images = malloc(sp[s].n * GLYPH_PIXELS);
        sp[s].labels = malloc(sp[s].n * sizeof *sp[s].labels);
        if (!cls[s] || !sp[s].cps || !sp[s].drawings || !sp[s].images || !sp[s].labels) {
            snprintf(err, errlen, "out of memory for %zu samples", sp[s].n);
            free(p);
            return 1;
        }
        for (size_t c = 0; c < count[s]; c++) cls[s][c] = &chars[p[at++]];
        qsort(cls[s], count[s], sizeof *cls[s], by_cp);
        for (size_t c = 0; c < count[s]; c++)
            sp[s].cps[c] = cls[s][c]->cp, sp[s].drawings[c] = (uint16_t)cls[s][c]->nfaces;
    }
    free(p);
    return 0;
}

/* One split's two IDX files in the staging directory, and their hashes. */
static int write_split(const char *stage, const glyph_opts *o, glyph_split *sp, char *err, size_t errlen)
{
    char path[4200];
    size_t dims[3] = { sp->n, GLYPH_SIZE, GLYPH_SIZE };
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", stage, sp->prefix);
    if (idx_write(path, IDX_TYPE_UBYTE, 3, dims, sp->images, err, errlen)) return 1;
    if (sha256_file(path, sp->images_sha)) goto unreadable;
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", stage, sp->prefix);
    if (idx_write_labels(path, o->label_type, sp->labels, sp->n, err, errlen)) return 1;
    if (sha256_file(path, sp->labels_sha)) goto unreadable;
    return 0;
unreadable:
    snprintf(err, errlen, "cannot read back %s", path);
    return 1;
}

static void splits_free(glyph_split sp[3], glyph_char **cls[3])
{
    for (int s = 0; s < 3; s++) {
        free(sp[s].cps), free(sp[s].drawings), free(sp[s].images), free(sp[s].labels), free(cls[s]);
        sp[s].cps = NULL, sp[s].drawings = NULL, sp[s].images = NULL, sp[s].labels = NULL, cls[s] = NULL;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static size_t count_families(const glyph_face *f, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && strcmp(f[j].family, f[i].family)) j++;
        k += j == i;
    }
    return k;
}

static void say(const glyph_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const glyph_opts *o, const char *fmt, ...)
{
    if (!o->progress) return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->progress(line);
}

static glyph_ft **open_threads(const glyph_opts *o, const glyph_face *faces, size_t n, char *err, size_t errlen)
{
    glyph_ft **ft = calloc((size_t)o->threads, sizeof *ft);
    for (int t = 0; ft && t < o->threads; t++)
        if (!(ft[t] = glyph_ft_open(faces, n, err, errlen))) {
            while (t--) glyph_ft_close(ft[t]);
            free(ft);
            return NULL;
        }
    if (!ft && !*err) snprintf(err, errlen, "out of memory");
    return ft;
}

/* Draws and writes the three splits into the staging directory. */
static int render_and_write(const glyph_opts *o, glyph_ft **ft, const glyph_face *faces, size_t nf,
                            const glyph_skip *skips, size_t ns, glyph_split sp[3], glyph_char **cls[3],
                            const char *stage, char *err, size_t errlen)
{
    for (int s = 0; s < 3; s++) {
        say(o, "drawing %s: %zu classes x %zu samples", sp[s].name, sp[s].classes, o->samples);
        if (render_split(ft, o, faces, cls[s], &sp[s], err, errlen)) return 1;
        if (shuffle_items(&sp[s], o->seed + 1 + (uint64_t)s)) {
            snprintf(err, errlen, "out of memory shuffling the %s split", sp[s].name);
            return 1;
        }
        if (write_split(stage, o, &sp[s], err, errlen)) return 1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", stage);
    return glyph_manifest_write(path, o, faces, nf, skips, ns, sp, err, errlen);
}

int glyph_build(const glyph_opts *opts, glyph_summary *sum, char *err, size_t errlen)
{
    glyph_opts o = *opts;
    double t0 = now();
#ifdef _OPENMP
    if (o.threads <= 0) o.threads = omp_get_max_threads();
#endif
    if (o.threads <= 0) o.threads = 1;
    glyph_face *faces = NULL;
    glyph_skip *skips = NULL;
    glyph_char *chars = NULL, **cls[3] = { 0 };
    glyph_ft **ft = NULL;
    glyph_split sp[3] = { 0 };
    size_t nf = 0, ns = 0, nc = 0;
    char stage[4200] = "";
    *err = 0;
    int rc = glyph_outdir_begin(o.out, stage, sizeof stage, err, errlen);
    if (rc) *stage = 0;
    if (!rc) rc = glyph_faces_load(&o, &faces, &nf, &skips, &ns, err, errlen);
    if (!rc) say(&o, "%zu faces (%zu families), %zu skipped; %d threads", nf, count_families(faces, nf), ns, o.threads);
    if (!rc) rc = !(ft = open_threads(&o, faces, nf, err, errlen));
    if (!rc) rc = glyph_pick(&o, ft, faces, nf, &chars, &nc, err, errlen);
    if (!rc) rc = make_splits(&o, chars, nc, sp, cls, err, errlen);
    if (!rc) rc = render_and_write(&o, ft, faces, nf, skips, ns, sp, cls, stage, err, errlen);
    if (!rc) rc = glyph_outdir_commit(o.out, stage, err, errlen);
    if (rc && *stage) glyph_outdir_abort(stage);
    if (!rc && sum) {
        memset(sum, 0, sizeof *sum);
        sum->faces = nf, sum->families = count_families(faces, nf), sum->skipped = ns;
        for (int s = 0; s < 3; s++) sum->classes[s] = sp[s].classes, sum->samples[s] = sp[s].n;
        sum->seconds = now() - t0;
    }
    splits_free(sp, cls);
    glyph_chars_free(chars, nc);
    for (int t = 0; ft && t < o.threads; t++) glyph_ft_close(ft[t]);
    free(ft);
    free(faces);
    free(skips);
    return rc;
}
