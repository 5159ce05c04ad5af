# deps.mk — every target installs the Debian packages it needs, and only those
# missing, through scripts/deps.sh (which says what it installs).

DEPS_GROUPS := test sweep train torch glyphs glyph-test bench neon slurm parallel clang fuzz hostile
.PHONY: deps $(DEPS_GROUPS:%=deps-%)
deps: deps-test deps-sweep ## install what make test and make sweep need
$(DEPS_GROUPS:%=deps-%): deps-%: ## install one group of scripts/deps.sh: test sweep train torch glyphs glyph-test bench neon slurm parallel clang fuzz hostile
	@sh scripts/deps.sh $*
