# learn_glyph_sample — Proxy-Anchor's Recall@1 and MAP@R with sampled proxies
# (proxy_sample r = 0.1 and 1) on the glyph validation classes
# (glyph_common.gp: the median of three seeds, bars their min-max).
STUDY = "learn_glyph_sample"
XCOL = "proxy_sample"
XLABEL = "sampled proxies r (share of the classes a step uses; log scale)"
TITLE = "Glyphs, validation classes: Proxy-Anchor with sampled proxies, 1024→512→128, D = 128, M = 180, proxies at 1 × lr, 1 epoch"
XT = "0.1 1"
load "plots/glyph_common.gp"
