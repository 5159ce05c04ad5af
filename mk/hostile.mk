# hostile.mk — bad inputs, faults and sanitizers.

.PHONY: test-hostile test-faults test-san
test-hostile: ## the hostile inputs of issues 12 and 19: bad files, shards, resume files, IDX bombs, limits, the apt lock (tests/shell/hostile*_test.sh)
	@sh scripts/deps.sh hostile
	@$(MAKE) --no-print-directory all
	bash tests/shell/hostile_test.sh $(BUILD)/dmlbench
	bash tests/shell/hostile2_test.sh $(BUILD)/dmlbench

test-faults: deps-test ## kill -9 at random moments and --resume, ulimit -f, a directory made read-only mid-run
	@$(MAKE) --no-print-directory all
	bash tests/shell/fault_test.sh $(BUILD)/dmlbench

SAN_TEST ?= address,undefined
SAN_ENV  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One learning study: the others add ~70 s under ASan and no new code path
# (learn_test.sh runs the train units, resume and merge under it too).
SAN_SWEEP ?= $(TIMING_DEFS) experiments/learn_time.txt
test-san: deps-test ## make test, the hostile inputs and a quick sweep under ASan + UBSan (build-san/)
	@$(SAN_ENV) $(MAKE) --no-print-directory SAN=$(SAN_TEST) test
	$(SAN_ENV) HOSTILE_NO_VLIMIT=1 bash tests/shell/hostile_test.sh build-san/dmlbench
	$(SAN_ENV) HOSTILE_NO_VLIMIT=1 bash tests/shell/hostile2_test.sh build-san/dmlbench
	$(SAN_ENV) build-san/dmlbench sweep --quick --out build-san/sweep $(SAN_SWEEP)

## HOSTILE_GEN=30           inputs of each kind make hostile-gen generates (HOSTILE_GEN_SECONDS bounds it)
HOSTILE_GEN ?= 30
HOSTILE_GEN_SECONDS ?= 600
HOSTILE_GEN_SEED ?= 1
.PHONY: hostile-gen
hostile-gen: ## play the hostile user: generated CLI values, studies, golden files, shards, resume and IDX files, faults (tests/shell/hostile_gen.py)
	@sh scripts/deps.sh hostile
	@$(MAKE) --no-print-directory all
	python3 tests/shell/hostile_gen.py --bin $(BUILD)/dmlbench --per-kind $(HOSTILE_GEN) --seconds $(HOSTILE_GEN_SECONDS) --seed $(HOSTILE_GEN_SEED)
