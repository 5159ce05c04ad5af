# written by dmlbench bench --roofline: the label of the roofline figure
META = "Intel(R) Xeon(R) Processor, 2 cores | isa avx512bf16 | triad 3 x 1200 MiB | commit be26dc0c7c | 2026-12-06T18:16:27Z"
