/* merge.c — `dmlbench merge`: every shard file read and checked before
 * anything is written.  A merge refuses, with one line naming the file and
 * the reason:
 *  - a truncated or damaged shard: a CSV without its final newline, a row
 *    whose field count is not the header's, another header, a JSON that does
 *    not parse (or lacks its closing brace), a JSON without its shard record;
 *  - shards from different commits (or dirty states), build flags or
 *    compilers, or of different definitions of a study (the hash of the
 *    whole expanded point list, with passes and fit_min_M, differs: another
 *    grid, --quick or not, `threads all` expanded on another core count);
 *  - a shard given twice, or missing; a point missing (a shard with fewer
 *    rows than its JSON ran, or no row for a point index), or twice. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/jsonread.h"
#include "core/text.h"
#include "sweep/merge.h"
#include "sweep/study.h"
#include "sweep/sweep.h"

/* A line of a shard: no NUL or other control byte (dmlbench writes none, and
 * the merged CSV must not carry one), as wide as the header. */
static int check_line(const shard_file *sf, const char *p, size_t n, size_t line, size_t nh)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20)
            return die("merge: %s:%zu: a %s byte (damaged, or not a sweep CSV)", sf->csv, line,
                       p[i] ? "control" : "NUL");
    if (csv_count(p) != nh)
        return die("merge: %s: line %zu has %zu fields, the header %zu (truncated or damaged)", sf->csv, line,
                   csv_count(p), nh);
    return 0;
}

/* The CSV: whole, with this build's header, every line as wide as it.  A
 * point's lines (one per evaluation of a train point) stay together: one
 * row, its lines joined by their newlines again (point_lines checks them). */
static int read_csv(shard_file *sf)
{
    size_t len;
    char why[128];
    sf->csv_text = read_text(sf->csv, &len, why, sizeof why);
    if (!sf->csv_text) return die("merge: %s: %s", sf->csv, why);
    if (len == 0 || sf->csv_text[len - 1] != '\n')
        return die("merge: %s: truncated: no final newline", sf->csv);
    size_t hl = strlen(csv_header()), nh = csv_count(csv_header());
    if (len <= hl || strncmp(sf->csv_text, csv_header(), hl) || sf->csv_text[hl] != '\n')
        return die("merge: %s: its header is not this build's (another version of dmlbench, or not a sweep CSV)", sf->csv);
    sf->rows = calloc(len / 2 + 1, sizeof *sf->rows);
    if (!sf->rows) return die("merge: out of memory");
    size_t line = 1;
    char prev[32] = "", cur[32];
    for (char *p = sf->csv_text + hl + 1, *end = sf->csv_text + len; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p)); /* there is one: the text ends with it */
        if (check_line(sf, p, (size_t)(nl - p), line + 1, nh)) return 1;
        *nl = 0;
        if (csv_get(p, 1, cur, sizeof cur)) snprintf(cur, sizeof cur, "?");
        if (sf->nrows && !strcmp(cur, prev)) p[-1] = '\n'; /* the same point's next line */
        else sf->rows[sf->nrows++] = p;
        memcpy(prev, cur, sizeof cur);
        p = nl + 1;
    }
    return 0;
}

/* A string member of obj into out: 0, 1 when it is missing, 2 when too long. */
static int get_str(const char *obj, const char *key, char *out, size_t len)
{
    const char *v = obj ? jr_member(obj, key) : NULL;
    return !v ? 1 : jr_string(v, out, len);
}

static int get_num(const char *obj, const char *key, double *out)
{
    const char *v = obj ? jr_member(obj, key) : NULL;
    return !v || jr_number(v, out);
}

/* A whole number in [lo, hi] (a shard number 1.5 is not shard 1). */
static int get_int(const shard_file *sf, const char *obj, const char *key, double lo, double hi, long *out)
{
    double v;
    if (get_num(obj, key, &v)) return die("merge: %s: no shard record (not written by dmlbench sweep --shard)", sf->json);
    if (!(v >= lo && v <= hi) || v != floor(v))
        return die("merge: %s: %s %g is not a whole number in [%g, %g]", sf->json, key, v, lo, hi);
    *out = (long)v;
    return 0;
}

