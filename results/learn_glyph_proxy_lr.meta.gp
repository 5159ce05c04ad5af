# written by dmlbench merge: the label of every figure drawn from learn_glyph_proxy_lr
META = "Intel(R) Xeon(R) Processor, 2 cores, L2 2048 KiB/core | isa avx512 | commit af2d0d35c1 | 2026-12-06"
