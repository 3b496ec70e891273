"""torch-text.py - bench/text.c's and bench/charlm.c's models in PyTorch on one CPU thread (the
native reference), reading the same token files (tools/bench.mjs writes them; layout in
bench/lib.mjs encodeTokens). Adam 1e-3 with TF.js's epsilon 1e-7, batch 32 throughout.

--task mail (default): Embedding(10000, 64) -> LSTM(128) | GRU(128) | RNN(128, tanh) (--cell), the
last state -> Linear(1), the sigmoid fused into the binary cross-entropy as nnplay fuses it.
  Speed: after --warmup batches, --runs runs each train the first --batches batches of the
  training messages; samples/s is the median over runs, process CPU time and wall time (--runs 0
  skips it). No dropout: PyTorch's recurrent layers have no recurrent dropout.
  Accuracy (--epochs N): a fresh model trains N shuffled epochs over the training messages and
  scores the test messages after each. --init FILE starts it from nnplay's initial weights (a
  bench_util.h save_params file, TF.js's layouts, converted below); --dropout P applies Keras's
  input dropout (one mask per sample for every step, on the embeddings, the LSTM's `dropout`).
  Keras's recurrent_dropout has no counterpart in nn.LSTM (a Python loop over LSTMCell runs
  about 10x slower here), so it is left out and said so in the output.
--task charlm: Embedding(vocab, 64) -> LSTM(128) on every step -> Linear(vocab), cross-entropy
  per step, from --init (bench_charlm's initial weights) over --order (its batches, in order):
  the loss of each step, to lay beside nnplay's.

Run with Debian's python3-torch (OMP_NUM_THREADS=1):
  /usr/bin/python3 bench/torch-text.py --data FILE [--task mail|charlm] [--cell lstm|gru|rnn]
      [--batches N] [--warmup N] [--runs N] [--epochs N] [--seed N] [--init FILE] [--dropout P] [--order FILE]
Prints one JSON line last on stdout; progress goes to stderr.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch

BATCH, EMBED, UNITS = 32, 64, 128


def log(*a):
    print("torch-text:", *a, file=sys.stderr)


def read_tokens(path):
    """A bench token file: dict(count, steps, train, vocab, ids int64 [count, steps], labels uint8 [count])."""
    raw = open(path, "rb").read()
    if raw[:8] != b"NNBTOKS1":
        raise SystemExit(f"torch-text: {path} is not a bench token file")
    count, steps, train, vocab = np.frombuffer(raw, "<u4", 4, 8).tolist()
    if len(raw) != 24 + 4 * count * steps + count:
        raise SystemExit(f"torch-text: {path}: its size does not match its header")
    ids = np.frombuffer(raw, "<i4", count * steps, 24).astype(np.int64).reshape(count, steps)
    labels = np.frombuffer(raw, "u1", count, 24 + 4 * count * steps)
    return dict(count=count, steps=steps, train=train, vocab=vocab, ids=ids, labels=labels)


def read_params(path):
    """nnplay's parameter array (bench_util.h save_params) as a float32 numpy array."""
    raw = open(path, "rb").read()
    n = int(np.frombuffer(raw, "<u8", 1, 8)[0]) if raw[:8] == b"NNBPARAM" else -1
    if n < 0 or len(raw) != 16 + 4 * n:
        raise SystemExit(f"torch-text: {path} is not a parameter file")
    return np.frombuffer(raw, "<f4", n, 16)


class Taker:
    """Consumes a flat parameter array in order, tensor by tensor."""

    def __init__(self, flat):
        self.flat, self.at = flat, 0

    def take(self, *shape):
        n = int(np.prod(shape))
        if self.at + n > len(self.flat):
            raise SystemExit("torch-text: the parameter file is too short for this model")
        t = torch.from_numpy(self.flat[self.at:self.at + n].copy()).reshape(shape)
        self.at += n
        return t

    def done(self):
        if self.at != len(self.flat):
            raise SystemExit(f"torch-text: the parameter file holds {len(self.flat)} values, the model {self.at}")


