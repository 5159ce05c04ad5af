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
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/jsonread.h"
#include "sweep/merge.h"
#include "sweep/study.h"
#include "sweep/sweep.h"

static size_t nfields(const char *s)
{
    size_t n = 1;
    for (; *s; s++) n += *s == ',';
    return n;
}

/* Of a point's first line: the rows of a learning point are its lines. */
void merge_field(const char *row, int i, char *out, size_t len)
{
    const char *p = row, *nl = strchr(row, '\n');
    for (int k = 0; k < i && p; k++)
        if ((p = strchr(p, ',')) && (!nl || p < nl)) p++;
        else p = NULL;
    size_t n = p ? strcspn(p, ",\n") : 0;
    if (n >= len) n = len - 1;
    memcpy(out, p ? p : "", n);
    out[n] = 0;
}

int merge_column(const char *name)
{
    const char *h = csv_header();
    size_t nl = strlen(name);
    int i = 0;
    for (const char *p = h; p; i++) {
        if (!strncmp(p, name, nl) && (p[nl] == ',' || !p[nl])) return i;
        if ((p = strchr(p, ','))) p++;
    }
    return -1;
}

/* The CSV: whole, with this build's header, every line as wide as it.  A
 * point's lines (one per evaluation of a train point) stay together: one
 * row, its lines joined by their newlines again. */
static int read_csv(shard_file *sf)
{
    size_t len;
    sf->csv_text = read_file_all(sf->csv, &len);
    if (!sf->csv_text) return die("merge: %s: cannot read: %s", sf->csv, strerror(errno));
    if (len == 0 || sf->csv_text[len - 1] != '\n')
        return die("merge: %s: truncated: no final newline", sf->csv);
    size_t hl = strlen(csv_header()), nh = nfields(csv_header());
    if (strncmp(sf->csv_text, csv_header(), hl) || sf->csv_text[hl] != '\n')
        return die("merge: %s: its header is not this build's (another version of dmlbench, or not a sweep CSV)", sf->csv);
    sf->rows = calloc(len / 2 + 1, sizeof *sf->rows);
    if (!sf->rows) return die("merge: out of memory");
    size_t line = 1;
    char prev[32] = "", cur[32];
    for (char *p = sf->csv_text + hl + 1; *p; line++) {
        char *nl = strchr(p, '\n');
        *nl = 0;
        if (nfields(p) != nh)
            return die("merge: %s: line %zu has %zu fields, the header %zu (truncated or damaged)", sf->csv, line + 1,
                       nfields(p), nh);
        merge_field(p, 1, cur, sizeof cur);
        if (sf->nrows && !strcmp(cur, prev)) p[-1] = '\n'; /* the same point's next line */
        else sf->rows[sf->nrows++] = p;
        memcpy(prev, cur, sizeof cur);
        p = nl + 1;
    }
    return 0;
}

/* A string member of obj into out; 1 when it is missing. */
static int get_str(const char *obj, const char *key, char *out, size_t len)
{
    const char *v = obj ? jr_member(obj, key) : NULL;
    return !v || jr_string(v, out, len);
}

static int get_num(const char *obj, const char *key, double *out)
{
    const char *v = obj ? jr_member(obj, key) : NULL;
    return !v || jr_number(v, out);
}

/* The JSON beside the CSV: complete, with its shard record. */
static int read_json(shard_file *sf)
{
    sf->json_text = read_file_all(sf->json, NULL);
    if (!sf->json_text) return die("merge: %s: cannot read: %s", sf->json, strerror(errno));
    char err[200];
    if (jr_check(sf->json_text, err, sizeof err)) return die("merge: %s: %s", sf->json, err);
    const char *j = sf->json_text, *sh = jr_member(j, "shard"), *git = jr_member(j, "git"), *cpu = jr_member(j, "cpu");
    const char *dirty = git ? jr_member(git, "dirty") : NULL, *quick = jr_member(j, "quick");
    double k, n, pts, tot, fm, passes;
    if (!sh || get_num(sh, "k", &k) || get_num(sh, "n", &n) || get_num(sh, "points", &pts) ||
        get_num(sh, "points_total", &tot) || get_num(sh, "fit_min_M", &fm) || get_str(sh, "meta", sf->meta, sizeof sf->meta))
        return die("merge: %s: no shard record (not written by dmlbench sweep --shard)", sf->json);
    if (get_str(j, "study", sf->study, sizeof sf->study) || get_str(j, "points_hash", sf->hash, sizeof sf->hash) ||
        get_str(j, "host", sf->host, sizeof sf->host) || get_str(git, "commit", sf->commit, sizeof sf->commit) ||
        !dirty || get_str(j, "flags", sf->flags, sizeof sf->flags) || get_num(j, "passes", &passes) ||
        get_str(j, "compiler", sf->compiler, sizeof sf->compiler) || get_str(cpu, "model", sf->cpu, sizeof sf->cpu) || !quick)
        return die("merge: %s: lacks a field of its provenance (study, points_hash, host, git, flags, compiler, cpu, passes, quick)",
                   sf->json);
    snprintf(sf->dirty, sizeof sf->dirty, "%s", *dirty == 't' ? "true" : *dirty == 'f' ? "false" : "null");
    sf->quick = *quick == 't';
    sf->k = (int)k; sf->n = (int)n; sf->points = (size_t)pts; sf->total = (size_t)tot;
    sf->fit_min_M = fm; sf->passes = (int)passes;
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

/* Every point of the study exactly once, and the keys are the definition's. */
static int place_rows(merged_study *ms)
{
    int ckey = merge_column("key");
    for (int k = 0; k < ms->n; k++) {
        const shard_file *s = ms->shards[k];
        for (size_t r = 0; r < s->nrows; r++) {
            char f[32];
            merge_field(s->rows[r], 1, f, sizeof f);
            char *end;
            unsigned long long pi = strtoull(f, &end, 10);
            if (!*f || *end || pi >= ms->total)
                return die("merge: %s: line %zu: point '%s' is not one of the study's %zu points", s->csv, r + 2, f, ms->total);
            if (ms->row[pi])
                return die("merge: %s: line %zu: point %llu appears twice (also in %s)", s->csv, r + 2, pi, ms->src[pi]->csv);
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
        merge_field(ms->row[p], ckey, key, sizeof key);
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
