/* peak_ref.c — the scalar reference has no FMA peak to measure: its kernels
 * are compiled without FMA contraction or vectorisation, so the table's
 * "%peak" is relative to the vector probes only.  It does no work. */
#include "bench/peak.h"

double dml_peak_fma_ref(uint64_t iters) { (void)iters; return 0; }
