"""torch-lstm.py - bench/lstm.c's text model in PyTorch on one CPU thread (the native reference):
Embedding(10000, 64) -> LSTM(128) (last state) -> Linear(1) with the sigmoid fused into the binary
cross-entropy, as nnplay fuses it; Adam 1e-3 with eps 1e-7, batch 32, sequences of 100 ids.
PyTorch's nn.LSTM has no recurrent dropout (its dropout acts between stacked layers), so this is the
model without dropout: compare it with `bench_lstm --no-dropout`.

Speed only (synthetic ids and labels): after --warmup batches, --runs runs each train --batches
batches; samples/s is the median over runs in process CPU time and wall time.
Run with Debian's python3-torch:
  /usr/bin/python3 bench/torch-lstm.py [--batches N] [--warmup N] [--runs N]
Prints one JSON line last on stdout; progress goes to stderr.
"""
import argparse
import json
import statistics
import sys
import time

import torch

BATCH, VOCAB, STEPS = 32, 10000, 100


class TextModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCAB, 64)
        self.lstm = torch.nn.LSTM(64, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 1)

    def forward(self, x):
        h, _ = self.lstm(self.embedding(x))
        return self.out(h[:, -1, :]).squeeze(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    n = max(a.batches, a.warmup) * BATCH
    x = torch.randint(0, VOCAB, (n, STEPS))
    y = (torch.arange(n) % 2).float()
    model = TextModel()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def train(count):
        for b in range(0, count * BATCH, BATCH):
            opt.zero_grad()
            loss = loss_fn(model(x[b:b + BATCH]), y[b:b + BATCH])
            loss.backward()
            opt.step()

    train(a.warmup)
    cpu, wall = [], []
    for r in range(a.runs):
        c0, w0 = time.process_time(), time.perf_counter()
        train(a.batches)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        print(f"torch-lstm: run {r + 1}: {a.batches * BATCH / cpu[-1]:.0f} samples/s", file=sys.stderr)
    rates = [a.batches * BATCH / t for t in cpu]
    wrates = [a.batches * BATCH / t for t in wall]
    print(json.dumps({"system": "pytorch", "batch": BATCH, "batches": a.batches, "runs": a.runs,
                      "run_samples_per_s": [round(r) for r in rates], "samples_per_s": round(statistics.median(rates)),
                      "run_wall_samples_per_s": [round(r) for r in wrates],
                      "wall_samples_per_s": round(statistics.median(wrates)), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