/* The shard record: which shard of how many, how many points. */
static int read_shard_record(shard_file *sf, const char *sh)
{
    long k, n, pts, tot, passes;
    double fm;
    if (!sh || get_num(sh, "fit_min_M", &fm) || get_str(sh, "meta", sf->meta, sizeof sf->meta))
        return die("merge: %s: no shard record (not written by dmlbench sweep --shard)", sf->json);
    if (get_int(sf, sh, "n", 1, 4096, &n) || get_int(sf, sh, "k", 0, (double)n - 1, &k) ||
        get_int(sf, sh, "points_total", 1, STUDY_MAX_POINTS, &tot) || get_int(sf, sh, "points", 0, (double)tot, &pts) ||
        get_int(sf, sf->json_text, "passes", 1, STUDY_MAX_PASSES, &passes))
        return 1;
    if (!(fm >= 0 && fm <= 1e9) || fm != floor(fm))
        return die("merge: %s: fit_min_M %g is not a whole number in [0, 1e9]", sf->json, fm);
    sf->k = (int)k; sf->n = (int)n; sf->points = (size_t)pts; sf->total = (size_t)tot;
    sf->fit_min_M = fm; sf->passes = (int)passes;
    return 0;
}

/* The JSON beside the CSV: complete, with its shard record. */
static int read_json(shard_file *sf)
{
    char err[200];
    size_t jl;
    sf->json_text = read_text(sf->json, &jl, err, sizeof err);
    if (!sf->json_text) return die("merge: %s: %s", sf->json, err);
    if (jr_check(sf->json_text, err, sizeof err)) return die("merge: %s: %s", sf->json, err);
    const char *j = sf->json_text, *git = jr_member(j, "git"), *cpu = jr_member(j, "cpu");
    const char *dirty = git ? jr_member(git, "dirty") : NULL, *quick = jr_member(j, "quick");
    if (read_shard_record(sf, jr_member(j, "shard"))) return 1;
    if (get_str(j, "study", sf->study, sizeof sf->study) || get_str(j, "points_hash", sf->hash, sizeof sf->hash) ||
        get_str(j, "host", sf->host, sizeof sf->host) || get_str(git, "commit", sf->commit, sizeof sf->commit) ||
        !dirty || get_str(j, "flags", sf->flags, sizeof sf->flags) ||
        get_str(j, "compiler", sf->compiler, sizeof sf->compiler) || get_str(cpu, "model", sf->cpu, sizeof sf->cpu) || !quick)
        return die("merge: %s: lacks a field of its provenance (study, points_hash, host, git, flags, compiler, cpu, passes, "
                   "quick), or one is too long", sf->json);
    char why[300];
    if (study_name_check(sf->study, 1, why, sizeof why)) return die("merge: %s: study: %s", sf->json, why);
    snprintf(sf->dirty, sizeof sf->dirty, "%s", *dirty == 't' ? "true" : *dirty == 'f' ? "false" : "null");
    sf->quick = *quick == 't';
    if (sf->nrows != sf->points)
        return die("merge: %s: %zu rows, but its JSON says the shard ran %zu points (%s)", sf->csv, sf->nrows,
                   sf->points, sf->nrows < sf->points ? "a point is missing" : "rows it did not run");
    return 0;
}

static int load_shard(const char *path, shard_file *sf)
{
    size_t L = strlen(path);
    if (L < 5 || L >= sizeof sf->csv || strcmp(path + L - 4, ".csv") || !strstr(path, ".shard-"))
        return die("merge: %s: not a shard CSV (<study>.shard-K-of-N.csv)", path);
    snprintf(sf->csv, sizeof sf->csv, "%s", path);
    snprintf(sf->json, sizeof sf->json, "%.*s.json", (int)(L - 4), path);
    return read_csv(sf) || read_json(sf);
}

