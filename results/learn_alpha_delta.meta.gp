# written by dmlbench merge: the label of every figure drawn from learn_alpha_delta
META = "AMD EPYC, 2 cores, L2 1024 KiB/core | isa avx512 | commit 0551728a0d | 2026-12-01"
