#!/usr/bin/python3
"""torch_train.py — the yardstick of `dmlbench train`: the same recipe in
PyTorch + pytorch-metric-learning, on the same IDX files.

Same network ([conv(1→c) → conv(c→2c), 3×3 stride 2 padding 1, ReLU] →
in → H → D, PyTorch's default inits), same standardisation (one scalar mean
and std over the training pixels), same batches by rule (min(M / K, classes)
classes drawn at random a batch, K items each from a per-class shuffled order
reshuffled when used up, floor(N / M) steps an epoch), same AdamW (lr, weight
decay 1e-4, the proxies at proxy_lr_mult × lr), same retrieval metrics
(cosine, self left out, queries whose class has no other member left out;
Recall@1 and MAP@R as PML's AccuracyCalculator defines them).  The random
streams differ (the two programs draw different batches and initial weights),
so compare over seeds.

The loss: PML's ProxyAnchorLoss / ProxyNCALoss / MultiSimilarityLoss /
TripletMarginLoss when pytorch_metric_learning imports (PML_SRC, or
--pml-src DIR: a source tree, e.g. `git archive v2.8.1` of its repository
unpacked into a temporary directory by `make compare-torch`); otherwise,
Proxy-Anchor only, its formula written out below (PML 2.8.1's
proxy_anchor_loss.py, without the miner weights it does not use here).

One thread (torch.set_num_threads(1), and the BLAS's); training time
excludes evaluations; train_cpu_s is the process's CPU time (all threads).
Prints one JSON object on stdout.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

# One thread everywhere: torch's own pool, and the BLAS it calls (Debian's
# OpenBLAS starts its own threads unless told).  Set before torch loads.
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402


def read_idx(path):
    """An IDX file (gzip or plain) as a numpy array: type 0x08 or 0x0C."""
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, typ, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or typ not in (0x08, 0x0C):
        sys.exit(f"{path}: not an IDX file of type 0x08 or 0x0C")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    dtype = np.uint8 if typ == 0x08 else np.dtype(">i4")
    return np.frombuffer(raw, dtype, offset=4 + 4 * ndim).reshape(dims).astype(
        np.float32 if typ == 0x08 else np.int64)


def idx_path(d, prefix, kind):
    p = os.path.join(d, f"{prefix}-{kind}")
    return p + ".gz" if os.path.exists(p + ".gz") else p


def load(d, split):
    x = read_idx(idx_path(d, split, "images-idx3-ubyte")) / 255.0
    y = read_idx(idx_path(d, split, "labels-idx1-ubyte"))
    return x, y


def net(h, w, conv, H, D):
    layers, c_in = [], 1
    for c in ((conv, 2 * conv) if conv else ()):
        layers += [torch.nn.Conv2d(c_in, c, 3, stride=2, padding=1), torch.nn.ReLU()]
        h, w, c_in = (h + 1) // 2, (w + 1) // 2, c
    layers.append(torch.nn.Flatten())
    n_in = h * w * c_in
    layers += [torch.nn.Linear(n_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D)] if H else [torch.nn.Linear(n_in, D)]
    return torch.nn.Sequential(*layers)


class ProxyAnchorFormula(torch.nn.Module):
    """PML 2.8.1's ProxyAnchorLoss, written out: cos = X̂P̂ᵀ; per proxy,
    log(1 + Σ_pos exp(−α(cos − δ))) averaged over proxies with a positive,
    plus log(1 + Σ_neg exp(α(cos + δ))) averaged over all proxies."""

    def __init__(self, num_classes, embedding_size, margin, alpha):
        super().__init__()
        self.proxies = torch.nn.Parameter(torch.empty(num_classes, embedding_size))
        torch.nn.init.kaiming_normal_(self.proxies, mode="fan_out")
        self.C, self.margin, self.alpha = num_classes, margin, alpha

    def forward(self, x, y):
        cos = torch.nn.functional.normalize(x) @ torch.nn.functional.normalize(self.proxies).t()
        pos = torch.nn.functional.one_hot(y, self.C).bool()
        zero = torch.zeros(1, self.C)
        pl = torch.logsumexp(torch.cat([zero, (-self.alpha * (cos - self.margin)).masked_fill(~pos, -float("inf"))]), 0)
        nl = torch.logsumexp(torch.cat([zero, (self.alpha * (cos + self.margin)).masked_fill(pos, -float("inf"))]), 0)
        with_pos = pos.any(0)
        return pl[with_pos].sum() / with_pos.sum() + nl.sum() / self.C


def make_loss(a, C):
    try:
        from pytorch_metric_learning import losses
        import pytorch_metric_learning
        version = pytorch_metric_learning.__version__
    except ImportError:
        if a.loss != "proxy_anchor":
            sys.exit("torch_train.py: pytorch_metric_learning does not import (PML_SRC / --pml-src); "
                     "without it only proxy_anchor is written out here")
        return ProxyAnchorFormula(C, a.D, a.delta, a.alpha), "formula (PML 2.8.1 proxy_anchor_loss.py)"
    if a.loss == "proxy_anchor":
        f = losses.ProxyAnchorLoss(C, a.D, margin=a.delta, alpha=a.alpha)
    elif a.loss == "proxy_nca":
        f = losses.ProxyNCALoss(C, a.D, softmax_scale=a.scale)
    elif a.loss == "ms":
        f = losses.MultiSimilarityLoss(alpha=2, beta=50, base=0.5)
    else:
        f = losses.TripletMarginLoss(margin=0.1)
    return f, "pytorch_metric_learning " + version


class Sampler:
    """The batches of harness/train/sampler.c, by rule (not by stream)."""

    def __init__(self, y, M, K, rng):
        self.M, self.rng = M, rng
        self.C = int(y.max()) + 1
        self.order = [rng.permutation(np.flatnonzero(y == c)) for c in range(self.C)]
        self.pos = [0] * self.C
        want = max(1, M // K) if K else M
        self.nc = min(want, self.C)

    def draw(self, c):
        if self.pos[c] == len(self.order[c]):
            self.order[c] = self.rng.permutation(self.order[c])
            self.pos[c] = 0
        self.pos[c] += 1
        return self.order[c][self.pos[c] - 1]

    def next(self):
        classes = self.rng.choice(self.C, self.nc, replace=False)
        k, extra = divmod(self.M, self.nc)
        return np.array([self.draw(c) for i, c in enumerate(classes) for _ in range(k + (i < extra))])


def retrieval(E, y):
    """Recall@1 and MAP@R (PML AccuracyCalculator's definitions), in blocks."""
    E = torch.nn.functional.normalize(E)
    y = torch.as_tensor(y)
    counts = torch.bincount(y)
    R = counts[y] - 1
    keep = R > 0
    r1 = map_r = 0.0
    Rmax = int(R.max())
    for i0 in range(0, len(E), 1024):
        S = E[i0:i0 + 1024] @ E.t()
        S[torch.arange(len(S)), torch.arange(i0, i0 + len(S))] = -float("inf")
        idx = S.topk(Rmax, dim=1).indices
        rel = (y[idx] == y[i0:i0 + len(S), None]).float()
        Ri = R[i0:i0 + len(S)]
        mask = (torch.arange(Rmax)[None, :] < Ri[:, None]).float()
        rel = rel * mask
        prec = rel.cumsum(1) / torch.arange(1, Rmax + 1)[None, :]
        ap = (prec * rel).sum(1) / Ri.clamp(min=1)
        k = keep[i0:i0 + len(S)]
        r1 += rel[k, 0].sum().item()
        map_r += ap[k].sum().item()
    n = int(keep.sum())
    return r1 / n, map_r / n, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    # closed (Fashion-MNIST: the test set has the training set's classes) reads
    # the same files as test: train-* and t10k-*
    ap.add_argument("--protocol", default="test", choices=["val", "test", "closed"])
    ap.add_argument("--loss", default="proxy_anchor", choices=["proxy_anchor", "proxy_nca", "ms", "triplet"])
    for k, v in (("M", 180), ("D", 128), ("H", 512), ("conv", 0), ("per-class", 0), ("epochs", 4), ("seed", 0),
                 ("eval-every", 1)):
        ap.add_argument("--" + k, type=int, default=v)
    for k, v in (("lr", 1e-3), ("wd", 1e-4), ("proxy-lr-mult", 100.0), ("alpha", 32.0), ("delta", 0.1),
                 ("scale", 8.0)):
        ap.add_argument("--" + k, type=float, default=v)
    ap.add_argument("--pml-src", default=os.environ.get("PML_SRC"))
    a = ap.parse_args()
    if a.pml_src:
        sys.path.insert(0, a.pml_src)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    xtr, ytr = load(a.data, "train")
    xev, yev = load(a.data, "val" if a.protocol == "val" else "t10k")
    mean, std = float(xtr.mean(dtype=np.float64)), float(xtr.std(dtype=np.float64))
    xtr = torch.from_numpy((xtr - mean) / std).float().unsqueeze(1)
    xev = torch.from_numpy((xev - mean) / std).float().unsqueeze(1)
    if not a.conv:
        xtr, xev = xtr.flatten(1), xev.flatten(1)
    C = int(ytr.max()) + 1
    model = net(xtr.shape[-2] if a.conv else xtr.shape[1], xtr.shape[-1] if a.conv else 1, a.conv, a.H, a.D)
    loss_fn, loss_impl = make_loss(a, C)
    groups = [{"params": model.parameters(), "lr": a.lr}]
    if list(loss_fn.parameters()):
        groups.append({"params": loss_fn.parameters(), "lr": a.lr * a.proxy_lr_mult})
    opt = torch.optim.AdamW(groups, lr=a.lr, weight_decay=a.wd)
    smp = Sampler(ytr, a.M, a.per_class, rng)
    rows, steps = train(a, model, loss_fn, opt, smp, xtr, torch.from_numpy(ytr), xev, yev)
    print(json.dumps({"program": "torch", "torch": torch.__version__, "loss_impl": loss_impl,
                      "threads": torch.get_num_threads(), "steps_per_epoch": steps,
                      "args": vars(a), "rows": rows}))


def train(a, model, loss_fn, opt, smp, xtr, ytr_t, xev, yev):
    """The epochs; an evaluation every eval_every (and the last), not timed."""
    steps = len(ytr_t) // a.M
    rows, train_s, cpu_s = [], 0.0, 0.0
    for epoch in range(1, a.epochs + 1):
        t0, c0, total = time.perf_counter(), time.process_time(), 0.0
        for _ in range(steps):
            idx = torch.from_numpy(smp.next())
            loss = loss_fn(model(xtr[idx]), ytr_t[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
        train_s += time.perf_counter() - t0
        cpu_s += time.process_time() - c0
        if epoch % a.eval_every and epoch != a.epochs:
            continue
        with torch.no_grad():
            E = torch.cat([model(xev[i:i + 1000]) for i in range(0, len(xev), 1000)])
        r1, mapr, nq = retrieval(E, yev)
        rows.append({"epoch": epoch, "train_s": round(train_s, 4), "train_cpu_s": round(cpu_s, 4),
                     "loss": total / steps, "recall_at_1": r1, "map_at_r": mapr, "queries": nq})
        print(f"torch: epoch {epoch}/{a.epochs}  {train_s:.2f} s (CPU {cpu_s:.2f} s)  loss {total / steps:.5f}  R@1 {r1:.4f}",
              file=sys.stderr)
    return rows, steps


if __name__ == "__main__":
    main()