/* The same build: commit, dirty state, flags, compiler. */
static int same_build(const shard_file *a, const shard_file *b)
{
    if (strcmp(a->commit, b->commit) || strcmp(a->dirty, b->dirty))
        return die("merge: %s: from commit %.12s%s, but %s from %.12s%s", a->json, a->commit,
                   *a->dirty == 't' ? "+dirty" : "", b->json, b->commit, *b->dirty == 't' ? "+dirty" : "");
    if (strcmp(a->flags, b->flags) || strcmp(a->compiler, b->compiler))
        return die("merge: %s: built by %s with flags '%s', but %s by %s with '%s'", a->json, a->compiler, a->flags,
                   b->json, b->compiler, b->flags);
    return 0;
}

/* The shards of study sf->study joined into ms; 1 after the message. */
static int gather(shard_file *sf, int nf, const char *name, merged_study *ms)
{
    const shard_file *f0 = NULL;
    for (int i = 0; i < nf && !f0; i++) if (!strcmp(sf[i].study, name)) f0 = &sf[i];
    ms->name = name;
    ms->n = f0->n;
    ms->total = f0->total;
    ms->shards = calloc((size_t)ms->n, sizeof *ms->shards);
    ms->row = calloc(ms->total + 1, sizeof *ms->row);
    ms->src = calloc(ms->total + 1, sizeof *ms->src);
    if (!ms->shards || !ms->row || !ms->src) return die("merge: out of memory");
    for (int i = 0; i < nf; i++) {
        shard_file *s = &sf[i];
        if (strcmp(s->study, name)) continue;
        if (s->n != f0->n || strcmp(s->hash, f0->hash) || s->quick != f0->quick || s->total != f0->total)
            return die("merge: %s: another definition of study %s than %s (%s)", s->json, name, f0->json,
                       s->n != f0->n ? "another shard count" : s->quick != f0->quick ? "--quick differs"
                       : "another point list: points_hash differs");
        if (s->k < 0 || s->k >= s->n) return die("merge: %s: shard %d of %d is out of range", s->json, s->k, s->n);
        if (ms->shards[s->k])
            return die("merge: %s: shard %d of %d of study %s is given twice (also %s)", s->csv, s->k, s->n, name,
                       ms->shards[s->k]->csv);
        ms->shards[s->k] = s;
    }
    for (int k = 0; k < ms->n; k++)
        if (!ms->shards[k]) return die("merge: study %s: shard %d of %d is missing (%s.shard-%d-of-%d.csv)", name, k,
                                       ms->n, name, k, ms->n);
    return 0;
}

/* The lines of one point: each of this study, and several only for a
 * learning point (kind train or baseline), one line per (name, epoch), all
 * with one key.  A row repeated on the next line, even with another value,
 * is a point twice. */
static int point_lines(const shard_file *s, const char *row, unsigned long long pi)
{
    int cs = csv_find(csv_header(), "study"), ck = csv_find(csv_header(), "kind"),
        cn = csv_find(csv_header(), "name"), ce = csv_find(csv_header(), "epoch"), ckey = csv_find(csv_header(), "key");
    char key0[512] = "", f[512];
    size_t nlines = 0;
    for (const char *l = row; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL, nlines++) {
        if (csv_get(l, cs, f, sizeof f) || strcmp(f, s->study))
            return die("merge: %s: point %llu: a row of study '%s', but the shard is of %s", s->csv, pi, f, s->study);
        if (csv_get(l, ckey, f, sizeof f) || (nlines && strcmp(f, key0)))
            return die("merge: %s: point %llu appears twice, with other keys", s->csv, pi);
        if (!nlines) memcpy(key0, f, sizeof f);
    }
    if (nlines == 1) return 0;
    for (const char *l = row; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char nm[64], ep[64], nm2[64], ep2[64];
        if (csv_get(l, ck, f, sizeof f) || (strcmp(f, "train") && strcmp(f, "baseline")))
            return die("merge: %s: point %llu appears twice (a %s point has one row)", s->csv, pi, f);
        csv_get(l, cn, nm, sizeof nm);
        csv_get(l, ce, ep, sizeof ep);
        for (const char *m = row; m != l; m = strchr(m, '\n') + 1) {
            csv_get(m, cn, nm2, sizeof nm2);
            csv_get(m, ce, ep2, sizeof ep2);
            if (!strcmp(nm, nm2) && !strcmp(ep, ep2))
                return die("merge: %s: point %llu: its row %s, epoch %s appears twice", s->csv, pi, nm, ep);
        }
    }
    return 0;
}

