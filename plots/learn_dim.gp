# learn_dim — Recall@1 against the embedding dimension D after 2 epochs
# (the paper's dimension figure), Proxy-Anchor
# (learn_common.gp).
STUDY = "learn_dim"
XCOL = "D"
XLABEL = "embedding dimension D (log scale)"
TITLE = "Recall\\@1 vs embedding dimension: Fashion-MNIST, 784→512→D, M = 180, 2 epochs (reference: 4 epochs)"
REFX = "16 128 512"
REFY = "0.831 0.843 0.843"
XT = "16 64 128 256 512 1024"
load "plots/learn_common.gp"