def load_recurrent(rnn, cell, p, n_in):
    """TF.js's kernel [in, k*u], recurrent_kernel [u, k*u], bias into PyTorch's weight_ih [k*u, in],
    weight_hh, bias_ih. LSTM gates i, f, c, o = PyTorch's i, f, g, o. Keras's LSTM and SimpleRNN
    have one bias where PyTorch adds two: bias_hh is set to zero and frozen, or both would learn the
    same gradient and the bias would move at twice Keras's pace. GRU (Keras 2's resetAfter: bias
    [2, 3u], input and recurrent rows, both trained, as PyTorch's): gates z, r, h reordered to
    PyTorch's r, z, n; the recurrent row goes to bias_hh, inside r * (W_hn h + b_hn) as Keras's."""
    k = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    kernel, rec = p.take(n_in, k * UNITS), p.take(UNITS, k * UNITS)
    if cell == "gru":
        bias = p.take(2, k * UNITS)
        order = torch.cat([torch.arange(UNITS, 2 * UNITS), torch.arange(0, UNITS), torch.arange(2 * UNITS, 3 * UNITS)])
        kernel, rec, b_ih, b_hh = kernel[:, order], rec[:, order], bias[0][order], bias[1][order]
    else:
        b_ih, b_hh = p.take(k * UNITS), torch.zeros(k * UNITS)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(kernel.t())
        rnn.weight_hh_l0.copy_(rec.t())
        rnn.bias_ih_l0.copy_(b_ih)
        rnn.bias_hh_l0.copy_(b_hh)
    if cell != "gru":
        rnn.bias_hh_l0.requires_grad_(False)


class MailModel(torch.nn.Module):
    def __init__(self, cell, vocab, dropout=0.0):
        super().__init__()
        self.cell, self.dropout = cell, dropout
        self.embedding = torch.nn.Embedding(vocab, EMBED)
        kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
        self.rnn = kind(EMBED, UNITS, batch_first=True)
        self.out = torch.nn.Linear(UNITS, 1)

    def forward(self, x):
        e = self.embedding(x)
        if self.training and self.dropout > 0:  # Keras's input dropout: one mask per sample, every step
            keep = 1 - self.dropout
            e = e * (torch.rand(e.shape[0], 1, e.shape[2]) < keep).float() / keep
        h, _ = self.rnn(e)
        return self.out(h[:, -1, :]).squeeze(1)

    def load_nnplay(self, flat):
        p = Taker(flat)
        with torch.no_grad():
            self.embedding.weight.copy_(p.take(self.embedding.num_embeddings, EMBED))
            load_recurrent(self.rnn, self.cell, p, EMBED)
            self.out.weight.copy_(p.take(UNITS, 1).t())
            self.out.bias.copy_(p.take(1))
        p.done()


class CharModel(torch.nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, EMBED)
        self.rnn = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
        self.out = torch.nn.Linear(UNITS, vocab)

    def forward(self, x):
        h, _ = self.rnn(self.embedding(x))
        return self.out(h)

    def load_nnplay(self, flat):
        p = Taker(flat)
        vocab = self.embedding.num_embeddings
        with torch.no_grad():
            self.embedding.weight.copy_(p.take(vocab, EMBED))
            load_recurrent(self.rnn, "lstm", p, EMBED)
            self.out.weight.copy_(p.take(UNITS, vocab).t())
            self.out.bias.copy_(p.take(vocab))
        p.done()


def adam(model):
    return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3, eps=1e-7)


