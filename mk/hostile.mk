# hostile.mk — bad inputs, faults and sanitizers.

.PHONY: test-hostile test-faults test-san
test-hostile: ## the hostile inputs of issue 12: bad and endless files, huge grids, limits, EFBIG (tests/shell/hostile_test.sh)
	@sh scripts/deps.sh hostile
	@$(MAKE) --no-print-directory all
	bash tests/shell/hostile_test.sh $(BUILD)/dmlbench

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
	$(SAN_ENV) build-san/dmlbench sweep --quick --out build-san/sweep $(SAN_SWEEP)
