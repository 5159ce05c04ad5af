# written by dmlbench sweep: the label of every figure drawn from isa
META = "AMD EPYC, 2 cores, L2 1024 KiB/core | isa ref+avx2+avx512 | commit 5f6253472a | 2026-12-01"
