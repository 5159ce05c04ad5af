# written by dmlbench sweep: the label of every figure drawn from learn_glyph_tune
META = "Intel(R) Xeon(R) Processor, 2 cores, L2 2048 KiB/core | isa avx512 | commit d7253c4834+dirty | 2026-12-06"
