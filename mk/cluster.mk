# cluster.mk — the sweep past one machine: both engines of scripts/engine.sh on a
# real one-node Slurm (scripts/slurm-local.sh) and GNU parallel (docs/cluster.md).

.PHONY: test-cluster
test-cluster: deps-sweep deps-slurm deps-parallel ## both engines against a one-machine sweep, a task killed mid-run, every refusal of merge
	@$(MAKE) --no-print-directory all
	bash tests/shell/merge_test.sh $(BUILD)/dmlbench
	bash tests/shell/cluster_test.sh $(BUILD)/dmlbench
