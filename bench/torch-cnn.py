"""torch-cnn.py - the Fashion-MNIST CNN of issue 5 in PyTorch on one CPU thread (the native reference).

Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten
-> Dense(128, relu) -> Dense(10, softmax fused into the cross-entropy as nnplay fuses it);
Adam 1e-3 with eps 1e-7 (TF.js's and nnplay's), batch 32, Glorot (Xavier) uniform kernels (for
convolutions PyTorch's fans are the same as TF's: receptive field times channels in / out) and zero
biases. PyTorch is channels-first: images go in as [N, 1, 28, 28].

Speed as bench/cnn.c measures it: after --warmup batches, --runs runs each train one epoch over the
first --batches batches (the same model goes on learning); samples/s is the median over runs, in
process CPU time and wall time. With --epochs N > 0 a fresh model then trains N epochs over all
60,000 images, scoring the test set after each (untimed).

Run with Debian's python3-torch:
  /usr/bin/python3 bench/torch-cnn.py [--batches N] [--warmup N] [--runs N] [--epochs N] [--seed N]
Prints one JSON line last on stdout; progress goes to stderr.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import torch

# The idx reader and the epoch loop are the MLP bench's (a file name with a dash: load it by path).
_spec = importlib.util.spec_from_file_location("torch_mlp", os.path.join(os.path.dirname(__file__), "torch-mlp.py"))
torch_mlp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(torch_mlp)


def cnn():
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.batches < 1 or args.warmup < 0 or args.runs < 1 or args.epochs < 0:
        ap.error("--batches and --runs must be >= 1, --warmup and --epochs >= 0")
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    x, y, xt, yt = torch_mlp.load(0 if args.epochs else 32 * max(args.batches, args.warmup))
    x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)

    model, opt = cnn()
    n_run = min(len(x), 32 * args.batches)
    torch_mlp.train_epoch(model, opt, x[:32 * args.warmup], y[:32 * args.warmup])
    cpu, wall = [], []
    for r in range(args.runs):
        c0, w0 = time.process_time(), time.perf_counter()
        torch_mlp.train_epoch(model, opt, x[:n_run], y[:n_run])
        cpu.append(round(n_run / (time.process_time() - c0)))
        wall.append(round(n_run / (time.perf_counter() - w0)))
        print(f"pytorch-cnn: run {r + 1}: {cpu[-1]} samples/s over {n_run} samples", file=sys.stderr, flush=True)

    accs, epoch_cpu = [], []
    if args.epochs:
        model, opt = cnn()
        for epoch in range(args.epochs):
            c0 = time.process_time()
            torch_mlp.train_epoch(model, opt, x, y)
            epoch_cpu.append(round(len(x) / (time.process_time() - c0)))
            with torch.no_grad():
                pred = torch.cat([model(xt[i:i + 1000]).argmax(1) for i in range(0, len(xt), 1000)])
                accs.append(round((pred == yt).float().mean().item(), 4))
            print(f"pytorch-cnn: epoch {epoch + 1}: {epoch_cpu[-1]} samples/s, test accuracy {accs[-1]:.4f}",
                  file=sys.stderr, flush=True)
    print(json.dumps({
        "system": "pytorch", "batch": 32, "batches": n_run // 32, "runs": args.runs,
        "samples_per_s": round(statistics.median(cpu)), "wall_samples_per_s": round(statistics.median(wall)),
        "run_samples_per_s": cpu, "run_wall_samples_per_s": wall,
        "epochs": args.epochs, "train_samples": len(x) if args.epochs else 0, "test_accuracy": accs,
        **({"epoch_samples_per_s": epoch_cpu, "epoch_median_samples_per_s": round(statistics.median(epoch_cpu))}
           if epoch_cpu else {}),
        "torch": torch.__version__, "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
