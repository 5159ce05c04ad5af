# written by dmlbench sweep: the label of every figure drawn from threads
META = "AMD EPYC, 2 cores, L2 1024 KiB/core | isa avx512 | commit 333ec77807+dirty | 2026-12-01"
