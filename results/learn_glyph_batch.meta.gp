# written by dmlbench merge: the label of every figure drawn from learn_glyph_batch
META = "Intel(R) Xeon(R) Processor, 2 cores, L2 2048 KiB/core | isa avx512 | commit f5ad6f97a3 | 2026-12-06"
