# written by dmlbench bench --roofline: the label of the roofline figure
META = "Intel(R) Xeon(R) Processor, 2 cores | isa avx512bf16 | triad 3 x 1200 MiB | commit 721eeb42b6 | 2026-12-06T14:48:35Z"
