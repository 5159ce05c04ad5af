/* roofline.h — `dmlbench bench --roofline`: the FP32 FMA peak and the memory
 * bandwidth (triad) measured in one run, and every proxy step and kernel at
 * C = 10² … 10⁶ placed by its arithmetic intensity, into a CSV that
 * plots/roofline.gp draws (docs/bench.md, "The roofline"). */
#ifndef DML_BENCH_ROOFLINE_H
#define DML_BENCH_ROOFLINE_H

typedef struct roofline_opts {
    int quick;         /* C up to 10⁵, fewer samples */
    const char *out;   /* the CSV (a .meta.gp is written beside it) */
} roofline_opts;

/* 0, or the exit status after a message. */
int bench_roofline(const roofline_opts *o);

#endif
