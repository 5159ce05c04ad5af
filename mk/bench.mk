# bench.mk — kernel throughput (dmlbench bench), the regression check against
# results/baseline/ (bench-check: callgrind instruction counts + interleaved
# speed ratios), its proof, and two standalone benchmarks (harness/bench/tools/).
# Details: docs/bench.md.

.PHONY: bench bench-check bench-baseline bench-check-proof bench-counts bench-triplet bench-fused bench-sgd-peak bench-sampled
.PHONY: bench-faiss deps-faiss
BENCH_DIR      := $(BUILD)/bench-check
BENCH_BASELINE ?= results/baseline/bench-check.tsv
VALGRIND       ?= valgrind
## BENCH_ARGS=--quick      bench: C = 1000, D = 512 only (a few seconds); --json: JSON on stdout
BENCH_ARGS ?=

# The FMA-peak probes get their ISA's flags (mk/isa.mk), on x86 only.
$(BUILD)/harness/bench/peak_%.o: harness/bench/peak_%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(HARNESS_INC) $(DEPFLAGS) $(if $(filter x86_64,$(ARCH)),$(ISAFLAGS)) -c $< -o $@

# Instruction counts: a small program outside dmlbench, run under callgrind;
# without debug info (valgrind 3.19 cannot read clang 14's DWARF 5).
$(BUILD)/dmlcount: TOOL_LIBS = -Wl,--strip-debug
$(BUILD)/dmlcount: $(BUILD)/harness/bench/count/dmlcount.o $(BUILD)/harness/bench/check_cases.o \
                   $(BUILD)/harness/point/kcase.o $(BUILD)/harness/point/batch.o \
                   $(BUILD)/harness/core/rng.o $(BUILD)/libdml.a
	$(LINK)

bench: deps-bench all ## kernel throughput table, every ISA here, one thread (BENCH_ARGS)
	$(BUILD)/dmlbench bench $(BENCH_ARGS)

# One callgrind run per ISA valgrind can execute (not AVX-512 nor its children,
# avx512bf16: SIGILL in 3.19),
# then for each SIMD one the whole proxy steps (dmlcount --steps) with the cache
# simulated on a cache fixed here, so every machine simulates the same: L1d
# 48 KiB 12-way, last level 1 MiB 16-way (Zen 4's L2; the counted proxies are
# 2 MB).  STEP_COUNT_ENV is for the proof only (DML_FUSED=0: the fusion undone).
STEP_CACHE_SIM ?= --cache-sim=yes --I1=32768,8,64 --D1=49152,12,64 --LL=1048576,16,64
STEP_COUNT_ENV ?=
bench-counts: deps-bench all $(BUILD)/dmlcount ## the callgrind counts bench-check reads, into build/bench-check/
	@rm -rf $(BENCH_DIR) && mkdir -p $(BENCH_DIR)
	@for isa in $$($(BUILD)/dmlbench info --isas); do \
	  case $$isa in avx512*) \
	    echo "bench-check: $$isa instruction counts not measured: valgrind 3.19 cannot run AVX-512 (SIGILL); its speed ratios are checked"; \
	    continue;; esac; \
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

bench-check: bench-counts ## regression check against results/baseline/: instruction counts and speed ratios SIMD/ref
	$(BUILD)/dmlbench bench-check --baseline $(BENCH_BASELINE) --counts $(BENCH_DIR) \
	  --json $(BENCH_DIR)/report.json

bench-baseline: bench-counts ## rewrite results/baseline/ with its provenance (commit it with a deliberate slowdown)
	@mkdir -p $(dir $(BENCH_BASELINE))
	$(BUILD)/dmlbench bench-check --write-baseline $(BENCH_BASELINE) --counts $(BENCH_DIR)

bench-check-proof: ## a build with one kernel slowed down must fail bench-check, naming it; the normal build passes
	@sh scripts/bench-check-proof.sh

## BENCH_TRIPLET_ARGS='--M 256,1024 --threads 2'   options of bench-triplet
BENCH_TRIPLET_ARGS ?=
$(BUILD)/bench_triplet: $(BUILD)/harness/bench/tools/bench_triplet.o $(BUILD)/harness/core/stats.o \
                        $(BUILD)/libdml.a
	$(LINK)
bench-triplet: $(BUILD)/bench_triplet ## step time of the enumerating and the sorted triplet algorithm, M = 128 … 8192 (a table, gates nothing)
	$(BUILD)/bench_triplet $(BENCH_TRIPLET_ARGS)

## BENCH_FUSED_ARGS='--isa avx512 --threads 1 --c 11318 --rounds 15'   options of bench-fused
BENCH_FUSED_ARGS ?=
$(BUILD)/bench_fused: $(BUILD)/harness/bench/tools/bench_fused.o $(BUILD)/harness/bench/peak_avx2.o \
                      $(BUILD)/harness/bench/peak_avx512.o $(BUILD)/harness/core/stats.o $(BUILD)/libdml.a
	$(LINK)
