/* bench.c — `dmlbench bench` (in progress). */
#include "bench.h"
#include "harness.h"

int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return die("bench: not implemented yet");
}
