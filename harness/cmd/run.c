/* run.c — `dmlbench run`: one loss at one point, timed, with gradient statistics. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/json.h"
#include "core/parse.h"
#include "point/param_opts.h"
#include "point/params.h"
#include "point/point.h"

/* The usage, with the losses, the loss parameters (from the parameter
 * table) and the ISAs as the library and the table name them. */
void cmd_run_usage(FILE *f)
{
    fprintf(f, "usage: dmlbench run --loss ");
    for (int l = 0; l < DML_LOSS_COUNT; l++) fprintf(f, "%s%s", l ? "|" : "", dml_loss_name((dml_loss)l));
    fprintf(f, " [--M N] [--C N] [--D N]\n");
    char isas[128] = "[--isa ";
    for (int i = 0; i < DML_ISA_COUNT; i++)
        snprintf(isas + strlen(isas), sizeof isas - strlen(isas), "%s|", dml_isa_name((dml_isa)i));
    snprintf(isas + strlen(isas), sizeof isas - strlen(isas), "auto]");
    const char *tail[] = { "[--per-class K]", "[--noise N]", "[--proxy-noise N]", "[--reps R]",
                           "[--warmup W]", "[--seed S]", isas, "[--threads T]", "[--fused 0|1]", "[--json]" };
    int col = 0;
    param_options_usage(f, 9, &col);
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) {
        int w = (int)strlen(tail[i]);
        if (col && col + 1 + w > 80) { fputc('\n', f); col = 0; }
        col += fprintf(f, "%s%s", col ? " " : "         ", tail[i]);
    }
    fputc('\n', f);
}

/* "key": v (null for NaN/inf), and ", " after all but the last. */
static void json_field(FILE *f, const char *key, double v, int comma)
{
    fprintf(f, "\"%s\": ", key);
    json_num(f, v, 9);
    fputs(comma ? ", " : "", f);
}

static void json_stats(FILE *f, const char *key, sample_stats s, int comma)
{
    fprintf(f, "\"%s\": {", key);
    json_field(f, "min", s.min, 1);
    json_field(f, "median", s.median, 1);
    json_field(f, "p90", s.p90, 0);
    fprintf(f, "}%s", comma ? ", " : "");
}

/* Whether the step ran fused: "1", "0", or none for the pair losses, which have no fused step. */
static const char *fused_name(const point_result *r, const char *none)
{
    return r->fused < 0 ? none : r->fused ? "1" : "0";
}

static void print_json(const point_spec *sp, const point_result *r)
{
    const dml_gradstats *g = &r->gs;
    printf("{\"loss\": \"%s\", \"M\": %zu, \"C\": %zu, \"D\": %zu, \"isa\": \"%s\", \"threads\": %d, "
           "\"fused\": %s, \"seed\": %llu, \"reps\": %d, ",
           dml_loss_name(sp->params.loss), sp->batch.M, sp->batch.C, sp->batch.D,
           dml_isa_name(r->isa), r->threads, fused_name(r, "null"), (unsigned long long)sp->batch.seed, sp->reps);
    json_field(stdout, "value", r->loss, 1);
    json_stats(stdout, "forward_ns", r->fwd_ns, 1);
    json_stats(stdout, "backward_ns", r->bwd_ns, 1);
    json_stats(stdout, "total_ns", r->total_ns, 1);
    json_field(stdout, "gflops", (r->fwd_flops + r->bwd_flops) / r->total_ns.median, 1);
    json_field(stdout, "grad_x_mean", g->grad_x_mean, 1);
    json_field(stdout, "grad_x_max", g->grad_x_max, 1);
    json_field(stdout, "grad_p_mean", g->grad_p_mean, 1);
    json_field(stdout, "pos_top1_share", g->pos_top1_share, 1);
    json_field(stdout, "pos_eff_n", g->pos_eff_n, 1);
    json_field(stdout, "neg_top1_share", g->neg_top1_share, 1);
    json_field(stdout, "neg_eff_n", g->neg_eff_n, 1);
    json_field(stdout, "proxy_pos_top1_share", g->proxy_pos_top1_share, 1);
    json_field(stdout, "proxy_pos_eff_n", g->proxy_pos_eff_n, 1);
    json_field(stdout, "active_frac", g->active_frac, 0);
    printf("}\n");
}