bench-fused: $(BUILD)/bench_fused ## fused proxy step vs unfused, the three products alone and the FMA peak, interleaved (x86 only)
	$(BUILD)/bench_fused $(BENCH_FUSED_ARGS)

## BENCH_SGD_ARGS='--loss proxy_anchor --C 1000000 --D 128'   options of bench-sgd-peak
BENCH_SGD_ARGS ?=
$(BUILD)/bench_sgd_peak: $(BUILD)/harness/bench/tools/bench_sgd_peak.o $(BUILD)/harness/core/memuse.o $(BUILD)/libdml.a
	$(LINK)
bench-sgd-peak: $(BUILD)/bench_sgd_peak ## peak RSS and step time: ∂L/∂P held whole then P -= lr dP, against the in-step update (dml_loss_step_sgd)
	$(BUILD)/bench_sgd_peak step $(BENCH_SGD_ARGS)
	$(BUILD)/bench_sgd_peak sgd $(BENCH_SGD_ARGS)

## BENCH_SAMPLED_ARGS='--loss nca --c 100000 --rounds 7'   options of bench-sampled
BENCH_SAMPLED_ARGS ?=
$(BUILD)/bench_sampled: $(BUILD)/harness/bench/tools/bench_sampled.o $(BUILD)/harness/core/stats.o \
                        $(BUILD)/libdml.a
	$(LINK)
bench-sampled: $(BUILD)/bench_sampled ## sampled proxies r = 0.3, 0.1, 0.01 vs the full step, interleaved, thread CPU time (C = 10^6 by default: 2 GB)
	$(BUILD)/bench_sampled $(BENCH_SAMPLED_ARGS)

# Retrieval against FAISS's exact flat search on the same data: dmlbench knn
# writes the set (10 000 unit vectors, D = 128, 10 classes) and its top-K lists
# to $(KNN_DIR), then scripts/faiss_bench.py times IndexFlatIP on it, one thread
# each, and checks the two lists agree.  FAISS's GEMM is OpenBLAS's: one thread,
# and the widest kernels this CPU runs (OpenBLAS 0.3.21 takes Sapphire Rapids
# for a Prescott otherwise), the choice printed.
## KNN_ARGS='--k 9,999 --rounds 3 --isa avx2'   bench-faiss: dmlbench knn's options
KNN_DIR  ?= $(BUILD)/knn
KNN_ARGS ?=
deps-faiss: ## install what bench-faiss needs (python3-faiss, numpy, OpenBLAS)
	@sh scripts/deps.sh faiss
bench-faiss: deps-faiss all ## retrieval top-9 / top-999 over 10 000 queries vs FAISS IndexFlatIP, one thread
	$(BUILD)/dmlbench knn --out $(KNN_DIR) $(KNN_ARGS)
	@core=$${OPENBLAS_CORETYPE:-$$(grep -qw avx512f /proc/cpuinfo && echo SkylakeX || echo Haswell)}; \
	  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=$$core \
	  taskset -c $$(grep Cpus_allowed_list /proc/self/status | cut -f2 | cut -d, -f1 | cut -d- -f1) \
	  /usr/bin/python3 scripts/faiss_bench.py $(KNN_DIR)

# ---------------------------------------------------------------- training against PyTorch
# One recipe trained by dmlbench and by PyTorch + pytorch-metric-learning
# (scripts/torch_train.py) on the same IDX files, seed by seed, interleaved;
# writes Recall@1, MAP@R and the training CPU time of each, the Recall@1 gap
# and the speed ratio into COMPARE_OUT.csv and .md (scripts/compare_torch.sh;
# docs/learning.md).
## COMPARE_DATA=DIR COMPARE_SEEDS="0 1 2" COMPARE_ARGS=... COMPARE_OUT=PATH   compare-torch: the set, the seeds, the recipe, the table's files
COMPARE_DATA  ?= $(GLYPHS_DIR)
COMPARE_OUT   ?= results/train/torch_glyph
COMPARE_SEEDS ?= 0 1 2
COMPARE_ARGS  ?= --loss proxy_anchor --protocol test --M 180 --per-class 4 --D 128 --H 512 --epochs 4 --eval-every 4 \
                 --proxy-lr-mult 1
.PHONY: compare-torch
compare-torch: deps-torch all glyphs-ready ## train one recipe with dmlbench and with PyTorch + PML, side by side
	sh scripts/compare_torch.sh $(BUILD)/dmlbench $(COMPARE_DATA) "$(COMPARE_SEEDS)" $(COMPARE_OUT) $(COMPARE_ARGS)
