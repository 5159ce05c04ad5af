# learn_glyph_dim — Proxy-Anchor against the embedding dimension D on the
# glyph validation classes (glyph_common.gp).
STUDY = "learn_glyph_dim"
XCOL = "D"
XLABEL = "embedding dimension D (log scale)"
TITLE = "Glyphs, 300 validation classes: Proxy-Anchor vs embedding dimension, 1024→512→D, M = 180, proxies at 1 × lr, 4 epochs"
XT = "64 512 1024"
load "plots/glyph_common.gp"
