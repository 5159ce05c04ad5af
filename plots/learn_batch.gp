# learn_batch — Recall@1 against the batch size M after 2 epochs (the
# paper's batch figure), Proxy-Anchor (learn_common.gp).
STUDY = "learn_batch"
XCOL = "M"
XLABEL = "batch size M (log scale)"
TITLE = "Recall\\@1 vs batch size: Fashion-MNIST, 784→512→128, D = 128, 2 epochs (reference: 4 epochs)"
REFX = "30 180 360"
REFY = "0.849 0.843 0.838"
XT = "30 60 120 180 240 300 360"
load "plots/learn_common.gp"
