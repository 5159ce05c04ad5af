# data.mk — the data sets dmlbench builds (dmlbench data SET; harness/data/,
# docs/datasets.md).  The glyph set: Han characters drawn with FreeType from
# the CJK font packages of harness/data/glyph_fonts.txt (31 packages, 269 MB
# to download), a class-disjoint train/val/test split in IDX files and a
# manifest.json, into GLYPHS_DIR.

## GLYPHS_DIR=build/glyphs  where make data-glyphs writes the glyph set
## GLYPHS_ARGS='--classes 22700 --min-faces 6'  more options of dmlbench data glyphs (SOP scale)
GLYPHS_DIR  ?= build/glyphs
GLYPHS_ARGS ?=

.PHONY: data-glyphs test-glyphs
data-glyphs: deps-glyphs ## install FreeType and the CJK fonts, build the glyph set (2 000 classes x 32) into GLYPHS_DIR
	@$(MAKE) --no-print-directory all
	$(BUILD)/dmlbench data glyphs --out $(GLYPHS_DIR) --packages-file harness/data/glyph_fonts.txt $(GLYPHS_ARGS)

test-glyphs: deps-test ## the glyph set's shell tests alone (make test runs them)
	@$(MAKE) --no-print-directory all
	bash tests/shell/glyph_test.sh $(BUILD)/dmlbench
