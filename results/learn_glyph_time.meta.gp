# written by dmlbench merge: the label of every figure drawn from learn_glyph_time
META = "Intel(R) Xeon(R) Processor, 1 cores, L2 2048 KiB/core | isa avx512bf16 | commit be26dc0c7c | 2026-12-06"