/* Every point of the study exactly once, and the keys are the definition's. */
static int place_rows(merged_study *ms)
{
    int ckey = csv_find(csv_header(), "key");
    for (int k = 0; k < ms->n; k++) {
        const shard_file *s = ms->shards[k];
        for (size_t r = 0; r < s->nrows; r++) {
            char f[32];
            csv_get(s->rows[r], 1, f, sizeof f);
            char *end;
            unsigned long long pi = strtoull(f, &end, 10);
            if (!*f || *end || *f < '0' || *f > '9' || pi >= ms->total)
                return die("merge: %s: line %zu: point '%s' is not one of the study's %zu points", s->csv, r + 2, f, ms->total);
            if (ms->row[pi])
                return die("merge: %s: line %zu: point %llu appears twice (also in %s)", s->csv, r + 2, pi, ms->src[pi]->csv);
            if (point_lines(s, s->rows[r], pi)) return 1;
            ms->row[pi] = s->rows[r];
            ms->src[pi] = s;
        }
    }
    char settings[64];
    snprintf(settings, sizeof settings, "passes=%d;fit_min_M=%g\n", ms->shards[0]->passes, ms->shards[0]->fit_min_M);
    unsigned long long h = shard_hash(SHARD_HASH0, settings);
    for (size_t p = 0; p < ms->total; p++) {
        if (!ms->row[p]) return die("merge: study %s: point %zu of %zu is missing from every shard", ms->name, p, ms->total);
        char key[512];
        csv_get(ms->row[p], ckey, key, sizeof key);
        h = shard_hash(shard_hash(h, key), "\n");
    }
    char hx[32];
    snprintf(hx, sizeof hx, "%016llx", h);
    if (strcmp(hx, ms->shards[0]->hash))
        return die("merge: study %s: the rows' point keys are not the definition's (points hash %s, the shards say %s)",
                   ms->name, hx, ms->shards[0]->hash);
    return 0;
}

/* What a merge read and joined: freed on every way out. */
static int merge_free(shard_file *sf, int nfiles, merged_study *ms, int nst, int rc)
{
    for (int s = 0; s < nst && ms; s++) {
        free(ms[s].shards);
        free(ms[s].row);
        free(ms[s].src);
    }
    free(ms);
    for (int i = 0; i < nfiles; i++) {
        free(sf[i].csv_text);
        free(sf[i].json_text);
        free(sf[i].rows);
    }
    free(sf);
    return rc;
}

int merge_main(const char *out, const char *const *files, int nfiles)
{
    shard_file *sf = calloc((size_t)nfiles, sizeof *sf);
    if (!sf) return die("merge: out of memory");
    for (int i = 0; i < nfiles; i++)
        if (load_shard(files[i], &sf[i]) || same_build(&sf[i], &sf[0])) return merge_free(sf, nfiles, NULL, 0, 1);
    if (mkdir_p(out)) return merge_free(sf, nfiles, NULL, 0, die("merge: cannot create %s: %s", out, strerror(errno)));
    merged_study *ms = calloc((size_t)nfiles, sizeof *ms);
    int nst = 0, rc = 0;
    if (!ms) return merge_free(sf, nfiles, NULL, 0, die("merge: out of memory"));
    for (int i = 0; i < nfiles; i++) { /* every study checked before any is written */
        int seen = 0;
        for (int s = 0; s < nst; s++) seen |= !strcmp(ms[s].name, sf[i].study);
        if (seen) continue;
        int bad = gather(sf, nfiles, sf[i].study, &ms[nst]);
        nst++; /* what gather allocated is freed with the rest */
        if (bad || place_rows(&ms[nst - 1])) return merge_free(sf, nfiles, ms, nst, 1);
    }
    for (int s = 0; s < nst && rc != 1; s++) {
        int r = merge_write(out, &ms[s]);
        rc = r == 1 ? 1 : r == 3 || rc == 3 ? 3 : 0;
    }
    if (rc == 3) fprintf(stderr, "dmlbench: merge: a loss is off its expected order (table above)\n");
    return merge_free(sf, nfiles, ms, nst, rc);
}
