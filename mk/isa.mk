# isa.mk — which ISAs this architecture builds, and every per-ISA flag (one place).

# The kernels this architecture can build.
ifeq ($(ARCH),x86_64)
  KERNEL_ISAS := ref avx2 avx512
else ifeq ($(ARCH),aarch64)
  KERNEL_ISAS := ref neon
else
  KERNEL_ISAS := ref
endif

# ---- which ISAs a build holds, and which file serves each kernel family
# Each row of DML_ISA_ROWS (kernels/include/dml_kernels.h) names its parent,
# read from there so the rows stay the one list.  A kernel family (cosine: the
# GEMM and normalisation; lse: the LSE and exp) of ISA i is served by
# kernels/<family>/<family>_<i>.c, else by its parent's provider (bf16: the
# bf16 proxies' normalisation and product).  An ISA is in
# the build when it is one of this architecture's (KERNEL_ISAS, or a child of
# one), brings at least one file of its own, every family has a provider, and
# its parent is in the build too (docs/extending.md, "Add an ISA").
KERNEL_FAMILIES := cosine lse bf16
ISA_PARENTS := ${shell sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\),[^,]*,[[:space:]]*\([a-z0-9_]*\),.*/\1:\2/p' \
                 kernels/include/dml_kernels.h}
ISA_NAMES    := $(foreach r,$(ISA_PARENTS),$(firstword $(subst :, ,$(r))))
ISA_PARENT   = $(filter-out none,$(patsubst $(1):%,%,$(filter $(1):%,$(ISA_PARENTS))))
ISA_OWN      = $(wildcard kernels/$(1)/$(1)_$(2).c)
ISA_PROVIDER = $(if $(call ISA_OWN,$(1),$(2)),$(2),$(if $(call ISA_PARENT,$(2)),$(call ISA_PROVIDER,$(1),$(call ISA_PARENT,$(2)))))
ISA_HERE     = $(or $(filter $(1),$(KERNEL_ISAS)),$(if $(call ISA_PARENT,$(1)),$(call ISA_HERE,$(call ISA_PARENT,$(1)))))
ISA_OK = $(and $(call ISA_HERE,$(1)),$(strip $(foreach f,$(KERNEL_FAMILIES),$(call ISA_OWN,$(f),$(1)))), \
               $(if $(strip $(foreach f,$(KERNEL_FAMILIES),$(if $(call ISA_PROVIDER,$(f),$(1)),,x))),,ok), \
               $(if $(call ISA_PARENT,$(1)),$(call ISA_OK,$(call ISA_PARENT,$(1))),ok))
BUILT_ISAS  := ref $(foreach i,$(filter-out ref,$(ISA_NAMES)),$(if $(call ISA_OK,$(i)),$(i)))
# The dispatcher fills one table per ISA built, each family from its provider
# (kernels/cpu/dispatch.c): X(isa, cosine provider, lse provider, bf16 provider).
DISPATCH_DEFS := '-DDML_BUILT_ISAS(X)=$(foreach i,$(BUILT_ISAS),X($(i),$(call ISA_PROVIDER,cosine,$(i)),$(call ISA_PROVIDER,lse,$(i)),$(call ISA_PROVIDER,bf16,$(i))))'
# The kernel files of the ISAs built, each once.
ISA_KERNEL_SRCS := $(foreach i,$(BUILT_ISAS),$(foreach f,$(KERNEL_FAMILIES),$(call ISA_OWN,$(f),$(i))))

# Per-ISA flags, one line a row, by file-name suffix (BLIS make_defs style):
# kernels/*_<isa>.c and the bench's FMA-peak probes harness/bench/peak_<isa>.c
# get ISAFLAGS_<isa>.  A row without a line of its own gets its parent's (a
# child that needs more says so: ISAFLAGS_<child> = $(ISAFLAGS_<parent>) -m...).
# The reference stays scalar (no auto-vectorisation, no FMA contraction), so
# "ref" is what its source says.
REFFLAGS_gcc   := -fno-tree-vectorize -fno-tree-slp-vectorize
REFFLAGS_clang := -fno-vectorize -fno-slp-vectorize
CC_KIND := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),clang,gcc)
ISAFLAGS_ref    = $(REFFLAGS_$(CC_KIND))
ISAFLAGS_avx2   = -mavx2 -mfma
ISAFLAGS_avx512 = -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
ISAFLAGS_neon   =
ISAFLAGS_avx512bf16 = $(ISAFLAGS_avx512) -mavx512bf16
ISA_FLAGS = $(if $(filter undefined,$(origin ISAFLAGS_$(1))),$(if $(call ISA_PARENT,$(1)),$(call ISA_FLAGS,$(call ISA_PARENT,$(1)))),$(ISAFLAGS_$(1)))
$(foreach i,$(ISA_NAMES),$(eval $$(BUILD)/%_$(i).o: ISAFLAGS = $$(call ISA_FLAGS,$(i))))