def mail(a):
    d = read_tokens(a.data)
    n = d["train"]
    x = torch.from_numpy(d["ids"])
    y = torch.from_numpy(d["labels"].astype(np.float32))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    out = {"system": "pytorch", "task": "mail", "cell": a.cell, "batch": BATCH, "seed": a.seed, "torch": torch.__version__,
           "blas": blas_library(), "threads": torch.get_num_threads()}

    def step(model, opt, xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    if a.runs > 0:  # speed: no dropout on either side
        torch.manual_seed(a.seed)
        model = MailModel(a.cell, d["vocab"])
        opt = adam(model)
        n_run, n_warm = min(a.batches * BATCH, n), min(a.warmup * BATCH, n)
        for b in range(0, n_warm, BATCH):
            step(model, opt, x[b:b + BATCH], y[b:b + BATCH])
        cpu, wall = [], []
        for r in range(a.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            for b in range(0, n_run, BATCH):
                step(model, opt, x[b:b + BATCH], y[b:b + BATCH])
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            log(f"run {r + 1}: {n_run / cpu[-1]:.0f} samples/s over {n_run} samples")
        rates = [n_run / t for t in cpu]
        wrates = [n_run / t for t in wall]
        out.update(batches=n_run // BATCH, runs=a.runs, run_samples_per_s=[round(r, 1) for r in rates],
                   samples_per_s=round(statistics.median(rates), 1), run_wall_samples_per_s=[round(r, 1) for r in wrates],
                   wall_samples_per_s=round(statistics.median(wrates), 1))

    acc, epoch_rates = [], []
    if a.epochs > 0:
        torch.manual_seed(a.seed)
        model = MailModel(a.cell, d["vocab"], a.dropout)
        if a.init:
            model.load_nnplay(read_params(a.init))
        opt = adam(model)
        xt, yt = x[n:], y[n:]
        for e in range(a.epochs):
            model.train()
            c0 = time.process_time()
            perm = torch.randperm(n)
            for b in range(0, n, BATCH):
                idx = perm[b:b + BATCH]
                step(model, opt, x[idx], y[idx])
            epoch_rates.append(n / (time.process_time() - c0))
            model.eval()
            with torch.no_grad():
                acc.append(((model(xt) > 0).float() == yt).float().mean().item())
            log(f"epoch {e + 1}: {epoch_rates[-1]:.0f} samples/s, test accuracy {acc[-1]:.4f}")
        out.update(dropout=a.dropout, recurrent_dropout=0, init="nnplay" if a.init else "pytorch",
                   epoch_samples_per_s=[round(r) for r in epoch_rates],
                   epoch_median_samples_per_s=round(statistics.median(epoch_rates)))
    out.update(epochs=a.epochs, train_samples=n, test_samples=d["count"] - n, test_accuracy=[round(v, 4) for v in acc])
    print(json.dumps(out))


def charlm(a):
    d = read_tokens(a.data)
    ids = torch.from_numpy(d["ids"].reshape(-1))
    if not a.init or not a.order:
        raise SystemExit("torch-text: --task charlm needs --init and --order (bench_charlm writes them)")
    order = json.load(open(a.order))
    seq, batch, starts = order["seq"], order["batch"], torch.tensor(order["starts"])
    model = CharModel(d["vocab"])
    model.load_nnplay(read_params(a.init))
    opt = adam(model)
    loss_fn = torch.nn.CrossEntropyLoss()
    offsets = torch.arange(seq)
    losses = []
    c0, w0 = time.process_time(), time.perf_counter()
    for s in range(len(starts) // batch):
        pos = starts[s * batch:(s + 1) * batch, None] + offsets  # [batch, seq]
        opt.zero_grad()
        loss = loss_fn(model(ids[pos]).reshape(-1, d["vocab"]), ids[pos + 1].reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if (s + 1) % 50 == 0 or s == 0:
            log(f"step {s + 1}: loss {losses[-1]:.4f}")
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    print(json.dumps({"system": "pytorch", "task": "charlm", "vocab": d["vocab"], "seq": seq, "batch": batch,
                      "steps": len(losses), "samples_per_s": round(len(losses) * batch / cpu, 1),
                      "wall_samples_per_s": round(len(losses) * batch / wall, 1),
                      "losses": [float(f"{v:.6g}") for v in losses], "torch": torch.__version__, "blas": blas_library()}))


def blas_library():
    """Which libblas this process loaded (Debian's torch calls the system BLAS: reference or OpenBLAS)."""
    try:
        libs = {line.split()[-1] for line in open("/proc/self/maps") if "libblas" in line or "openblas" in line}
    except OSError:
        return None
    return "openblas" if any("openblas" in l and "libblas" in l for l in libs) else "reference" if libs else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--task", choices=["mail", "charlm"], default="mail")
    p.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    p.add_argument("--batches", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--epochs", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--init")
    p.add_argument("--order")
    p.add_argument("--dropout", type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.task == "charlm":
        charlm(a)
    elif a.runs < 1 and a.epochs < 1:
        raise SystemExit("torch-text: nothing to do (--runs 0 and --epochs 0)")
    else:
        mail(a)


if __name__ == "__main__":
    main()