static void print_text(const point_spec *sp, const point_result *r)
{
    const dml_gradstats *g = &r->gs;
    printf("loss %s  M=%zu C=%zu D=%zu  isa=%s threads=%d fused=%s seed=%llu reps=%d\n",
           dml_loss_name(sp->params.loss), sp->batch.M, sp->batch.C, sp->batch.D,
           dml_isa_name(r->isa), r->threads, fused_name(r, "n/a"), (unsigned long long)sp->batch.seed, sp->reps);
    printf("value            %.9g\n", (double)r->loss);
    printf("time per step    min %.3f ms  median %.3f ms  p90 %.3f ms\n", r->total_ns.min / 1e6,
           r->total_ns.median / 1e6, r->total_ns.p90 / 1e6);
    printf("  forward        min %.3f ms  median %.3f ms\n", r->fwd_ns.min / 1e6, r->fwd_ns.median / 1e6);
    printf("  backward       min %.3f ms  median %.3f ms\n", r->bwd_ns.min / 1e6, r->bwd_ns.median / 1e6);
    printf("products         %.2f GFLOP/s (median step)\n",
           (r->fwd_flops + r->bwd_flops) / r->total_ns.median);
    printf("grad_x           mean %.6g  max %.6g\n", g->grad_x_mean, g->grad_x_max);
    int proxies = dml_loss_kind_of(sp->params.loss) == DML_KIND_PROXY;
    if (proxies)
        printf("grad_p           mean %.6g\n", g->grad_p_mean);
    printf("positives        top1_share %.4f  eff_n %.3f  (%zu anchors)\n", g->pos_top1_share,
           g->pos_eff_n, g->pos_anchors);
    printf("negatives        top1_share %.4f  eff_n %.3f  (%zu anchors)\n", g->neg_top1_share,
           g->neg_eff_n, g->neg_anchors);
    if (proxies)
        printf("proxy positives  top1_share %.4f  eff_n %.3f\n", g->proxy_pos_top1_share,
               g->proxy_pos_eff_n);
    printf("active_frac      %.4f\n", g->active_frac);
}

/* A loss parameter: its option as the parameter table spells it (point/param_opts.h). */
static int set_param(point_spec *sp, const char *opt, const char *val)
{
    char err[256];
    int r = param_option_set(&sp->params, opt, val, err, sizeof err);
    if (r == 1) return die("run: --%s", err);
    if (r == 2) return die("run: %s", err);
    return 0;
}

/* One "--name value" option; 0, or the exit status after a message. */
static int set_option(point_spec *sp, const char *opt, const char *val)
{
    const char *name = opt + 2;
    long iv = 0;
    int bad = 0;
    if (!strcmp(name, "loss")) return 0;
    else if (!strcmp(name, "M")) bad = parse_size(val, &sp->batch.M);
    else if (!strcmp(name, "C")) bad = parse_size(val, &sp->batch.C);
    else if (!strcmp(name, "D")) bad = parse_size(val, &sp->batch.D);
    else if (!strcmp(name, "per-class")) bad = parse_size(val, &sp->batch.per_class);
    else if (!strcmp(name, "noise")) bad = parse_float(val, &sp->batch.noise) || sp->batch.noise < 0;
    else if (!strcmp(name, "proxy-noise")) bad = parse_float(val, &sp->batch.proxy_noise) || sp->batch.proxy_noise < 0;
    else if (!strcmp(name, "seed")) bad = parse_u64(val, &sp->batch.seed);
    else if (!strcmp(name, "reps")) { bad = parse_int(val, 1, 1000000, &iv); sp->reps = (int)iv; }
    else if (!strcmp(name, "warmup")) { bad = parse_int(val, 0, 1000000, &iv); sp->warmup = (int)iv; }
    else if (!strcmp(name, "threads")) { bad = parse_int(val, 1, 1024, &iv); sp->threads = (int)iv; }
    /* unset: fused, as every new context, unless DML_FUSED=0; the output says what ran */
    else if (!strcmp(name, "fused")) { bad = parse_int(val, 0, 1, &iv); sp->fused = (int)iv; }
    else if (!strcmp(name, "isa")) {
        if (dml_isa_parse(val, &sp->isa) != DML_OK)
            return die("run: %s", dml_last_error());
    } else
        return set_param(sp, opt, val);
    return bad ? die("run: %s: bad value '%s'", opt, val) : 0;
}

int cmd_run(int argc, char **argv)
{
    const char *loss_name = NULL;
    int json = 0;
    /* First pass: the loss, since it decides the parameter defaults (and
     * --help, which needs no loss). */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { cmd_run_usage(stdout); return 0; }
        if (!strcmp(argv[i], "--loss") && i + 1 < argc)
            loss_name = argv[i + 1];
    }
    if (!loss_name) {
        cmd_run_usage(stderr);
        return die("run: --loss is required");
    }
    dml_loss loss;
    if (dml_loss_parse(loss_name, &loss) != DML_OK)
        return die("run: %s", dml_last_error());
    point_spec sp;
    point_spec_default(&sp, loss);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--json")) { json = 1; continue; }
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) { cmd_run_usage(stdout); return 0; }
        if (strncmp(opt, "--", 2) != 0)
            return die("run: unexpected argument '%s'", opt);
        if (i + 1 >= argc)
            return die("run: %s needs a value", opt);
        int rc = set_option(&sp, opt, argv[++i]);
        if (rc) return rc;
    }
    if (sp.isa != DML_ISA_AUTO && !dml_isa_supported(sp.isa))
        return die("run: --isa %s: not available on this machine or build", dml_isa_name(sp.isa));
    point_result res;
    char err[256];
    if (point_run(&sp, &res, err, sizeof err))
        return die("run: %s", err);
    if (json)
        print_json(&sp, &res);
    else
        print_text(&sp, &res);
    return 0;
}
