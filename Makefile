# dmlbench — one GNU make file.
#
#   make              build/libdml.a and build/dmlbench
#   make test         install what is missing, build, run the Criterion suite, the learning
#                     studies' sweep test (tests/learn_test.sh) and every golden case
#   make sweep        install what is missing, rerun every study, redraw every figure
#   make CC=clang     the same with clang
#
# Flags: kernels for one ISA get that ISA's flags, and only they do (pattern
# rules below); the dispatcher, the losses and the harness are built for the
# baseline architecture, so the binary runs anywhere and picks its kernels at
# run time.  No -ffast-math anywhere: masked LSE needs its inf/NaN guards.

CC       ?= gcc
# SAN=address,undefined: the same build with those sanitizers (and no recovery:
# the first finding ends the program), in its own directory (make test-san).
SAN      ?=
BUILD    ?= $(if $(SAN),build-san,build)
ARCH     := $(shell $(CC) -dumpmachine | cut -d- -f1)
OPT      ?= -O2
CSTD     := -std=c17
WARN     := -Wall -Wextra
CFLAGS_BASE := $(CSTD) $(OPT) -g $(WARN) -fopenmp -ffp-contract=off -fno-fast-math \
               -Ikernels/include -D_GNU_SOURCE
# The library's private headers are seen by the library alone.
KERNEL_INC  := -Ikernels/common -Ikernels/cpu -Ikernels/losses
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
# The dispatcher fills one table per ISA built (kernels/cpu/dispatch.c).
DISPATCH_DEFS := '-DDML_BUILT_ISAS(X)=$(foreach i,$(BUILT_ISAS),X($(i)))'

KERNEL_SRCS := $(foreach i,$(BUILT_ISAS),kernels/cosine/cosine_$(i).c kernels/lse/lse_$(i).c) \
               kernels/cpu/cpu.c kernels/cpu/dispatch.c $(wildcard kernels/common/*.c) \
               $(wildcard kernels/losses/*.c)
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/%.o)

# The harness: main.c and every .c of its rooms (harness/<room>/*.c); the
# counting driver (harness/bench/count/) is a program of its own.  Each
# includes by room ("core/timing.h", "point/point.h"), hence -Iharness, kept
# out of CFLAGS_ALL: include paths are not the flags a result records.
HARNESS_SRCS := $(wildcard harness/*.c harness/*/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/%.o)
HARNESS_INC  := -Iharness

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
# zlib reads the gzip IDX files of `dmlbench train`; without it (the AArch64
# cross build, which has no arm64 zlib) only unpacked IDX files are read.
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null)
ifneq ($(ZLIB_LIBS),)
  HARNESS_DEFS += -DDML_HAVE_ZLIB
endif

SAN_FLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer)
CFLAGS_ALL = $(CFLAGS_BASE) $(SAN_FLAGS) $(EXTRA_CFLAGS)
# Link flags: EXTRA_LDFLAGS reaches every link (a sanitizer build needs its runtime).
LDFLAGS_ALL = $(SAN_FLAGS) $(EXTRA_LDFLAGS)
# Every object also depends on the headers it actually includes (the .d files
# are read at the end of this Makefile).  Kept out of CFLAGS_ALL, which
# results record as "the flags".
DEPFLAGS := -MMD -MP

.PHONY: all lib test check-golden sweep deps deps-test deps-sweep deps-train clean info
all: $(BUILD)/libdml.a $(BUILD)/dmlbench

lib: $(BUILD)/libdml.a

