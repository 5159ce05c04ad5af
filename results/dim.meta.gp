# written by dmlbench sweep: the label of every figure drawn from dim
META = "Intel(R) Xeon(R) Processor, 2 cores, L2 2048 KiB/core | isa avx512 | commit cce4f384de+dirty | 2026-11-29"
