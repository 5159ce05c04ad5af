/* bench.h — `dmlbench bench`: throughput of every kernel on the loss shapes
 * of the paper, every ISA here, one thread, against the FMA peak and
 * OpenBLAS; and Proxy-Anchor's step against its products alone. */
#ifndef DML_BENCH_BENCH_H
#define DML_BENCH_BENCH_H

typedef struct bench_opts {
    int json, quick;
    int precision; /* 1: only the steps that compare fp32 with bf16 P (`bench --precision bf16`; docs/scale.md) */
    int scaling;   /* 1: only the steps on one thread against two (`bench --scaling`) */
    int products;  /* the three GEMM products alone (S, dX, dP), no other kernel nor step */
    int isa;       /* >= 0: this dml_isa alone among our contenders (OpenBLAS stays) */
    int rounds;    /* > 0: interleaved rounds per shape instead of the default */
} bench_opts;

/* Measures and prints (text, or JSON on stdout); returns the exit status. */
int bench_main(const bench_opts *o);

#endif
