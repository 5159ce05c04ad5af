# dmlbench — the entry points, the shared variables, and the rules by job in mk/*.mk.
#
#   make              build/libdml.a and build/dmlbench
#   make test         install what is missing, build, run every test that needs no cluster
#   make sweep        install what is missing, rerun every study, redraw every figure
#   make help         every target and option, one line each (from the `## ` comments)
#
# No -ffast-math anywhere: the masked LSE needs its inf/NaN guards.  Kernels of
# one ISA get that ISA's flags and only they do (mk/isa.mk); everything else is
# built for the baseline architecture, so the binary picks its kernels at run time.

## CC=clang              the compiler (default gcc)
## SAN=address,undefined  the whole build with those sanitizers, into build-san/
## BUILD=dir              the build directory (default build/)
## OPT=-O3  EXTRA_CFLAGS=-Werror  EXTRA_LDFLAGS=...   more flags (recorded in results)
CC       ?= gcc
SAN      ?=
BUILD    ?= $(if $(SAN),build-san,build)
ARCH     := $(shell $(CC) -dumpmachine | cut -d- -f1)
OPT      ?= -O2
CSTD     := -std=c17
WARN     := -Wall -Wextra
CFLAGS_BASE := $(CSTD) $(OPT) -g $(WARN) -fopenmp -ffp-contract=off -fno-fast-math \
               -Ikernels/include -D_GNU_SOURCE
LDLIBS_BASE := -fopenmp -lm -lpthread
# SAN: no recovery, the first finding ends the program.
SAN_FLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer)
# CFLAGS_ALL is what results record as "the flags"; include paths and -MMD stay out of it.
CFLAGS_ALL  = $(CFLAGS_BASE) $(SAN_FLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL = $(SAN_FLAGS) $(EXTRA_LDFLAGS)
DEPFLAGS := -MMD -MP

.DEFAULT_GOAL := all
.PHONY: all lib clean help
all: $(BUILD)/libdml.a $(BUILD)/dmlbench ## build the library and dmlbench (CC=clang: with clang)
lib: $(BUILD)/libdml.a ## build only build/libdml.a

include mk/isa.mk mk/kernels.mk mk/harness.mk mk/data.mk mk/tests.mk mk/hostile.mk mk/fuzz.mk \
        mk/cross.mk mk/bench.mk mk/sweep.mk mk/cluster.mk mk/deps.mk

clean: ## remove every build directory
	rm -rf $(BUILD) build-aarch64 build-slow

help: ## this list, in the order of the make files
	@sh scripts/make_help.sh $(filter Makefile mk/%.mk,$(MAKEFILE_LIST))

# Header dependencies written by -MMD.
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
