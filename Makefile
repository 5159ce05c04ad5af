# dmlbench — one GNU make file.
#
#   make              build/libdml.a and build/dmlbench
#   make test         install what is missing, build, run the Criterion suite and every golden case
#   make sweep        install what is missing, rerun every study, redraw every figure
#   make CC=clang     the same with clang
#
# Flags: kernels for one ISA get that ISA's flags, and only they do (pattern
# rules below); the dispatcher, the losses and the harness are built for the
# baseline architecture, so the binary runs anywhere and picks its kernels at
# run time.  No -ffast-math anywhere: masked LSE needs its inf/NaN guards.

CC       ?= gcc
BUILD    ?= build
ARCH     := $(shell $(CC) -dumpmachine | cut -d- -f1)
OPT      ?= -O2
CSTD     := -std=c17
WARN     := -Wall -Wextra
CFLAGS_BASE := $(CSTD) $(OPT) -g $(WARN) -fopenmp -ffp-contract=off -fno-fast-math \
               -Ikernels/include -Ikernels/cpu -Ikernels/losses -D_GNU_SOURCE
LDLIBS_BASE := -fopenmp -lm -lpthread

# Which ISA kernels this architecture builds.
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
ISA_DEFS    := $(foreach i,$(filter-out ref,$(BUILT_ISAS)),-DDML_WITH_$(shell echo $(i) | tr a-z A-Z))

KERNEL_SRCS := $(foreach i,$(BUILT_ISAS),kernels/cosine/cosine_$(i).c kernels/lse/lse_$(i).c) \
               kernels/cpu/cpu.c kernels/cpu/dispatch.c $(wildcard kernels/losses/*.c)
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/%.o)

HARNESS_SRCS := $(wildcard harness/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/%.o)

# Per-ISA flags (BLIS make_defs style).  The reference stays scalar: no
# auto-vectorisation, no FMA contraction, so "ref" is what its source says.
REFFLAGS_gcc   := -fno-tree-vectorize -fno-tree-slp-vectorize
REFFLAGS_clang := -fno-vectorize -fno-slp-vectorize
CC_KIND := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),clang,gcc)
$(BUILD)/%_ref.o:    ISAFLAGS = $(REFFLAGS_$(CC_KIND))
$(BUILD)/%_avx2.o:   ISAFLAGS = -mavx2 -mfma
$(BUILD)/%_avx512.o: ISAFLAGS = -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
$(BUILD)/%_neon.o:   ISAFLAGS =

# hwloc (topology, thread binding) is used by the harness when pkg-config finds it.
HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS   := $(shell pkg-config --libs hwloc 2>/dev/null)
ifneq ($(HWLOC_LIBS),)
  HARNESS_DEFS := -DDML_HAVE_HWLOC $(HWLOC_CFLAGS)
endif

CFLAGS_ALL = $(CFLAGS_BASE) $(ISA_DEFS) $(EXTRA_CFLAGS)

.PHONY: all lib test check-golden sweep deps deps-test deps-sweep clean info
all: $(BUILD)/libdml.a $(BUILD)/dmlbench

lib: $(BUILD)/libdml.a

$(BUILD)/libdml.a: $(KERNEL_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/kernels/%.o: kernels/%.c $(wildcard kernels/include/*.h kernels/cpu/*.h kernels/losses/*.h) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(ISAFLAGS) -c $< -o $@

$(BUILD)/harness/%.o: harness/%.c $(wildcard harness/*.h kernels/include/*.h) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(HARNESS_DEFS) -DDML_BUILD_FLAGS='"$(CFLAGS_ALL)"' -c $< -o $@

$(BUILD)/dmlbench: $(HARNESS_OBJS) $(BUILD)/libdml.a
	$(CC) -o $@ $(HARNESS_OBJS) $(BUILD)/libdml.a $(LDLIBS_BASE) $(HWLOC_LIBS)

# Rebuild everything when the compiler or flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' > $@
FORCE:

# ------------------------------------------------------------------ tests
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_COMMON := $(filter-out tests/test_%.c tests/%_driver.c,$(wildcard tests/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o) $(TEST_COMMON:%.c=$(BUILD)/%.o)

$(BUILD)/tests/%.o: tests/%.c $(wildcard tests/*.h kernels/include/*.h) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests -Iharness -DDML_TEST_DIR='"tests"' -c $< -o $@

# The tests reuse the harness's golden reader and batch generator.
TEST_HARNESS_OBJS := $(addprefix $(BUILD)/harness/,golden_case.o point.o batch.o util.o)
$(BUILD)/test_dml: $(TEST_OBJS) $(TEST_HARNESS_OBJS) $(BUILD)/libdml.a
	$(CC) -o $@ $(TEST_OBJS) $(TEST_HARNESS_OBJS) $(BUILD)/libdml.a -lcriterion $(LDLIBS_BASE)

test: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/test_dml
	$(BUILD)/test_dml --jobs 2
	@$(MAKE) --no-print-directory check-golden

# Every golden case with every ISA this machine runs.
check-golden: all
	@for isa in $$($(BUILD)/dmlbench info --isas); do \
	  $(BUILD)/dmlbench golden --isa $$isa tests/golden/*.txt || exit 1; \
	done

# -------------------------------------------------------------- packages
# Installs only what is missing, and says what it does (harness/deps.sh).
deps-test:
	@sh harness/deps.sh test
deps-sweep:
	@sh harness/deps.sh sweep
deps: deps-test deps-sweep

clean:
	rm -rf $(BUILD) build-aarch64
