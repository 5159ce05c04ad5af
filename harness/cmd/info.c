/* info.c — `dmlbench info [--isas | --losses]`: what the CPU supports, what
 * this build contains, and what is in use; or, for scripts, the ISAs this
 * machine runs, or the table of losses (name and title). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/prov.h"

void cmd_info_usage(FILE *f)
{
    fputs("usage: dmlbench info [--isas | --losses]\n"
          "  the instruction sets detected, compiled and in use, and the machine;\n"
          "  --isas: only the ISAs this machine runs, space separated (for scripts)\n"
          "  --losses: the table of losses, a line each: name, a tab, its title (for scripts)\n", f);
}

int cmd_info(int argc, char **argv)
{
    int only_isas = argc > 0 && !strcmp(argv[0], "--isas");
    int losses = argc > 0 && !strcmp(argv[0], "--losses");
    if (argc > (only_isas || losses ? 1 : 0))
        return die("info: unknown argument '%s' (dmlbench info --help)", argv[argc - 1]);
    if (losses) { /* the display names, so that no script lists them (scripts/results/lib.awk) */
        for (int l = 0; l < DML_LOSS_COUNT; l++)
            printf("%s\t%s\n", dml_loss_name((dml_loss)l), dml_loss_title((dml_loss)l));
        return 0;
    }
    if (only_isas) { /* the ISAs this machine can run, for scripts */
        const char *sep = "";
        for (int i = 0; i < DML_ISA_COUNT; i++)
            if (dml_isa_supported((dml_isa)i)) {
                printf("%s%s", sep, dml_isa_name((dml_isa)i));
                sep = " ";
            }
        printf("\n");
        return 0;
    }
    printf("%-8s %-9s %-9s\n", "isa", "compiled", "runnable");
    for (int i = 0; i < DML_ISA_COUNT; i++)
        printf("%-8s %-9s %-9s\n", dml_isa_name((dml_isa)i),
               dml_isa_compiled((dml_isa)i) ? "yes" : "no",
               dml_isa_supported((dml_isa)i) ? "yes" : "no");
    printf("best     %s\n", dml_isa_name(dml_isa_best()));
    dml_status st = dml_isa_init();
    if (st != DML_OK)
        return die("info: %s", dml_last_error());
    printf("in use   %s%s\n", dml_isa_name(dml_isa_default()),
           getenv("DML_ISA") ? " (from DML_ISA)" : "");
    printf("\n");
    prov_print_topology(stdout);
    return 0;
}
