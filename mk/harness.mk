# harness.mk — the `dmlbench` program, and the one link rule of every program.

# main.c and every .c of the rooms (harness/<room>/*.c); the standalone
# programs of harness/bench/count/ and harness/bench/tools/ are not in it.
# Rooms include by room ("core/timing.h"), hence -Iharness, kept out of
# CFLAGS_ALL: include paths are not the flags a result records.
HARNESS_SRCS := $(wildcard harness/*.c harness/*/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/%.o)
HARNESS_LIB_OBJS = $(filter-out $(BUILD)/harness/main.o,$(HARNESS_OBJS))
HARNESS_INC  := -Iharness

# hwloc (topology, thread binding) when pkg-config finds it; zlib reads the
# gzip IDX files of `dmlbench train` (without it, only unpacked IDX files).
HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS   := $(shell pkg-config --libs hwloc 2>/dev/null)
ifneq ($(HWLOC_LIBS),)
  HARNESS_DEFS := -DDML_HAVE_HWLOC $(HWLOC_CFLAGS)
endif
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null)
ifneq ($(ZLIB_LIBS),)
  HARNESS_DEFS += -DDML_HAVE_ZLIB
endif
# FreeType draws the glyph set (dmlbench data glyphs, harness/data/); without it
# (the AArch64 cross build) that command says so and stops.
FT_CFLAGS := $(shell pkg-config --cflags freetype2 2>/dev/null)
FT_LIBS   := $(shell pkg-config --libs freetype2 2>/dev/null)
ifneq ($(FT_LIBS),)
  HARNESS_DEFS += -DDML_HAVE_FREETYPE $(FT_CFLAGS)
endif

$(BUILD)/harness/%.o: harness/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(HARNESS_INC) $(DEPFLAGS) $(HARNESS_DEFS) -DDML_BUILD_FLAGS='"$(CFLAGS_ALL)"' -c $< -o $@

# The train room's element-wise loops (AdamW's sqrtf) vectorise only without
# errno; -fno-math-errno changes no IEEE result (unlike -ffast-math).
$(BUILD)/harness/train/%.o: HARNESS_DEFS += -fno-math-errno

# The one link rule: a program's objects, then the libraries it lists among
# its prerequisites, then the base libraries and its own (TOOL_LIBS,
# TOOL_LDFLAGS as target-specific variables).  Every program uses it.
LINK = $(CC) $(LDFLAGS_ALL) $(TOOL_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS_BASE) $(TOOL_LIBS)

# dmlbench dlopen()s OpenBLAS for `bench` (glibc >= 2.34 has dlopen in libc).
$(BUILD)/dmlbench: TOOL_LIBS = -ldl $(HWLOC_LIBS) $(ZLIB_LIBS) $(FT_LIBS)
$(BUILD)/dmlbench: $(HARNESS_OBJS) $(BUILD)/libdml.a
	$(LINK)
