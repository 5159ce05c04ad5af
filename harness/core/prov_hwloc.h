/* prov_hwloc.h — private to core/: what prov.c asks of hwloc.  Built
 * without hwloc (DML_HAVE_HWLOC unset) each says "nothing". */
#ifndef DML_CORE_PROV_HWLOC_H
#define DML_CORE_PROV_HWLOC_H

#include <stdio.h>

#include "core/prov.h"

int prov_hwloc_model(char *out, size_t len);  /* 0 when hwloc names the CPU */
void prov_hwloc_topology(prov *p);            /* version, counts, caches */
int prov_hwloc_ncores(void);                  /* 0 when unknown */
void prov_hwloc_print_binding(FILE *f, int cores);

#endif
