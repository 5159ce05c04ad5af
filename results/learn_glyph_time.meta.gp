# written by dmlbench merge: the label of every figure drawn from learn_glyph_time
META = "Intel(R) Xeon(R) Processor, 2 cores, L2 2048 KiB/core | isa avx512 | commit e222b6852f | 2026-12-06"
