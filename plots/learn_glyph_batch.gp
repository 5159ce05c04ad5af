# learn_glyph_batch — Proxy-Anchor against the batch size M on the glyph
# validation classes (glyph_common.gp).
STUDY = "learn_glyph_batch"
XCOL = "M"
XLABEL = "batch size M (4 drawings a class: M / 4 classes a batch; log scale)"
TITLE = "Glyphs, 300 validation classes: Proxy-Anchor vs batch size, 1024→512→128, D = 128, proxies at 1 × lr, 4 epochs"
XT = "60 180 360"
load "plots/glyph_common.gp"
