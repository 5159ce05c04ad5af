# written by dmlbench bench --roofline: the label of the roofline figure
META = "Intel(R) Xeon(R) Processor, 2 cores | isa avx512 | triad 3 x 1200 MiB | commit ec14b54b16 | 2026-12-06T09:00:47Z"
