# cross.mk — the kernels on CPUs this machine is not: NEON (AArch64, cross-built,
# run under qemu-aarch64) and AVX2 alone (qemu's Haswell model, no AVX-512).
# Both run the shared checks through check_driver (Criterion's runner hangs
# under qemu-user) and every golden case.  Why the cross build has no hwloc
# and links dynamically: docs/testing.md.  qemu-user ignores SIGTERM, so every
# qemu run is under timeout -s KILL: the limits are for a hang, set well above
# a loaded machine's time (the reference GEMM checks took 11 min at load 20).

.PHONY: neon neon-driver test-neon test-haswell
NEON_CC      ?= aarch64-linux-gnu-gcc
NEON_BUILD   := build-aarch64
QEMU_AARCH64 ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
NEON_CHECKS_TIMEOUT ?= 900
NEON_GOLDEN_TIMEOUT ?= 300
# hwloc, zlib and FreeType forced off: the host's pkg-config would hand x86 libraries to the arm64 link.
NEON_MAKE = $(MAKE) --no-print-directory CC=$(NEON_CC) BUILD=$(NEON_BUILD) \
            HWLOC_CFLAGS= HWLOC_LIBS= ZLIB_LIBS= FT_CFLAGS= FT_LIBS=

neon: deps-neon ## cross-build build-aarch64/libdml.a and build-aarch64/dmlbench
	@test -f kernels/cosine/cosine_neon.c -a -f kernels/lse/lse_neon.c || { \
	  echo "make neon: kernels/cosine/cosine_neon.c and kernels/lse/lse_neon.c are both needed for the NEON kernels" >&2; exit 1; }
	@$(NEON_MAKE) all

neon-driver: neon ## cross-build build-aarch64/check_driver (the shared checks without Criterion)
	@test -f tests/checks/check_cosine.c -a -f tests/checks/check_lse.c -a -f tests/checks/check_fused.c || { \
	  echo "make test-neon: tests/checks/check_cosine.c, tests/checks/check_lse.c and tests/checks/check_fused.c (dml_cosine_checks[], dml_lse_checks[], dml_loss_checks[]) are needed by tests/checks/check_driver.c" >&2; exit 1; }
	@$(NEON_MAKE) $(NEON_BUILD)/check_driver

test-neon: deps-neon ## under qemu-aarch64: every shared kernel check (ref, neon) and every golden case with --isa neon
	@$(MAKE) --no-print-directory neon-driver
	timeout -s KILL $(NEON_CHECKS_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/check_driver neon
	DML_FUSED=1 timeout -s KILL $(NEON_GOLDEN_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/dmlbench golden --isa neon tests/golden/*.txt tests/golden/retrieval/*.txt
	DML_FUSED=0 timeout -s KILL $(NEON_GOLDEN_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/dmlbench golden --isa neon tests/golden/*.txt

QEMU_HASWELL ?= qemu-x86_64 -cpu Haswell
HASWELL_TIMEOUT ?= 1200
test-haswell: deps-neon ## under qemu's Haswell model: avx512 and avx512bf16 not offered, every check and golden case with --isa avx2
	@$(MAKE) --no-print-directory all $(BUILD)/check_driver
	@isas=$$($(QEMU_HASWELL) $(BUILD)/dmlbench info --isas); echo "under $(QEMU_HASWELL): runnable ISAs: $$isas"; \
	  case " $$isas " in *" avx512 "*|*" avx512bf16 "*) echo "test-haswell: avx512 or avx512bf16 detected on a Haswell model" >&2; exit 1;; \
	    *" avx2 "*) ;; *) echo "test-haswell: avx2 not detected on a Haswell model" >&2; exit 1;; esac
	@# The native Criterion run sweeps exp every 97th bit pattern; under emulation
	@# every 997th (as on aarch64) keeps this step near a minute.  --only: the
	@# reference is the x86-64 code `make test` checked natively.
	DML_CHECK_EXP_STRIDE=997 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/check_driver --only avx2
	DML_FUSED=1 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/dmlbench golden --isa avx2 tests/golden/*.txt tests/golden/retrieval/*.txt
	DML_FUSED=0 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/dmlbench golden --isa avx2 tests/golden/*.txt
