"""torch-mlp.py - the Fashion-MNIST MLP in PyTorch on one CPU thread (the native reference).

784-128-10 (relu, softmax fused into the cross-entropy as nnplay fuses it), Adam 1e-3 with
eps 1e-7 (TF.js's and nnplay's), batch 32, a fresh shuffle each epoch, Glorot (Xavier) uniform
kernels and zero biases as TF.js and nnplay initialize them. Each epoch is timed on its own, in
process CPU time (the ranking figure on a shared machine) and wall time; the test set is evaluated
after it, untimed.

Run with Debian's python3-torch:  /usr/bin/python3 bench/torch-mlp.py [--epochs N] [--limit N]
Prints one JSON line last on stdout; progress goes to stderr.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(name, limit):
    """The first `limit` items (0 = all) of a gzipped idx file of bytes, as a numpy array."""
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f"{name}: not an idx file of bytes")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims)
    return data[:limit] if limit > 0 else data


def load(limit):
    x = torch.from_numpy(read_idx("train-images-idx3-ubyte.gz", limit).reshape(-1, 784) / np.float32(255))
    y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz", limit).astype(np.int64))
    xt = torch.from_numpy(read_idx("t10k-images-idx3-ubyte.gz", 0).reshape(-1, 784) / np.float32(255))
    yt = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz", 0).astype(np.int64))
    return x.float(), y, xt.float(), yt


def mlp():
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)


def train_epoch(model, opt, x, y, batch=32):
    loss_fn = torch.nn.functional.cross_entropy
    perm = torch.randperm(len(x))
    for i in range(0, len(x), batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    x, y, xt, yt = load(args.limit)

    model, opt = mlp()  # warm-up on a throwaway model
    train_epoch(model, opt, x[:4096], y[:4096])

    model, opt = mlp()
    cpu, wall, accs = [], [], []
    for epoch in range(args.epochs):
        c0, w0 = time.process_time(), time.perf_counter()
        train_epoch(model, opt, x, y)
        cpu.append(round(len(x) / (time.process_time() - c0)))
        wall.append(round(len(x) / (time.perf_counter() - w0)))
        with torch.no_grad():
            accs.append(round((model(xt).argmax(1) == yt).float().mean().item(), 4))
        print(f"pytorch: epoch {epoch + 1}: {cpu[-1]} samples/s, test accuracy {accs[-1]:.4f}",
              file=sys.stderr, flush=True)
    print(json.dumps({
        "system": "pytorch", "train_samples": len(x), "epochs": args.epochs,
        "samples_per_s": round(statistics.median(cpu)), "wall_samples_per_s": round(statistics.median(wall)),
        "run_samples_per_s": cpu, "run_wall_samples_per_s": wall, "test_accuracy": accs,
        "torch": torch.__version__, "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
