// tiny-js.mjs - the reference for the tiny-network benchmark: a fully connected net trained one
// sample at a time in plain JavaScript over Float64Arrays, the way TF Playground's own network
// code works (per-sample forward and backward passes, gradients summed over a mini-batch, then
// one plain SGD step with their mean). Hidden layers use tanh; the single output uses a sigmoid
// with binary cross-entropy, so the output delta is simply p - y.

/** Glorot uniform weights and zero biases, drawn from `random()` (a function giving [0, 1)). */
export class TinyNet {
  constructor(sizes, random) {
    this.sizes = sizes;
    this.layers = [];
    for (let l = 1; l < sizes.length; l++) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const limit = Math.sqrt(6 / (nIn + nOut));
      const w = new Float64Array(nIn * nOut).map(() => (2 * random() - 1) * limit); // w[i * nOut + j]
      this.layers.push({ nIn, nOut, w, b: new Float64Array(nOut), gw: new Float64Array(nIn * nOut),
        gb: new Float64Array(nOut), a: new Float64Array(nOut), delta: new Float64Array(nOut) });
    }
    this.last = this.layers[this.layers.length - 1];
  }

  /** Forward one sample (x[off ... off + sizes[0])); returns the output's first value. */
  forward(x, off) {
    let input = x;
    let base = off;
    for (const L of this.layers) {
      const isOut = L === this.last;
      for (let j = 0; j < L.nOut; j++) {
        let z = L.b[j];
        for (let i = 0; i < L.nIn; i++) z += input[base + i] * L.w[i * L.nOut + j];
        L.a[j] = isOut ? 1 / (1 + Math.exp(-z)) : Math.tanh(z);
      }
      input = L.a;
      base = 0;
    }
    return this.last.a[0];
  }

  /** Backward for the sample just forwarded with label y; adds into the gradient sums. */
  backward(x, off, y) {
    const { layers } = this;
    this.last.delta[0] = this.last.a[0] - y; // sigmoid + binary cross-entropy
    for (let l = layers.length - 1; l >= 0; l--) {
      const L = layers[l];
      const prev = l > 0 ? layers[l - 1] : null;
      const input = prev ? prev.a : x;
      const base = prev ? 0 : off;
      for (let j = 0; j < L.nOut; j++) L.gb[j] += L.delta[j];
      for (let i = 0; i < L.nIn; i++) {
        const v = input[base + i];
        let back = 0;
        for (let j = 0; j < L.nOut; j++) {
          L.gw[i * L.nOut + j] += v * L.delta[j];
          back += L.w[i * L.nOut + j] * L.delta[j];
        }
        if (prev) prev.delta[i] = back * (1 - v * v); // tanh'(z) = 1 - tanh(z)^2
      }
    }
  }

  /** w -= lr * (mean gradient over `count` samples); clears the sums. */
  step(lr, count) {
    const s = lr / count;
    for (const L of this.layers) {
      for (let k = 0; k < L.w.length; k++) { L.w[k] -= s * L.gw[k]; L.gw[k] = 0; }
      for (let k = 0; k < L.b.length; k++) { L.b[k] -= s * L.gb[k]; L.gb[k] = 0; }
    }
  }

  /** One epoch of mini-batch SGD over n samples (x: n rows, y: n labels) in the order `order`. */
  trainEpoch(x, y, n, order, batchSize, lr) {
    const d = this.sizes[0];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      for (let k = start; k < end; k++) {
        const i = order[k];
        this.forward(x, i * d);
        this.backward(x, i * d, y[i]);
      }
      this.step(lr, end - start);
    }
  }
}