$(BUILD)/libdml.a: $(KERNEL_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/kernels/%.o: kernels/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(KERNEL_INC) $(DEPFLAGS) $(ISAFLAGS) -c $< -o $@

$(BUILD)/harness/%.o: harness/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(HARNESS_INC) $(DEPFLAGS) $(HARNESS_DEFS) -DDML_BUILD_FLAGS='"$(CFLAGS_ALL)"' -c $< -o $@

# The train room's element-wise loops (AdamW's sqrtf) vectorise only without
# errno; -fno-math-errno changes no IEEE result (unlike -ffast-math).
$(BUILD)/harness/train/%.o: HARNESS_DEFS += -fno-math-errno

# zlib: the IDX reader of harness/train/ (gzip and plain files alike).
$(BUILD)/dmlbench: $(HARNESS_OBJS) $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(HARNESS_OBJS) $(BUILD)/libdml.a $(LDLIBS_BASE) $(HWLOC_LIBS) $(ZLIB_LIBS)

# Rebuild everything when the compiler or flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL) $(BUILT_ISAS)' > $@
FORCE:

# ------------------------------------------------------------------ tests
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_COMMON := $(filter-out tests/test_%.c tests/%_driver.c tests/bench_%.c,$(wildcard tests/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o) $(TEST_COMMON:%.c=$(BUILD)/%.o)

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Itests -Iharness -DDML_TEST_DIR='"tests"' -c $< -o $@

# The tests reuse the harness's golden reader (point/), the train room, the
# IDX reader and writer (data/), and
# what they stand on (core/).
TEST_HARNESS_OBJS := $(addprefix $(BUILD)/harness/,point/golden_case.o point/params.o \
                       core/error.o core/parse.o core/rng.o core/text.o core/json.o \
                       core/fileio.o core/stats.o core/timing.o) \
                     $(patsubst %.c,$(BUILD)/%.o,$(wildcard harness/train/*.c harness/data/idx*.c))
$(BUILD)/test_dml: $(TEST_OBJS) $(TEST_HARNESS_OBJS) $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(TEST_HARNESS_OBJS) $(BUILD)/libdml.a -lcriterion $(LDLIBS_BASE) $(ZLIB_LIBS)

test: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/test_dml $(FUZZ_TARGETS:%=$(BUILD)/replay_%)
	$(BUILD)/test_dml --jobs 2
	bash tests/learn_test.sh $(BUILD)/dmlbench
	@$(MAKE) --no-print-directory check-golden fuzz-replay

# Every golden case with every ISA this machine runs, the proxy losses fused
# (the default) and unfused (DML_FUSED=0, read when a context is created).
check-golden: all
	@for isa in $$($(BUILD)/dmlbench info --isas); do \
	  for fused in 1 0; do \
	    echo "golden --isa $$isa, DML_FUSED=$$fused"; \
	    DML_FUSED=$$fused $(BUILD)/dmlbench golden --isa $$isa tests/golden/*.txt tests/golden/retrieval/*.txt || exit 1; \
	  done; \
	done

# -------------------------------------------------------------- packages
# Installs only what is missing, and says what it does (harness/deps.sh).
deps-test:
	@sh harness/deps.sh test
deps-sweep:
	@sh harness/deps.sh sweep
# dmlbench train: Fashion-MNIST (Debian dataset-fashion-mnist) and zlib.
deps-train:
	@sh harness/deps.sh train
deps-clang:
	@sh harness/deps.sh clang
deps: deps-test deps-sweep

clean:
	rm -rf $(BUILD) build-aarch64

# ------------------------------------------------------------------ bench
#   make bench              kernel throughput table, every ISA here, one thread (dmlbench bench)
#   make bench-check        CI regression check against results/baseline/: instruction
#                           counts under callgrind (ref, avx2: valgrind 3.19 cannot run
#                           AVX-512) and interleaved speed ratios SIMD/ref (every ISA)
#   make bench-baseline     rewrite results/baseline/ with its provenance; a change that
#                           makes a kernel slower on purpose commits it alongside
#   make bench-check-proof  a build with one kernel slowed down (DML_SLOWDOWN, a test-only
#                           switch) must fail bench-check and name it; the normal build passes
.PHONY: bench bench-check bench-baseline bench-check-proof bench-counts deps-bench
BENCH_DIR      := $(BUILD)/bench-check
BENCH_BASELINE ?= results/baseline/bench-check.tsv
VALGRIND       ?= valgrind

# The FMA-peak probes (one per ISA, harness/bench/peak_<isa>.c) get their
# ISA's flags (x86 only), like the kernels.
$(BUILD)/harness/bench/peak_%.o: harness/bench/peak_%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(HARNESS_INC) $(DEPFLAGS) $(if $(filter x86_64,$(ARCH)),$(ISAFLAGS)) -c $< -o $@

# Test-only slowdown: DML_SLOWDOWN=<op>_<isa> (e.g. lse_avx2) wraps that entry of the
# dispatch table (kernels/cpu/slowdown.h).  Unset, it changes nothing.
DML_SLOWDOWN ?=
$(BUILD)/kernels/cpu/dispatch.o: ISAFLAGS = $(DISPATCH_DEFS) \
  $(if $(DML_SLOWDOWN),-DDML_TEST_SLOWDOWN=$(DML_SLOWDOWN))
$(BUILD)/kernels/cpu/dispatch.o: $(BUILD)/.slowdown $(wildcard kernels/cpu/slowdown.h)
$(BUILD)/.slowdown: FORCE
	@mkdir -p $(@D)
	@echo '$(DML_SLOWDOWN)' | cmp -s - $@ || echo '$(DML_SLOWDOWN)' > $@

# Instruction counts: a small program outside dmlbench, run under callgrind.
# Linked without debug info: valgrind 3.19 cannot read clang 14's DWARF 5,
# and counting needs none.
$(BUILD)/dmlcount: $(BUILD)/harness/bench/count/dmlcount.o $(BUILD)/harness/bench/check_cases.o \
                   $(BUILD)/harness/point/kcase.o $(BUILD)/harness/point/batch.o \
                   $(BUILD)/harness/core/rng.o $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_BASE) -Wl,--strip-debug

# dmlbench bench dlopen()s OpenBLAS at run time (glibc >= 2.34 has dlopen in libc).
$(BUILD)/dmlbench: LDLIBS_BASE += -ldl

deps-bench:
	@sh harness/deps.sh bench

# BENCH_ARGS=--quick: C = 1000, D = 512 only (a few seconds); --json: JSON on stdout.
BENCH_ARGS ?=
bench: deps-bench all
	$(BUILD)/dmlbench bench $(BENCH_ARGS)

# One callgrind run per ISA that valgrind can execute; dumps land in $(BENCH_DIR).
# Then, for each SIMD one, a second run of the whole proxy steps (dmlcount --steps)
# with the cache simulation on, on a cache fixed here so that every machine
# simulates the same: L1d 48 KiB 12-way, last level 1 MiB 16-way (Zen 4's L2; the
# proxies of the counted steps are 2 MB).  Kept out of the kernel run: it costs
# ~30 s, and the kernel counts stay what they were.  STEP_COUNT_ENV is for the
# proof only (DML_FUSED=0: the fusion undone).
STEP_CACHE_SIM ?= --cache-sim=yes --I1=32768,8,64 --D1=49152,12,64 --LL=1048576,16,64
STEP_COUNT_ENV ?=
bench-counts: deps-bench all $(BUILD)/dmlcount
	@rm -rf $(BENCH_DIR) && mkdir -p $(BENCH_DIR)
	@for isa in $$($(BUILD)/dmlbench info --isas); do \
	  if [ $$isa = avx512 ]; then \
	    echo "bench-check: avx512 instruction counts not measured: valgrind 3.19 cannot run AVX-512 (SIGILL); its speed ratios are checked"; \
	    continue; fi; \
	  echo "bench-check: counting instructions, $$isa (callgrind)"; \
	  $(VALGRIND) -q --tool=callgrind --collect-atstart=no \
	    --callgrind-out-file=$(BENCH_DIR)/callgrind.$$isa.out $(BUILD)/dmlcount --isa $$isa || exit 1; \
	  [ $$isa = ref ] && continue; \
	  echo "bench-check: counting the proxy steps' instructions and LL misses, $$isa (callgrind, simulated cache)"; \
	  $(STEP_COUNT_ENV) $(VALGRIND) -q --tool=callgrind --collect-atstart=no --instr-atstart=no $(STEP_CACHE_SIM) \
	    --callgrind-out-file=$(BENCH_DIR)/callgrind.$$isa.steps.out $(BUILD)/dmlcount --isa $$isa --steps \
	    2>&1 | grep -v 'warning: \(L3 cache found\|specified LL\|simulated LL\)' >&2; \
	  [ -s $(BENCH_DIR)/callgrind.$$isa.steps.out.1 ] || exit 1; \
	done

bench-check: bench-counts
	$(BUILD)/dmlbench bench-check --baseline $(BENCH_BASELINE) --counts $(BENCH_DIR) \
	  --json $(BENCH_DIR)/report.json

bench-baseline: bench-counts
	@mkdir -p $(dir $(BENCH_BASELINE))
	$(BUILD)/dmlbench bench-check --write-baseline $(BENCH_BASELINE) --counts $(BENCH_DIR)

bench-check-proof:
	@sh harness/bench-check-proof.sh

# The proof's slowed-down build goes with the others.
clean: clean-bench
.PHONY: clean-bench
clean-bench:
	rm -rf build-slow

# ------------------------------------------------------------------ triplet algorithms
#   make bench-triplet   step time of the enumerating and the sorted triplet algorithm,
#                        D = 512, 8 classes of M/8, M = 128 … 8192, one thread (a table;
#                        it gates nothing).  BENCH_TRIPLET_ARGS passes options, e.g.
#                        BENCH_TRIPLET_ARGS='--M 256,1024 --threads 2'.
.PHONY: bench-triplet
BENCH_TRIPLET_ARGS ?=
$(BUILD)/bench_triplet: $(BUILD)/tests/bench_triplet.o $(BUILD)/libdml.a
	$(CC) -o $@ $^ $(LDLIBS_BASE)

bench-triplet: $(BUILD)/bench_triplet
	$(BUILD)/bench_triplet $(BENCH_TRIPLET_ARGS)

# ------------------------------------------------------------------ bench-fused
#   make bench-fused   the fused proxy step against the unfused one, the three products
#                      alone and the FMA peak, interleaved in one process (tests/bench_fused.c;
#                      BENCH_FUSED_ARGS="--isa avx512 --threads 1 --c 11318 --rounds 15")
#                      A benchmark, never a test.  x86 only (its peak probes are AVX2/AVX-512).
.PHONY: bench-fused
BENCH_FUSED_ARGS ?=
# The FMA peak probes are the bench's own (harness/bench/peak_<isa>.c, built with their ISA's flags).
BENCH_FUSED_OBJS := $(BUILD)/tests/bench_fused.o $(BUILD)/harness/bench/peak_avx2.o \
                    $(BUILD)/harness/bench/peak_avx512.o
$(BUILD)/bench_fused: $(BENCH_FUSED_OBJS) $(BUILD)/libdml.a
	$(CC) -o $@ $(BENCH_FUSED_OBJS) $(BUILD)/libdml.a $(LDLIBS_BASE)
bench-fused: $(BUILD)/bench_fused
	$(BUILD)/bench_fused $(BENCH_FUSED_ARGS)

# ------------------------------------------------------------------ neon (AArch64, cross + qemu)
#   make neon        build-aarch64/libdml.a and build-aarch64/dmlbench, cross-compiled with
#                    aarch64-linux-gnu-gcc (the same rules as above, run by a recursive make)
#   make test-neon   install what is missing (harness/deps.sh neon), build, then under
#                    qemu-aarch64: every shared kernel check (tests/check_*.c, for ref and
#                    neon) through tests/check_driver.c, and every golden case with --isa neon
#
# The cross build has no hwloc.  hwloc for arm64 would need dpkg --add-architecture arm64,
# an apt update against the arm64 indices and libhwloc-dev:arm64 — a change to the
# machine's package configuration that CI would make on every fresh runner, that
# fails whenever the mirror's arm64 and amd64 versions of a Multi-Arch: same package
# are out of step.  hwloc only adds topology to the provenance and thread binding,
# which mean nothing under qemu-user.  So HWLOC_CFLAGS/HWLOC_LIBS are forced empty
# for the cross build (the host's pkg-config would otherwise hand the x86 -lhwloc
# to the arm64 link), and the harness builds without DML_HAVE_HWLOC.
# The binaries are linked dynamically, like the native build: the aarch64 glibc
# and libgomp come with the cross toolchain (libc6-dev-arm64-cross, and
# libgomp1-arm64-cross, a dependency of gcc-aarch64-linux-gnu) under
# /usr/aarch64-linux-gnu, which qemu's -L points the loader at.  A -static link
# would spare that -L, but dmlbench dlopen()s OpenBLAS for its bench yardstick,
# and dlopen from a static glibc binary only works against the exact glibc it
# was linked with (ld warns about it); dynamic is the robust choice.
# qemu-user ignores SIGTERM, so every qemu run is under timeout -s KILL.
.PHONY: neon test-neon deps-neon neon-driver
NEON_CC      ?= aarch64-linux-gnu-gcc
NEON_BUILD   := build-aarch64
QEMU_AARCH64 ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
NEON_CHECKS_TIMEOUT ?= 240
NEON_GOLDEN_TIMEOUT ?= 120
NEON_MAKE = $(MAKE) --no-print-directory CC=$(NEON_CC) BUILD=$(NEON_BUILD) \
            HWLOC_CFLAGS= HWLOC_LIBS= ZLIB_LIBS=

deps-neon:
	@sh harness/deps.sh neon

neon: deps-neon
	@test -f kernels/cosine/cosine_neon.c -a -f kernels/lse/lse_neon.c || { \
	  echo "make neon: kernels/cosine/cosine_neon.c and kernels/lse/lse_neon.c are both needed for the NEON kernels" >&2; exit 1; }
	@$(NEON_MAKE) all

# The standalone check driver: check_driver.c plus the shared check files
# (TEST_COMMON: tests/*.c that are neither Criterion suites nor drivers).
CHECK_DRIVER_OBJS = $(BUILD)/tests/check_driver.o $(TEST_COMMON:%.c=$(BUILD)/%.o)
$(BUILD)/check_driver: $(CHECK_DRIVER_OBJS) $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHECK_DRIVER_OBJS) $(BUILD)/libdml.a $(LDLIBS_BASE)

neon-driver: neon
	@test -f tests/check_cosine.c -a -f tests/check_lse.c -a -f tests/check_fused.c || { \
	  echo "make test-neon: tests/check_cosine.c, tests/check_lse.c and tests/check_fused.c (dml_cosine_checks[], dml_lse_checks[], dml_loss_checks[]) are needed by tests/check_driver.c" >&2; exit 1; }
	@$(NEON_MAKE) $(NEON_BUILD)/check_driver

test-neon: deps-neon
	@$(MAKE) --no-print-directory neon-driver
	timeout -s KILL $(NEON_CHECKS_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/check_driver neon
	DML_FUSED=1 timeout -s KILL $(NEON_GOLDEN_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/dmlbench golden --isa neon tests/golden/*.txt tests/golden/retrieval/*.txt
	DML_FUSED=0 timeout -s KILL $(NEON_GOLDEN_TIMEOUT) $(QEMU_AARCH64) $(NEON_BUILD)/dmlbench golden --isa neon tests/golden/*.txt

# ============================================================ AVX2 alone
# The AVX2 kernels on a CPU without AVX-512 (qemu's Haswell model): proves no
# AVX-512 instruction leaks into the AVX2 path, and that detection then does
# not offer avx512.  The same standalone driver as for NEON, for the same
# reason (Criterion's runner hangs under qemu-user).
QEMU_HASWELL ?= qemu-x86_64 -cpu Haswell
HASWELL_TIMEOUT ?= 300
.PHONY: test-haswell
test-haswell: deps-neon
	@$(MAKE) --no-print-directory all $(BUILD)/check_driver
	@isas=$$($(QEMU_HASWELL) $(BUILD)/dmlbench info --isas); echo "under $(QEMU_HASWELL): runnable ISAs: $$isas"; \
	  case " $$isas " in *" avx512 "*) echo "test-haswell: avx512 detected on a Haswell model" >&2; exit 1;; \
	    *" avx2 "*) ;; *) echo "test-haswell: avx2 not detected on a Haswell model" >&2; exit 1;; esac
	@# The native Criterion run sweeps exp every 97th bit pattern; under emulation
	@# every 997th (as on aarch64) keeps this step near a minute.
	DML_CHECK_EXP_STRIDE=997 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/check_driver avx2
	DML_FUSED=1 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/dmlbench golden --isa avx2 tests/golden/*.txt tests/golden/retrieval/*.txt
	DML_FUSED=0 timeout -s KILL $(HASWELL_TIMEOUT) $(QEMU_HASWELL) $(BUILD)/dmlbench golden --isa avx2 tests/golden/*.txt

# ================================================================== sweep
# The studies (experiments/*.txt) -> results/<study>.csv + .json -> figures.
# Two families: the timing studies (experiments/<study>.txt: a loss step or
# a kernel timed on synthetic batches) run in one process, alone, since
# timings must not share the machine; the learning studies
# (experiments/learn_*.txt: a network trained on Fashion-MNIST per point,
# Recall@1 and friends) then run as LEARN_SHARDS shards side by side (default
# 2, one single-thread run per core) through harness/engine.sh and are merged.
#
#   make sweep             install gnuplot if missing, rerun every study, refit the
#                          complexity of the batch study, redraw the figures; exits
#                          non-zero when a loss is off its order (results/complexity.csv)
#                          (the learning studies: 20 min here with a core taken by other
#                          jobs, about 9.5 min of CPU a core)
#   make sweep-learn       only the learning studies, then the figures
#   make sweep QUICK=1     every study on its reduced grid, into results/quick/ (< 2 min;
#                          the learning studies < 90 s of it)
#   make sweep RESUME=1    continue an interrupted sweep: finished points are kept
#   make sweep THREADS=N   the losses on N OpenMP threads, bound to cores with hwloc
#   make figures           redraw only the figures whose data changed
#   make sweep-check       every study's CSV and JSON and every figure exist (for CI,
#                          after `make sweep QUICK=1`, with the same QUICK=1)
#   make sweep ENGINE=slurm [SHARDS=N] [SBATCH_ARGS=...]
#                          the same sweep as SHARDS shards (default 4), one Slurm array
#                          task each (sbatch --array --wait), failed shards rerun once,
#                          merged (dmlbench merge) into $(RESULTS); harness/engine.sh
#                          (the learning studies too, with the same engine and SHARDS)
#   make sweep ENGINE=parallel [SHARDS=N] [SSHLOGINFILE=...]
#                          the same through GNU parallel, local jobs or ssh hosts
#   make test-cluster      both engines on a real one-node Slurm and GNU parallel, against
#                          a single-machine sweep, a task killed mid-run, and every refusal
#                          of merge (tests/cluster_test.sh, tests/merge_test.sh)
.PHONY: figures sweep-check sweep-learn test-cluster deps-slurm deps-parallel
SWEEP_DEFS    := $(sort $(wildcard experiments/*.txt))
LEARN_DEFS    := $(sort $(wildcard experiments/learn_*.txt))
TIMING_DEFS   := $(filter-out $(LEARN_DEFS),$(SWEEP_DEFS))
SWEEP_STUDIES := $(basename $(notdir $(SWEEP_DEFS)))
RESULTS       := results$(if $(QUICK),/quick)
FIG_DIR       := $(RESULTS)/figures
FIGURES       := $(filter-out common learn_common,$(basename $(notdir $(wildcard plots/*.gp))))
SWEEP_FLAGS   := $(if $(QUICK),--quick) $(if $(RESUME),--resume) $(if $(THREADS),--threads $(THREADS))
ENGINE        ?=
SHARDS        ?= 4
LEARN_ENGINE  := $(or $(ENGINE),parallel)
LEARN_SHARDS  ?= $(if $(ENGINE),$(SHARDS),2)
# One machine: dmlbench sweep; an engine: shards, scheduled, merged (engine.sh).
SWEEP_RUN = $(if $(ENGINE),RESUME='$(RESUME)' SBATCH_ARGS='$(SBATCH_ARGS)' SSHLOGINFILE='$(SSHLOGINFILE)' \
              sh harness/engine.sh $(ENGINE) $(SHARDS) $(RESULTS) -- $(SWEEP_FLAGS) $(TIMING_DEFS), \
              $(BUILD)/dmlbench sweep $(SWEEP_FLAGS) --out $(RESULTS) $(TIMING_DEFS))
# The learning studies: always shards (their own directory, so that the
# timing shards of an ENGINE run are not touched); single-thread points.
LEARN_RUN = RESUME='$(RESUME)' SBATCH_ARGS='$(SBATCH_ARGS)' SSHLOGINFILE='$(SSHLOGINFILE)' \
            SHARD_DIR='$(RESULTS)/shards-learn' DMLBENCH='$(CURDIR)/$(BUILD)/dmlbench' \
            sh harness/engine.sh $(LEARN_ENGINE) $(LEARN_SHARDS) $(RESULTS) -- $(SWEEP_FLAGS) $(LEARN_DEFS)

# Exit status 3 from `dmlbench sweep` is the complexity verdict: the figures
# are still drawn, then make fails with it.
sweep: deps-sweep deps-train deps-$(LEARN_ENGINE)
	@case '$(ENGINE)' in ''|slurm|parallel) ;; *) echo "make sweep: ENGINE=$(ENGINE): slurm or parallel" >&2; exit 2;; esac
	@$(MAKE) --no-print-directory all
	@rc=0; $(SWEEP_RUN) || rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then exit $$rc; fi; \
	t0=$$(date +%s); $(LEARN_RUN) || exit 1; \
	echo "make sweep: the learning studies took $$(( $$(date +%s) - t0 )) s"; \
	$(MAKE) --no-print-directory figures-only || exit 1; \
	if [ $$rc -eq 3 ]; then echo "make sweep: a loss is off its expected order (table above, $(RESULTS)/complexity.csv)" >&2; fi; \
	exit $$rc

sweep-learn: deps-sweep deps-train deps-$(LEARN_ENGINE)
	@$(MAKE) --no-print-directory all
	@t0=$$(date +%s); $(LEARN_RUN) || exit 1; \
	echo "make sweep-learn: the learning studies took $$(( $$(date +%s) - t0 )) s"
	@$(MAKE) --no-print-directory figures-only

figures: deps-sweep
	@$(MAKE) --no-print-directory figures-only
.PHONY: figures-only
figures-only: $(FIGURES:%=$(FIG_DIR)/%.png)

# Which results each figure is drawn from (make redraws a figure when they change).
$(FIG_DIR)/batch_time.png:          $(RESULTS)/batch.csv $(RESULTS)/complexity.csv
$(FIG_DIR)/classes_time.png:        $(RESULTS)/classes.csv
$(FIG_DIR)/dim_time.png:            $(RESULTS)/dim.csv
$(FIG_DIR)/alpha_delta_heatmap.png: $(RESULTS)/alpha_delta.csv
$(FIG_DIR)/top1_share.png:          $(RESULTS)/alpha_delta.csv
$(FIG_DIR)/isa_gflops.png:          $(RESULTS)/isa.csv
$(FIG_DIR)/threads_scaling.png:     $(RESULTS)/threads.csv
$(FIG_DIR)/learn_time.png:          $(RESULTS)/learn_time.csv plots/time_to_target.awk
$(FIG_DIR)/learn_batch.png:         $(RESULTS)/learn_batch.csv plots/seed_stats.awk
$(FIG_DIR)/learn_dim.png:           $(RESULTS)/learn_dim.csv plots/seed_stats.awk
$(FIG_DIR)/learn_alpha_delta.png:   $(RESULTS)/learn_alpha_delta.csv plots/seed_stats.awk
$(FIG_DIR)/learn_protocol.png:      $(RESULTS)/learn_protocol.csv $(RESULTS)/learn_time.csv plots/seed_stats.awk

# One script draws the PNG and the SVG beside it.
$(FIG_DIR)/%.png: plots/%.gp plots/common.gp
	@mkdir -p $(@D)
	@echo "gnuplot plots/$*.gp -> $(FIG_DIR)/$*.png .svg"
	@gnuplot -e "R='$(RESULTS)'; OUT='$(FIG_DIR)/$*'" plots/$*.gp

sweep-check:
	@sh plots/check.sh $(RESULTS) "$(SWEEP_STUDIES)" "$(FIGURES)"

deps-slurm:
	@sh harness/deps.sh slurm
deps-parallel:
	@sh harness/deps.sh parallel

test-cluster: deps-sweep deps-slurm deps-parallel
	@$(MAKE) --no-print-directory all
	bash tests/merge_test.sh $(BUILD)/dmlbench
	bash tests/cluster_test.sh $(BUILD)/dmlbench

# ======================================================= hostile inputs
#   make test-hostile   tests/hostile_test.sh: the inputs of issue 12 (bad files,
#                       endless files, huge grids, limits, long paths, EFBIG)
#   make test-faults    tests/fault_test.sh: kill -9 at random moments, ulimit -f,
#                       a directory made read-only mid-run
#   make test-san       SAN=address,undefined: the Criterion suite, every golden
#                       case on every ISA, the fuzz regressions, the hostile
#                       inputs and a quick sweep of two studies, under ASan+UBSan
#   make fuzz           each libFuzzer harness (tests/fuzz/) for FUZZ_SECONDS (60),
#                       clang; fails on any finding (the input is kept in
#                       build-fuzz/findings/<target>/: copy it to
#                       tests/fuzz/regress/<target>/ with the fix)
.PHONY: test-hostile test-faults test-san fuzz fuzz-replay deps-fuzz
test-hostile:
	@sh harness/deps.sh hostile
	@$(MAKE) --no-print-directory all
	bash tests/hostile_test.sh $(BUILD)/dmlbench

test-faults: deps-test
	@$(MAKE) --no-print-directory all
	bash tests/fault_test.sh $(BUILD)/dmlbench

SAN_TEST ?= address,undefined
SAN_ENV  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# (one learning study: the others add ~70 s under ASan and no new code path;
# tests/learn_test.sh runs the train units, resume and merge under it too)
SAN_SWEEP ?= $(TIMING_DEFS) experiments/learn_time.txt
test-san: deps-test
	@$(SAN_ENV) $(MAKE) --no-print-directory SAN=$(SAN_TEST) test
	$(SAN_ENV) HOSTILE_NO_VLIMIT=1 bash tests/hostile_test.sh build-san/dmlbench
	$(SAN_ENV) build-san/dmlbench sweep --quick --out build-san/sweep $(SAN_SWEEP)

# The fuzz harnesses: one LLVMFuzzerTestOneInput each (tests/fuzz/fuzz_<target>.c)
# over a reader's from-memory entry point.  Built twice: with libFuzzer
# (make fuzz), and with tests/fuzz/replay.c as main() to replay the seeds and
# every kept regression with the plain build (make test).
FUZZ_TARGETS := golden study csv idx retrieval
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_SEEDS_golden := tests/golden
FUZZ_SEEDS_study  := experiments
FUZZ_SEEDS_csv    := tests/fuzz/seed/csv
FUZZ_SEEDS_idx    := tests/fuzz/seed/idx
FUZZ_SEEDS_retrieval := tests/golden/retrieval
HARNESS_LIB_OBJS = $(filter-out $(BUILD)/harness/main.o,$(HARNESS_OBJS))
FUZZ_LINK = $(HARNESS_LIB_OBJS) $(BUILD)/libdml.a $(LDLIBS_BASE) -ldl $(HWLOC_LIBS) $(ZLIB_LIBS)
$(BUILD)/replay_%: $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_%.o $(HARNESS_LIB_OBJS) $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_$*.o $(FUZZ_LINK)
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(HARNESS_LIB_OBJS) $(BUILD)/libdml.a
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $(BUILD)/tests/fuzz/fuzz_$*.o $(FUZZ_LINK)

.PRECIOUS: $(BUILD)/tests/fuzz/%.o
fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/replay_%)
	@$(foreach t,$(FUZZ_TARGETS),$(BUILD)/replay_$(t) tests/fuzz/regress/$(t) $(FUZZ_SEEDS_$(t)) &&) true

deps-fuzz:
	@sh harness/deps.sh fuzz
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) SAN=fuzzer-no-link,address,undefined \
	  $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t)) &&) true

# One harness for FUZZ_SECONDS: its own corpus (build-fuzz/corpus/<t>), the
# seeds and the kept regressions as further corpora; a finding ends make.
fuzz_one = mkdir -p $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_BUILD)/findings/$(1) && echo "fuzz $(1): $(FUZZ_SECONDS) s" && \
  { $(FUZZ_BUILD)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=$(FUZZ_BUILD)/findings/$(1)/ -print_final_stats=1 \
      $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_SEEDS_$(1)) tests/fuzz/regress/$(1) > $(FUZZ_BUILD)/fuzz_$(1).log 2>&1 || \
    { tail -40 $(FUZZ_BUILD)/fuzz_$(1).log; echo "make fuzz: $(1) found a crash: $(FUZZ_BUILD)/findings/$(1)/" >&2; exit 1; }; } && \
  grep -E "^stat::(number_of_executed_units|new_units_added)" $(FUZZ_BUILD)/fuzz_$(1).log | tr '\n' ' ' && echo

# Header dependencies written by -MMD.
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
