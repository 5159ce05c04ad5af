# sweep.mk — the studies (experiments/*.txt) -> results/<study>.csv + .json -> figures.
# The timing studies (a loss step or a kernel timed on synthetic batches) run in
# one process, alone, since timings must not share the machine; the learning
# studies (experiments/learn_*.txt: a network trained per point) then run as
# LEARN_SHARDS shards side by side through scripts/engine.sh and are merged.
# Details: docs/studies.md, docs/cluster.md.

.PHONY: sweep sweep-scale sweep-learn figures figures-only sweep-check roofline
SWEEP_DEFS    := $(sort $(wildcard experiments/*.txt))
LEARN_DEFS    := $(sort $(wildcard experiments/learn_*.txt))
TIMING_DEFS   := $(filter-out $(LEARN_DEFS),$(SWEEP_DEFS))
SWEEP_STUDIES := $(basename $(notdir $(SWEEP_DEFS)))
## QUICK=1                 sweep, figures, sweep-check: every study on its reduced grid, into results/quick/
RESULTS       := results$(if $(QUICK),/quick)
FIG_DIR       := $(RESULTS)/figures
FIGURES       := $(filter-out common learn_common glyph_common,$(basename $(notdir $(wildcard plots/*.gp))))
## RESUME=1                sweep: continue an interrupted sweep, finished points are kept
## THREADS=N               sweep: the losses on N OpenMP threads, bound to cores with hwloc
SWEEP_FLAGS   := $(if $(QUICK),--quick) $(if $(RESUME),--resume) $(if $(THREADS),--threads $(THREADS))
## ENGINE=slurm|parallel   sweep: SHARDS shards (default 4) as Slurm array tasks or GNU parallel jobs, merged
## SBATCH_ARGS=... SSHLOGINFILE=...   sweep ENGINE=...: extra sbatch options; GNU parallel's ssh hosts
ENGINE        ?=
SHARDS        ?= 4
LEARN_ENGINE  := $(or $(ENGINE),parallel)
LEARN_SHARDS  ?= $(if $(ENGINE),$(SHARDS),2)
# One machine: dmlbench sweep; an engine: shards, scheduled, merged (engine.sh).
SWEEP_RUN = $(if $(ENGINE),RESUME='$(RESUME)' SBATCH_ARGS='$(SBATCH_ARGS)' SSHLOGINFILE='$(SSHLOGINFILE)' \
              sh scripts/engine.sh $(ENGINE) $(SHARDS) $(RESULTS) -- $(SWEEP_FLAGS) $(TIMING_DEFS), \
              $(BUILD)/dmlbench sweep $(SWEEP_FLAGS) --out $(RESULTS) $(TIMING_DEFS))
# The learning studies: always shards (their own directory, so that the
# timing shards of an ENGINE run are not touched); single-thread points.
# The glyph studies (data glyphs) read the set in GLYPHS_DIR (make data-glyphs).
GLYPHS_DIR ?= build/glyphs
LEARN_RUN = RESUME='$(RESUME)' SBATCH_ARGS='$(SBATCH_ARGS)' SSHLOGINFILE='$(SSHLOGINFILE)' \
            SHARD_DIR='$(RESULTS)/shards-learn' DMLBENCH='$(CURDIR)/$(BUILD)/dmlbench' \
            DML_GLYPHS='$(abspath $(GLYPHS_DIR))' \
            sh scripts/engine.sh $(LEARN_ENGINE) $(LEARN_SHARDS) $(RESULTS) -- $(SWEEP_FLAGS) $(LEARN_DEFS)

# How long the run took, by half, on which machine and how loaded, into
# $(RESULTS)/sweep-time.txt (docs/studies.md quotes it; the shell variables
# are the sweep recipe's).
SWEEP_TIME_RECORD = { echo "\# written by make sweep$(if $(QUICK), QUICK=1)$(if $(ENGINE), ENGINE=$(ENGINE) SHARDS=$(SHARDS)): how long it took"; \
  echo "date $$(date -u +%Y-%m-%dT%H:%M:%SZ)"; \
  echo "machine $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $$(nproc) CPUs"; \
  echo "load_at_start $$load"; echo "timing_s $$((t0 - ts))"; echo "learning_s $$((t1 - t0))"; \
  echo "figures_s $$((t2 - t1))"; echo "total_s $$((t2 - ts))"; }

# Exit status 3 from `dmlbench sweep` is the complexity verdict (a loss off
# its order; "noisy", too busy a machine to judge, is 0): the figures are
# still drawn, then make fails with it.  How long each half took:
# $(RESULTS)/sweep-time.txt, which results/README.md then reports (rewritten
# once more after it).
sweep: deps-sweep deps-train deps-$(LEARN_ENGINE) ## rerun every study, refit the complexity, redraw every figure; fails when a loss is off its order
	@case '$(ENGINE)' in ''|slurm|parallel) ;; *) echo "make sweep: ENGINE=$(ENGINE): slurm or parallel" >&2; exit 2;; esac
	@$(MAKE) --no-print-directory all
	@rc=0; load=$$(cut -d' ' -f1-3 /proc/loadavg); ts=$$(date +%s); $(SWEEP_RUN) || rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then exit $$rc; fi; \
	$(MAKE) --no-print-directory glyphs-ready || exit 1; \
	t0=$$(date +%s); $(LEARN_RUN) || exit 1; t1=$$(date +%s); \
	echo "make sweep: the timing studies took $$((t0 - ts)) s, the learning studies $$((t1 - t0)) s"; \
	$(ROOFLINE_RUN) || exit 1; \
	$(MAKE) --no-print-directory figures-only verdicts || exit 1; t2=$$(date +%s); \
	$(SWEEP_TIME_RECORD) > $(RESULTS)/sweep-time.txt; \
	sh scripts/results_readme.sh $(RESULTS) || exit 1; \
	if [ $$rc -eq 3 ]; then echo "make sweep: a loss is off its expected order (table above, $(RESULTS)/complexity.csv)" >&2; fi; \
	exit $$rc

# The roofline's roofs and points in one run (bench/roofline.c, docs/bench.md):
# alone on the machine like the timing studies, after them.
ROOFLINE_RUN = $(BUILD)/dmlbench bench --roofline $(if $(QUICK),--quick) --out $(RESULTS)/roofline.csv
roofline: all ## the FMA peak, the triad bandwidth and every proxy step by arithmetic intensity -> results/roofline.csv, its figure
	@mkdir -p $(RESULTS)
	@$(ROOFLINE_RUN)
	@$(MAKE) --no-print-directory $(FIG_DIR)/roofline.png

# The large-C grids that do not fit make sweep's time (experiments/scale/*.txt:
# D = 512 up to a million classes, several GB; docs/scale.md).
SCALE_DEFS := $(sort $(wildcard experiments/scale/*.txt))
sweep-scale: deps-sweep all ## the large-C studies of experiments/scale/ (C to 10^6 at D = 512: ~10 min, 5 GB), then the figures
	@$(BUILD)/dmlbench sweep $(SWEEP_FLAGS) --out $(RESULTS) $(SCALE_DEFS)
	@$(MAKE) --no-print-directory figures-only

sweep-learn: deps-sweep deps-train deps-$(LEARN_ENGINE) ## only the learning studies, then the figures
	@$(MAKE) --no-print-directory all glyphs-ready
	@t0=$$(date +%s); $(LEARN_RUN) || exit 1; \
	echo "make sweep-learn: the learning studies took $$(( $$(date +%s) - t0 )) s"
	@$(MAKE) --no-print-directory figures-only verdicts

# The glyph set, built once (make data-glyphs) when GLYPHS_DIR has none.
.PHONY: glyphs-ready verdicts
glyphs-ready: ## build the glyph set into GLYPHS_DIR with make data-glyphs, unless it is there
	@test -s $(GLYPHS_DIR)/manifest.json || $(MAKE) --no-print-directory data-glyphs GLYPHS_DIR=$(GLYPHS_DIR)

# What the learning half costs, in CPU time of one thread (scripts/learn_budget.py):
# every study as defined now, its training measured briefly and scaled, its
# evaluations at full size; then each QUICK study run alone.
.PHONY: learn-budget
learn-budget: all glyphs-ready ## the learning studies' CPU cost -> results/train/learn_budget.md and learn_budget_quick.md
	@DML_GLYPHS='$(abspath $(GLYPHS_DIR))' python3 scripts/learn_budget.py full $(BUILD)/dmlbench results/train/learn_budget
	@DML_GLYPHS='$(abspath $(GLYPHS_DIR))' python3 scripts/learn_budget.py quick $(BUILD)/dmlbench results/train/learn_budget_quick

# The paper's claims against this run's CSVs (scripts/verdicts.py).
verdicts: ## the verdict table of the learning studies: RESULTS/verdicts.md from the CSVs
	@python3 scripts/verdicts.py $(RESULTS) > /dev/null && echo "verdicts: $(RESULTS)/verdicts.md"

figures: deps-sweep ## redraw the figures whose data changed
	@$(MAKE) --no-print-directory figures-only
# Then the numbers page, results/README.md, written from the same CSVs.
figures-only: $(FIGURES:%=$(FIG_DIR)/%.png) ## figures and results/README.md without the package check (used by sweep)
	@sh scripts/results_readme.sh $(RESULTS)

# Which results each figure is drawn from (make redraws a figure when they change).
$(FIG_DIR)/batch_time.png:          $(RESULTS)/batch.csv $(RESULTS)/complexity.csv
$(FIG_DIR)/classes_time.png:        $(RESULTS)/classes.csv $(wildcard $(RESULTS)/classes_d512.csv)
$(FIG_DIR)/classes_memory.png:      $(RESULTS)/classes.csv $(wildcard $(RESULTS)/classes_d512.csv)
$(FIG_DIR)/sampled_time.png:        $(RESULTS)/sampled.csv
$(FIG_DIR)/roofline.png:            $(RESULTS)/roofline.csv
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
$(FIG_DIR)/learn_proxy_lr.png:      $(RESULTS)/learn_proxy_lr.csv $(RESULTS)/learn_glyph_proxy_lr.csv plots/seed_stats.awk
$(FIG_DIR)/learn_glyph_sample.png:  $(RESULTS)/learn_glyph_sample.csv plots/seed_stats.awk
$(FIG_DIR)/learn_glyph_time.png:    $(RESULTS)/learn_glyph_time.csv plots/seed_stats.awk
$(FIG_DIR)/learn_glyph_batch.png:   $(RESULTS)/learn_glyph_batch.csv plots/seed_stats.awk plots/glyph_common.gp
$(FIG_DIR)/learn_glyph_dim.png:     $(RESULTS)/learn_glyph_dim.csv plots/seed_stats.awk plots/glyph_common.gp
$(FIG_DIR)/learn_glyph_alpha_delta.png: $(RESULTS)/learn_glyph_alpha_delta.csv plots/seed_stats.awk
$(FIG_DIR)/learn_glyph_vs_fmnist.png: $(RESULTS)/learn_glyph_time.csv $(RESULTS)/learn_protocol.csv plots/seed_stats.awk

# One script draws the PNG and the SVG beside it.
$(FIG_DIR)/%.png: plots/%.gp plots/common.gp plots/rows.awk
	@mkdir -p $(@D)
	@echo "gnuplot plots/$*.gp -> $(FIG_DIR)/$*.png .svg"
	@gnuplot -e "R='$(RESULTS)'; OUT='$(FIG_DIR)/$*'" plots/$*.gp

# ... and every figure draws its series from the columns it names (the same
# points with every CSV column moved: plots/columns_check.sh), a check that
# proves itself on the by-position figure of issue 20 (tests/shell/columns_test.sh);
# and README.md is what the CSVs give.
# The ETA on the timing studies' quick grids against the time they take
# (the sweep's own points calibrate it: harness/sweep/eta.c).
.PHONY: sweep-eta
sweep-eta: all ## the sweep's ETA within 2x of the time left at every point of a quick timing sweep (~1-4 min; not yet reliable on a loaded machine)
	bash tests/shell/eta_test.sh $(BUILD)/dmlbench $(TIMING_DEFS)

sweep-check: ## every study's CSV, JSON and figure exist, figures read columns by name, README.md matches the CSVs (CI, after make sweep QUICK=1)
	@sh plots/check.sh $(RESULTS) "$(SWEEP_STUDIES)" "$(FIGURES)"
	@sh plots/columns_check.sh $(RESULTS) "$(FIGURES)"
	@sh tests/shell/columns_test.sh $(RESULTS)
	@sh scripts/results_readme.sh --check $(RESULTS)
