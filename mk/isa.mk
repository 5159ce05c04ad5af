# isa.mk — which ISAs this architecture builds, and every per-ISA flag (one place).

# The kernels this architecture can build.
ifeq ($(ARCH),x86_64)
  KERNEL_ISAS := ref avx2 avx512
else ifeq ($(ARCH),aarch64)
  KERNEL_ISAS := ref neon
else
  KERNEL_ISAS := ref
endif
# An ISA is in the build when all of its kernel files exist.
ISA_OK = $(and $(wildcard kernels/cosine/cosine_$(1).c),$(wildcard kernels/lse/lse_$(1).c))
BUILT_ISAS  := ref $(foreach i,$(filter-out ref,$(KERNEL_ISAS)),$(if $(call ISA_OK,$(i)),$(i)))
# The dispatcher fills one table per ISA built (kernels/cpu/dispatch.c).
DISPATCH_DEFS := '-DDML_BUILT_ISAS(X)=$(foreach i,$(BUILT_ISAS),X($(i)))'

# Per-ISA flags, by file-name suffix (BLIS make_defs style): kernels/*_<isa>.c
# and the bench's FMA-peak probes harness/bench/peak_<isa>.c.  The reference
# stays scalar (no auto-vectorisation, no FMA contraction), so "ref" is what
# its source says.
REFFLAGS_gcc   := -fno-tree-vectorize -fno-tree-slp-vectorize
REFFLAGS_clang := -fno-vectorize -fno-slp-vectorize
CC_KIND := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),clang,gcc)
$(BUILD)/%_ref.o:    ISAFLAGS = $(REFFLAGS_$(CC_KIND))
$(BUILD)/%_avx2.o:   ISAFLAGS = -mavx2 -mfma
$(BUILD)/%_avx512.o: ISAFLAGS = -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
$(BUILD)/%_neon.o:   ISAFLAGS =
