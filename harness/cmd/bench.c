/* bench.c — `dmlbench bench [--json] [--quick] [--products] [--isa I] [--rounds N]`:
 * options, then bench_main (bench/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dml.h"

#include "bench/bench.h"
#include "bench/roofline.h"
#include "cmd/cmd.h"
#include "core/error.h"

static const char bench_usage[] =
    "usage: dmlbench bench [--json] [--quick] [--products] [--isa ISA] [--rounds N] [--precision bf16] [--scaling]\n"
    "       dmlbench bench --roofline [--quick] [--out FILE]\n"
    "  every kernel x every ISA here on the paper's shapes (M=180; C=100,1000,11318;\n"
    "  D=64,512,1024; the products also D=128), one thread; --quick: C=1000, D=512 only;\n"
    "  --products: the three GEMM products alone (no other kernel, no step); --isa: that\n"
    "  ISA alone among ours; --rounds: interleaved rounds a shape; --json: JSON on stdout\n"
    "  --precision bf16: only the fused proxy steps with P in fp32 and in bf16, interleaved\n"
    "  (C=1e5,1e6; M=32,180; D=128; docs/scale.md)\n"
    "  --scaling: only the fused proxy steps on one thread against two (C=11318; two\n"
    "  cores needed), with whether the machine was idle meanwhile\n"
    "  OpenBLAS (libopenblas.so.0, or DML_OPENBLAS=name|path) is dlopen'ed as a yardstick\n"
    "  --roofline: the FMA peak and the triad bandwidth (1 thread, all) and the proxy\n"
    "  steps at M=180, D=128, C=1e2..1e6 (--quick: ..1e5) by arithmetic intensity,\n"
    "  into FILE (default results/roofline.csv) and FILE's .meta.gp (docs/bench.md)\n";

void cmd_bench_usage(FILE *f) { fputs(bench_usage, f); }

int cmd_bench(int argc, char **argv)
{
    bench_opts o = { .isa = -1 };
    roofline_opts ro = { .out = "results/roofline.csv" };
    int roofline = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) o.json = 1;
        else if (!strcmp(argv[i], "--quick")) o.quick = ro.quick = 1;
        else if (!strcmp(argv[i], "--roofline")) roofline = 1;
        else if (!strcmp(argv[i], "--precision")) {
            dml_precision p;
            if (i + 1 >= argc) return die("bench: --precision needs fp32|bf16");
            if (dml_precision_parse(argv[++i], &p) != DML_OK) return die("bench: --precision: %s", dml_last_error());
            if (p != DML_PRECISION_BF16)
                return die("bench: --precision %s: the steps compare fp32 with bf16; say bf16", argv[i]);
            o.precision = 1;
        } else if (!strcmp(argv[i], "--products")) o.products = 1;
        else if (!strcmp(argv[i], "--scaling")) o.scaling = 1;
        else if (!strcmp(argv[i], "--isa")) {
            dml_isa isa;
            if (i + 1 >= argc || dml_isa_parse(argv[i + 1], &isa) != DML_OK || isa == DML_ISA_AUTO)
                return die("bench: --isa needs an ISA name (ref, avx2, avx512, neon, ...), got '%s'",
                           i + 1 < argc ? argv[i + 1] : "");
            if (!dml_isa_supported(isa)) return die("bench: --isa %s: not supported on this CPU", argv[i + 1]);
            o.isa = (int)isa, i++;
        } else if (!strcmp(argv[i], "--rounds")) {
            char *end = NULL;
            long r = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (!end || *end || r < 1 || r > 1000)
                return die("bench: --rounds needs a whole number 1..1000, got '%s'", i + 1 < argc ? argv[i + 1] : "");
            o.rounds = (int)r, i++;
        }
        else if (!strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) return die("bench: --out needs a file name");
            ro.out = argv[++i];
        }
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(bench_usage, stdout);
            return 0;
        } else
            return die("bench: unknown argument '%s' (dmlbench bench --help)", argv[i]);
    }
    if (roofline && (o.products || o.isa >= 0 || o.rounds || o.precision))
        return die("bench: --products, --isa, --rounds and --precision belong to the kernel table, not --roofline (which has its bf16 points)");
    if (o.precision + o.products + o.scaling > 1)
        return die("bench: --precision bf16, --products and --scaling each choose what to time: one of them");
    if (roofline && o.scaling)
        return die("bench: --scaling belongs to the kernel table, not --roofline");
    if (roofline && o.json) return die("bench: --roofline writes a CSV (--out), not --json");
    if (!roofline && strcmp(ro.out, "results/roofline.csv"))
        return die("bench: --out belongs to --roofline");
    return roofline ? bench_roofline(&ro) : bench_main(&o);
}
