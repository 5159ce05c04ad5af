# tests.mk — the Criterion suite (tests/unit/), the shared kernel checks
# (tests/checks/, also run without Criterion by check_driver under qemu), the
# golden cases (tests/golden/) and the shell suites (tests/shell/).

TEST_SRCS   := $(wildcard tests/unit/test_*.c)
# The checks shared with the qemu driver: tests/checks/*.c but the driver itself.
CHECK_SRCS  := $(filter-out tests/checks/check_driver.c,$(wildcard tests/checks/*.c))
TEST_OBJS   := $(TEST_SRCS:%.c=$(BUILD)/%.o) $(CHECK_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Itests/checks -Iharness $(FT_CFLAGS) -DDML_TEST_DIR='"tests"' -c $< -o $@

# The tests reuse the golden readers (golden/), the parameter table (point/),
# the train room, the data room (IDX, the glyph set), and what they stand on (core/).
TEST_HARNESS_OBJS := $(addprefix $(BUILD)/harness/,point/params.o point/param_check.o point/precision.o \
                       point/batch.o point/point.o point/cost.o \
                       core/error.o core/parse.o core/rng.o core/text.o core/json.o \
                       core/fileio.o core/stats.o core/timing.o core/sha256.o core/sha256_ni.o \
                       core/memuse.o bench/stream.o) \
                     $(patsubst %.c,$(BUILD)/%.o,$(wildcard harness/golden/*.c harness/train/*.c harness/data/*.c))
# The one suite inside the library: the fused step's gatherers of the
# gradient statistics against the readers of a whole G, on the same G.
$(BUILD)/tests/unit/test_gradstats_blocks.o: CFLAGS_ALL += -Ikernels/losses -Ikernels/common -Ikernels/cpu

$(BUILD)/test_dml: TOOL_LIBS = -lcriterion $(ZLIB_LIBS) $(FT_LIBS)
$(BUILD)/test_dml: $(TEST_OBJS) $(TEST_HARNESS_OBJS) $(BUILD)/libdml.a
	$(LINK)

# The standalone check driver (no Criterion: its runner hangs under qemu-user).
$(BUILD)/check_driver: $(BUILD)/tests/checks/check_driver.o $(CHECK_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libdml.a
	$(LINK)

.PHONY: test check-golden
test: deps-test ## install what is missing, build, run the Criterion suite, the learning, glyph and binding tests, every golden case, the fuzz regressions
	@$(MAKE) --no-print-directory all $(BUILD)/test_dml $(FUZZ_TARGETS:%=$(BUILD)/replay_%)
	$(BUILD)/test_dml --jobs 2
	bash tests/shell/learn_test.sh $(BUILD)/dmlbench
	bash tests/shell/learn_data_test.sh $(BUILD)/dmlbench
	bash tests/shell/glyph_test.sh $(BUILD)/dmlbench
	$(if $(SAN),SCALE_NO_VLIMIT=1) bash tests/shell/scale_test.sh $(BUILD)/dmlbench
	sh tests/shell/help_test.sh $(BUILD)/dmlbench
	sh tests/shell/fit_verdict_test.sh $(BUILD)/dmlbench
	sh tests/shell/bench_check_proof_test.sh $(BUILD)/dmlbench
	sh tests/shell/learn_scripts_test.sh
	bash tests/shell/binding_test.sh $(BUILD)/dmlbench
	bash tests/shell/precision_test.sh $(BUILD)/dmlbench
	@$(MAKE) --no-print-directory check-golden fuzz-replay $(if $(SAN),,test-isa-parent)
	@$(MAKE) --no-print-directory check-docs

# The pointers that drift: every doc link and path resolves, results/README.md
# is what the committed CSVs give, every .PHONY target has its `make help` line.
.PHONY: check-docs
check-docs: $(BUILD)/dmlbench ## every doc link and path resolves, results/README.md matches its CSVs, make help is complete
	@sh scripts/check_docs.sh
	@sh scripts/results_readme.sh --check results
	@sh scripts/make_help.sh Makefile mk/*.mk > /dev/null && echo "check-docs: make help lists every .PHONY target"

# Every golden case with every ISA this machine runs, the proxy losses fused
# (the default) and unfused (DML_FUSED=0, read when a context is created).
check-golden: all ## every golden case on every ISA here, fused and unfused
	@for isa in $$($(BUILD)/dmlbench info --isas); do \
	  for fused in 1 0; do \
	    echo "golden --isa $$isa, DML_FUSED=$$fused"; \
	    DML_FUSED=$$fused $(BUILD)/dmlbench golden --isa $$isa tests/golden/*.txt tests/golden/retrieval/*.txt || exit 1; \
	  done; \
	done

# A row of DML_ISA_ROWS that names a parent and brings only a GEMM file, built in
# a scratch copy of the tree (qemu-user from deps-neon for its Haswell half).
.PHONY: test-isa-parent
test-isa-parent: deps-neon ## a child ISA row with only a GEMM file: built, dispatched, checked (scratch tree)
	bash tests/shell/isa_parent_test.sh
