/* bench.h — `dmlbench bench`: throughput of every kernel on the loss shapes
 * of the paper, every ISA here, one thread, against the FMA peak and
 * OpenBLAS; and Proxy-Anchor's step against its products alone. */
#ifndef DML_BENCH_BENCH_H
#define DML_BENCH_BENCH_H

/* precision: 1 measures only the steps that compare fp32 with bf16 P
 * (`bench --precision bf16`; docs/scale.md, "bf16 proxies"). */
typedef struct bench_opts { int json, quick, precision; } bench_opts;

/* Measures and prints (text, or JSON on stdout); returns the exit status. */
int bench_main(const bench_opts *o);

#endif
