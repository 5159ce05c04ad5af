# fuzz.mk — one libFuzzer harness per reader (tests/fuzz/fuzz_<target>.c, over the
# reader's from-memory entry point).  Built twice: with libFuzzer (make fuzz,
# clang), and with tests/fuzz/replay.c as main() to replay the seeds and every
# kept regression with the plain build (make test).

.PHONY: fuzz fuzz-replay
FUZZ_TARGETS := golden study csv idx retrieval
## FUZZ_SECONDS=60         how long make fuzz runs each harness
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_SEEDS_golden := tests/golden
FUZZ_SEEDS_study  := experiments
FUZZ_SEEDS_csv    := tests/fuzz/seed/csv
FUZZ_SEEDS_idx    := tests/fuzz/seed/idx
FUZZ_SEEDS_retrieval := tests/golden/retrieval

$(BUILD)/replay_% $(BUILD)/fuzz_%: TOOL_LIBS = -ldl $(HWLOC_LIBS) $(ZLIB_LIBS) $(FT_LIBS)
$(BUILD)/fuzz_%: TOOL_LDFLAGS = -fsanitize=fuzzer
$(BUILD)/replay_%: $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_%.o $(HARNESS_LIB_OBJS) $(BUILD)/libdml.a
	$(LINK)
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(HARNESS_LIB_OBJS) $(BUILD)/libdml.a
	$(LINK)

# Kept, not deleted as intermediates: .PRECIOUS must name the pattern of the
# rule that builds them (mk/tests.mk), not a narrower one.
.PRECIOUS: $(BUILD)/tests/%.o
fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/replay_%) ## replay the fuzz seeds and every kept regression (tests/fuzz/regress/)
	@$(foreach t,$(FUZZ_TARGETS),$(BUILD)/replay_$(t) tests/fuzz/regress/$(t) $(FUZZ_SEEDS_$(t)) &&) true

fuzz: deps-fuzz ## each libFuzzer harness for FUZZ_SECONDS with clang; a finding is kept in build-fuzz/findings/ and fails
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) SAN=fuzzer-no-link,address,undefined \
	  $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t)) &&) true

# One harness for FUZZ_SECONDS: its own corpus (build-fuzz/corpus/<t>), the
# seeds and the kept regressions as further corpora; a finding ends make
# (copy it to tests/fuzz/regress/<target>/ with the fix).
fuzz_one = mkdir -p $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_BUILD)/findings/$(1) && echo "fuzz $(1): $(FUZZ_SECONDS) s" && \
  { $(FUZZ_BUILD)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=$(FUZZ_BUILD)/findings/$(1)/ -print_final_stats=1 \
      $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_SEEDS_$(1)) tests/fuzz/regress/$(1) > $(FUZZ_BUILD)/fuzz_$(1).log 2>&1 || \
    { tail -40 $(FUZZ_BUILD)/fuzz_$(1).log; echo "make fuzz: $(1) found a crash: $(FUZZ_BUILD)/findings/$(1)/" >&2; exit 1; }; } && \
  grep -E "^stat::(number_of_executed_units|new_units_added)" $(FUZZ_BUILD)/fuzz_$(1).log | tr '\n' ' ' && echo
