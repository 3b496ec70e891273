// Every bad input gets a thrown Error whose message names the problem, and the module keeps
// working afterwards (each case ends by training and predicting a small model).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../wasm/nnplay.js';
import { assertStillWorks, smallModel, XOR_X, XOR_Y } from './helpers.mjs';

before(async () => { await nn.ready(); });

/** fn (sync or async) must throw an Error matching re; then the module must still work. */
async function fails(fn, re) {
  let err = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected an error matching ${re}, but nothing was thrown`);
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  assert.match(err.message, re);
  assert.match(err.message, /^nnplay: /, 'messages say where they come from');
  await assertStillWorks();
  return err;
}

const dense = (units, extra = {}) => nn.layers.dense({ units, ...extra });
const classifier = (k = 3, seed = 1) => {
  const m = nn.sequential({ seed, layers: [dense(8, { inputShape: [2], activation: 'relu' }), dense(k, { activation: 'softmax' })] });
  m.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  return m;
};
const flatWeights = (m) => m.getWeights().map((w) => Array.from(w));

describe('bad x', () => {
  const m0 = () => classifier();
  test('a value count that is not a multiple of the input size', async () => {
    const m = m0();
    await fails(() => m.predict([1, 2, 3, 4, 5]), /x has 5 values.*not a whole number of samples of 2/);
    await fails(() => m.fit(new Float32Array(7), [0, 1, 2]), /x has 7 values/);
    m.dispose();
  });
  test('a nested shape that does not match the input shape', async () => {
    const m = m0();
    await fails(() => m.predict([[1, 2, 3], [4, 5, 6]]), /x has shape \[2, 3\] but each sample must have 2 values/);
    await fails(() => m.evaluate({ shape: [2, 3], dataSync: () => new Float32Array(6) }, [0, 1]), /shape \[2, 3\]/);
    m.dispose();
  });
  test('ragged nested arrays', async () => {
    const m = m0();
    await fails(() => m.predict([[1, 2], [3]]), /x is ragged: x\[1\] has 1 elements, expected 2/);
    await fails(() => m.fit([[1, 2], [3, 4]], [[0], []]), /y is ragged/);
    m.dispose();
  });
  test('entries that are not numbers', async () => {
    const m = m0();
    await fails(() => m.predict([[1, 'a']]), /x\[0\]\[1\] is string, not a number/);
    await fails(() => m.predict([[1, null]]), /x\[0\]\[1\] is null, not a number/);
    await fails(() => m.predict([[1, 2], [3, [4]]]), /x\[1\]\[1\]/);
    await fails(() => m.predict({ a: 1 }), /x must be a Float32Array.*array or a tensor/);
    await fails(() => m.predict('1,2'), /x must be/);
    await fails(() => m.predict(undefined), /x is missing/);
    await fails(() => m.predict([]), /x is empty/);
    await fails(() => m.fit(XOR_X, ['0', '1', '1', '0']), /y\[0\] is string, not a number/);
    m.dispose();
  });
  test('NaN and Infinity in x or y', async () => {
    const m = m0();
    await fails(() => m.predict(new Float32Array([1, NaN])), /x contains NaN at sample 0, value 1/);
    await fails(() => m.fit([[1, 2], [3, Infinity]], [0, 1]), /x contains Infinity at sample 1, value 1/);
    // for class indices NaN is also an out-of-range label: either message names it
    await fails(() => m.fit([[1, 2], [3, 4]], [0, NaN]), /y.*(contains NaN|label nan) at sample 1/i);
    await fails(() => m.evaluate([[1, 2], [-Infinity, 4]], [0, 1]), /x contains -Infinity at sample 1, value 0/);
    await fails(() => m.trainOnBatch([[1, 2]], [Infinity]), /y.*(contains Infinity|label inf) at sample 0/i);
    await fails(() => m.fit([[1, 2]], [0], { validationData: [[[NaN, 1]], [0]] }), /validationData x contains NaN/);
    const r = nn.sequential({ seed: 1, layers: [dense(1, { inputShape: [2] })] });
    r.compile({ optimizer: 'sgd', loss: 'mse' });
    await fails(() => r.fit([[1, 2]], [NaN]), /y.*NaN.* at sample 0/);
    r.dispose();
    m.dispose();
  });
  test('y with a different number of samples', async () => {
    const m = m0();
    await fails(() => m.fit([[1, 2], [3, 4]], [0]), /x has 2 samples but y has 1/);
    await fails(() => m.evaluate([[1, 2], [3, 4]], [0, 1, 2]), /x has 2 samples but y has 3/);
    await fails(() => m.trainOnBatch([[1, 2], [3, 4]], [0, 1, 2]), /x has 2 samples but y has 3/);
    await fails(() => m.fit([[1, 2]], [0], { validationData: [[[1, 2]], [0, 1]] }), /validationData y has 2/);
    const b = smallModel();
    await fails(() => b.fit(XOR_X, [[0, 1], [1, 0], [0, 1], [1, 0]]), /(x has 4 samples but y has 8|shape \[4, 2\])/);
    b.dispose();
    m.dispose();
  });
});

describe('bad names and options', () => {
  test('unknown activation, loss, optimizer, metric, initializer, layer option (the message lists the name)', async () => {
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2], activation: 'relux' })] }),
      /unknown activation 'relux' \(known: .*relu.*\)/);
    const m = nn.sequential({ seed: 1, layers: [dense(2, { inputShape: [2] })] });
    await fails(() => m.add(dense(2, { activation: 'swish' })), /unknown activation 'swish'/);
    await fails(() => m.compile({ optimizer: 'adam', loss: 'hinge' }), /unknown loss 'hinge' \(known: .*meanSquaredError/);
    await fails(() => m.compile({ optimizer: 'adamw', loss: 'mse' }), /unknown optimizer 'adamw' \(known: .*adam/);
    await fails(() => m.compile({ optimizer: { type: 'lbfgs' }, loss: 'mse' }), /compile needs an optimizer/);
    await fails(() => m.compile({ loss: 'mse' }), /compile needs an optimizer/);
    await fails(() => m.compile({ optimizer: 'sgd' }), /compile needs a loss/);
    await fails(() => m.compile({ optimizer: 'sgd', loss: 'mse', metric: ['mae'] }), /compile: unknown option 'metric'/);
    await fails(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc'] }), /unknown metric 'auc' \(known: accuracy/);
    await fails(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy', 'f2'] }), /unknown metric 'f2'/);
    await fails(() => m.add(dense(2, { kernelInitializer: 'lecunNormal' })), /unknown initializer 'lecunNormal'/);
    await fails(() => nn.layers.dense({ units: 2, activaton: 'relu' }), /dense: unknown option 'activaton' \(options: .*activation/);
    await fails(() => nn.layers.dropout({ rate: 0.5, noiseShape: [1] }), /dropout: unknown option 'noiseShape'/);
    await fails(() => m.add({ className: 'ConvLSTM2D', config: { filters: 2 } }), /unknown layer type 'ConvLSTM2D'/);
    await fails(() => m.add({ units: 3 }), /add\(\) takes a layer made by nn\.layers/);
    // the model is intact after all that
    assert.equal(m.layers.length, 1);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    assert.ok(m.trainOnBatch([[1, 2]], [[0, 1]]) >= 0);
    m.dispose();
  });

  test('optimizer settings out of range', async () => {
    const m = smallModel();
    await fails(() => m.compile({ optimizer: nn.train.sgd(-1), loss: 'mse' }), /compile: learningRate must be a number in \[0, 1000000\), got -1/);
    await fails(() => m.compile({ optimizer: nn.train.sgd(NaN), loss: 'mse' }), /learningRate must be a number.*got nan/);
    await fails(() => m.compile({ optimizer: nn.train.sgd(0), loss: 'mse' }), /learning rate must be positive/);
    await fails(() => m.compile({ optimizer: nn.train.momentum(0.1, 1.5), loss: 'mse' }), /momentum must be a number in \[0, 1\), got 1.5/);
    await fails(() => m.compile({ optimizer: nn.train.adam(0.1, 1), loss: 'mse' }), /beta1 must be a number in \[0, 1\), got 1/);
    await fails(() => m.compile({ optimizer: nn.train.rmsprop(0.1, 2), loss: 'mse' }), /rho must be a number in \[0, 1\), got 2/);
    await fails(() => m.compile({ optimizer: nn.train.adam(0.1, 0.9, 0.999, 0), loss: 'mse' }), /epsilon must be a number in \[1e-30, 1\], got 0/);
    await fails(() => { m.learningRate = 0; }, /learning rate must be positive/);
    await fails(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), /needs at least 2 output units/);
    await fails(() => m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', fromLogits: true }), /fromLogits needs a linear last layer, it has sigmoid/);
    m.dispose();
  });

  test('first layer without inputShape; bad inputShape', async () => {
    await fails(() => nn.sequential({ layers: [dense(2)] }), /first layer needs an inputShape/);
    await fails(() => nn.sequential().add(nn.layers.dropout({ rate: 0.1 })), /first layer needs an inputShape/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [0] })] }), /inputShape must be 1 to 3 positive integers \(at most \d+ values per sample\), got \[0\]/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2.5] })] }), /inputShape must be/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [1, 2, 3, 4] })] }), /inputShape must be 1 to 3/);
    await fails(() => nn.sequential({ layers: [nn.layers.simpleRNN({ inputShape: [4], units: 2 })] }), /simpleRNN: input must be a sequence \[steps, features\] \(rank 2\), got rank 1/);
    const m = nn.sequential();
    await fails(() => m.predict([[1]]), /no layers yet/);
    m.dispose();
  });

  test('units 0, non-integer units, missing units; dropout rate 1.5', async () => {
    await fails(() => nn.sequential({ layers: [dense(0, { inputShape: [2] })] }), /dense: units must be a positive integer \(at most \d+\), got 0/);
    await fails(() => nn.sequential({ layers: [dense(2.5, { inputShape: [2] })] }), /units must be a positive integer.*got 2.5/);
    await fails(() => nn.sequential({ layers: [dense(-3, { inputShape: [2] })] }), /units must be a positive integer.*got -3/);
    await fails(() => nn.sequential({ layers: [nn.layers.dense({ inputShape: [2] })] }), /dense: units is missing/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2] }), nn.layers.dropout({ rate: 1.5 })] }),
      /dropout: rate must be a number in \[0, 1\), got 1.5/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2] }), nn.layers.dropout({ rate: 1 })] }), /rate must be .* got 1/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2] }), nn.layers.dropout({ rate: -0.1 })] }), /got -0.1/);
    await fails(() => nn.sequential({ layers: [dense(2, { inputShape: [2] }), nn.layers.dropout({})] }), /dropout: rate is missing/);
  });

  test('fit options out of range', async () => {
    const m = smallModel();
    await fails(() => m.fit(XOR_X, XOR_Y, { epochs: -1 }), /epochs must be an integer >= 0, got -1/);
    await fails(() => m.fit(XOR_X, XOR_Y, { epochs: 1.5 }), /epochs must be an integer/);
    await fails(() => m.fit(XOR_X, XOR_Y, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
    await fails(() => m.fit(XOR_X, XOR_Y, { validationSplit: 1 }), /validationSplit must be in \[0, 1\), got 1/);
    await fails(() => m.fit(XOR_X, XOR_Y, { validationSplit: -0.1 }), /validationSplit must be in \[0, 1\)/);
    await fails(() => m.fit(XOR_X, XOR_Y, { batchSize: 2.5 }), /batchSize must be a positive integer/);
    await fails(() => m.fit(XOR_X, XOR_Y, { epoch: 5 }), /fit: unknown option 'epoch' \(known: .*epochs/);
    await fails(() => m.fit(XOR_X, XOR_Y, { validationData: [XOR_X] }), /validationData must be \[x, y\]/);
    m.dispose();
  });
});

describe('bad labels', () => {
  test('sparseCategoricalCrossentropy labels out of range: 10 for 3 classes, 1.5, -1', async () => {
    const m = classifier(3);
    const x = [[1, 2], [3, 4], [5, 6]];
    for (const bad of [10, 3, 1.5, -1]) {
      const y = [0, bad, 2];
      await fails(() => m.fit(x, y, { epochs: 1 }), new RegExp(`label ${bad} .*out of range.*0\\.\\.2`));
      await fails(() => m.evaluate(x, y), new RegExp(`label ${bad} at sample 1 is out of range`));
      await fails(() => m.trainOnBatch(x, y), new RegExp(`label ${bad} at sample 1 is out of range`));
    }
    await fails(() => m.fit(x, [0, 1, 2], { validationData: [x, [0, 7, 1]] }), /label 7 .*out of range/);
    m.dispose();
  });

  test('binaryCrossentropy label 2 is refused by evaluate, trainOnBatch and fit', async () => {
    const m = smallModel();
    const y = [0, 1, 2, 0];
    await fails(() => m.evaluate(XOR_X, y), /label 2 at sample 2 is out of range: binaryCrossentropy needs values in \[0, 1\]/);
    await fails(() => m.trainOnBatch(XOR_X, y), /label 2 at sample 2 is out of range/);
    await fails(() => m.fit(XOR_X, y, { epochs: 1 }), /label 2 .*out of range/);
    m.dispose();
  });

  test('categoricalCrossentropy labels outside [0, 1] are refused by fit too', async () => {
    const m = nn.sequential({ seed: 1, layers: [dense(3, { inputShape: [2], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const y = [[0, 0, 1], [0, 2, 0]];
    await fails(() => m.evaluate([[1, 2], [3, 4]], y), /label 2 at sample 1 is out of range/);
    await fails(() => m.fit([[1, 2], [3, 4]], y), /label 2 .*out of range/);
    m.dispose();
  });

  test('fit checks labels before training: a rejected fit leaves the weights alone', async () => {
    const m = classifier(3);
    const before = flatWeights(m);
    const x = new Float32Array(64 * 2).map((_, i) => Math.sin(i));
    const y = new Float32Array(64).map((_, i) => i % 3);
    y[63] = 5; // the last batch
    await fails(() => m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false }), /label 5/);
    assert.deepEqual(flatWeights(m), before, 'the batches before the bad label were trained on');
    assert.equal(m.steps, 0, 'optimizer steps taken by the rejected fit');
    m.dispose();
  });
});

describe('model bytes', () => {
  let bytes;
  before(async () => {
    const m = classifier(3);
    await m.fit([[1, 2], [3, 4], [5, 6]], [0, 1, 2], { epochs: 2 });
    bytes = m.save();
    m.dispose();
  });

  test('corrupt bytes (one byte flipped anywhere) are refused', async () => {
    assert.ok(bytes instanceof Uint8Array && bytes.length > 100);
    for (const pos of [bytes.length >> 1, 20, bytes.length - 30, bytes.length - 1]) {
      const c = bytes.slice();
      c[pos] ^= 0x10;
      await fails(() => nn.loadModel(c), /loadModel: corrupt/);
    }
    const c = bytes.slice();
    c[3] ^= 1;
    await fails(() => nn.loadModel(c), /not an nnplay model \(bad magic bytes\)/);
    const v = bytes.slice();
    v[8] = 99;
    await fails(() => nn.loadModel(v), /unsupported model file version 99/);
    // the original still loads
    nn.loadModel(bytes).dispose();
  });

  test('truncated bytes and extra bytes are refused', async () => {
    for (const len of [bytes.length - 1, bytes.length - 10, bytes.length >> 1, 40, 14]) {
      await fails(() => nn.loadModel(bytes.subarray(0, len)), /loadModel: .*(truncated|corrupt|too short)/);
    }
    await fails(() => nn.loadModel(bytes.subarray(0, 5)), /not an nnplay model: 5 bytes is too short/);
    await fails(() => nn.loadModel(new Uint8Array(0)), /0 bytes is too short/);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    await fails(() => nn.loadModel(longer), /loadModel: (corrupt|truncated)/);
  });

  test('random bytes are refused', async () => {
    let s = 12345;
    const rnd = new Uint8Array(1000).map(() => { s = (s * 1103515245 + 12345) >>> 0; return s >>> 24; });
    await fails(() => nn.loadModel(rnd), /not an nnplay model/);
    // random bytes behind a valid magic and version: the checksum catches them
    const r2 = rnd.slice();
    r2.set(bytes.subarray(0, 12));
    await fails(() => nn.loadModel(r2), /loadModel: (corrupt|truncated)/);
  });

  test('loadModel with something that is not bytes', async () => {
    for (const bad of [undefined, null, 'NNPLAYMD', 42, [1, 2, 3], { length: 3 }]) {
      await fails(() => nn.loadModel(bad), /loadModel takes the bytes from model\.save\(\)/);
    }
    // ArrayBuffer, DataView and Buffer are bytes
    nn.loadModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)).dispose();
    nn.loadModel(Buffer.from(bytes)).dispose();
    nn.loadModel(new DataView(bytes.buffer, bytes.byteOffset, bytes.length)).dispose();
  });
});

describe('too large for wasm memory', () => {
  test('a batch whose layer values pass 4 GiB is refused with a message, not a trap', async () => {
    // 4M values per sample in the hidden layer: predict's chunk of 256 would need 4 GB per buffer,
    // a size that wraps to a small number in wasm's 32-bit size_t without the 64-bit check
    const m = nn.sequential({ seed: 1, layers: [dense(4_000_000, { inputShape: [1] }), dense(1)] });
    const x = new Float32Array(256).fill(0.5);
    await fails(() => m.predict(x), /batch of 256 samples is too large/);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await fails(() => m.fit(x, x, { batchSize: 256 }), /batch of 256 samples is too large/);
    assert.equal(m.predict(x.subarray(0, 8)).length, 8); // smaller batches still work
    m.dispose();
    await assertStillWorks();
  });

  test('a dense layer needing 6.4 GB of weights', async () => {
    const info0 = nn.info();
    await fails(() => nn.sequential({ layers: [dense(8, { inputShape: [200000000] })] }), /too large|out of memory/);
    // 19000 x 19000 passes the size check but cannot be allocated (2.9 GB with gradients)
    await fails(() => nn.sequential({ layers: [dense(19000, { inputShape: [19000] })] }), /too large|out of memory/);
    assert.ok(nn.info().heapBytes < 2 ** 31, 'the heap stays under its 2 GB limit');
    assert.ok(nn.info().heapBytes < info0.heapBytes + (64 << 20), 'the failed allocations did not grow the heap');
    // the same through add() on a model we hold: it stays usable and is freed by dispose
    const m = nn.sequential({ seed: 1, layers: [nn.layers.activation({ inputShape: [20000], activation: 'tanh' })] });
    await fails(() => m.add(dense(19000)), /out of memory for \d+ parameters/);
    await fails(() => m.add(dense(20001)), /dense: 20000 x 20001 weights is too large/);
    assert.equal(m.layers.length, 1);
    assert.equal(m.predict(new Float32Array(20000)).length, 20000);
    m.dispose();
  });

  test('predict on a 1.2 GB Float32Array (3e8 values, inputShape [1]) works or fails cleanly', async (t) => {
    const m = nn.sequential({ seed: 1, layers: [dense(1, { inputShape: [1] })] });
    m.setWeights([[[2]], [1]]);
    const x = new Float32Array(3e8);
    x[1] = 1;
    const used = nn.info().heapUsed;
    let p = null;
    try {
      p = m.predict(x);
    } catch (e) {
      assert.match(e.message, /cannot allocate .* MB for .* in wasm memory \(it is limited to 2 GB\)/);
      t.diagnostic(`3e8-value predict: ${e.message}`);
    }
    if (p) {
      assert.equal(p.length, 3e8);
      assert.equal(p[0], 1);
      assert.equal(p[1], 3);
      t.diagnostic('3e8-value predict worked');
    }
    p = null;
    assert.equal(nn.info().heapUsed, used, 'the inputs copied in were freed');
    assert.deepEqual(Array.from(m.predict([[1], [2]])), [3, 5]);
    m.dispose();
    await assertStillWorks();
  });
});

describe('model state', () => {
  test('use after dispose throws "disposed"; dispose twice is fine', async () => {
    const m = smallModel();
    m.dispose();
    assert.equal(m.isDisposed, true);
    m.dispose();
    const calls = {
      predict: () => m.predict(XOR_X),
      fit: () => m.fit(XOR_X, XOR_Y),
      evaluate: () => m.evaluate(XOR_X, XOR_Y),
      trainOnBatch: () => m.trainOnBatch(XOR_X, XOR_Y),
      save: () => m.save(),
      summary: () => m.summary(null),
      getWeights: () => m.getWeights(),
      setWeights: () => m.setWeights([]),
      compile: () => m.compile({ optimizer: 'sgd', loss: 'mse' }),
      add: () => m.add(dense(2)),
      countParams: () => m.countParams(),
      layers: () => m.layers,
      layerInfo: () => m.layerInfo(0),
      inputShape: () => m.inputShape,
      outputShape: () => m.outputShape,
      learningRate: () => m.learningRate,
    };
    for (const [name, fn] of Object.entries(calls)) {
      const err = await fails(fn, /disposed/);
      assert.ok(err, name);
    }
  });

  test('fit, evaluate, trainOnBatch and learningRate before compile', async () => {
    const m = nn.sequential({ seed: 1, layers: [dense(1, { inputShape: [2], activation: 'sigmoid' })] });
    await fails(() => m.fit(XOR_X, XOR_Y), /fit: compile the model first/);
    await fails(() => m.evaluate(XOR_X, XOR_Y), /evaluate: compile the model first/);
    await fails(() => m.trainOnBatch(XOR_X, XOR_Y), /trainOnBatch: compile the model first/);
    await fails(() => m.learningRate, /compile the model first/);
    // predict needs no compile
    assert.equal(m.predict(XOR_X).length, 4);
    // adding a layer after compile asks for a new compile
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    m.add(dense(1, { activation: 'sigmoid' }));
    await fails(() => m.fit(XOR_X, XOR_Y), /compile the model first/);
    m.dispose();
  });

  test('fit while another fit runs on the same model throws; so do compile and add', async () => {
    const d = nn.data.generate('spiral', { n: 2000 });
    const m = nn.sequential({ seed: 1, layers: [dense(64, { inputShape: [2], activation: 'relu' }), dense(1, { activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    // long enough to outlast the checks below (each ends by training another small model)
    const running = m.fit(d.x, d.y, { epochs: 100000 });
    try {
      await fails(() => m.fit(d.x, d.y), /cannot fit while fit\(\) is running on this model/);
      await fails(() => m.compile({ optimizer: 'sgd', loss: 'mse' }), /cannot compile while fit\(\) is running/);
      await fails(() => m.add(dense(2)), /cannot add layers while fit\(\) is running/);
      // reading the model between fit's chunks (TF.js allows predict in callbacks): it either
      // works or says why not
      const either = (what, fn, check) => {
        let r;
        try { r = fn(); } catch (e) {
          assert.match(e.message, new RegExp(`cannot ${what} while fit\\(\\) is running`));
          return;
        }
        check(r);
      };
      either('predict', () => m.predict(d.x.subarray(0, 20)), (p) => assert.equal(p.length, 10));
      either('evaluate', () => m.evaluate(d.x, d.y), (ev) => assert.ok(Number.isFinite(ev.loss)));
      either('save', () => m.save(), (b) => nn.loadModel(b).dispose());
      assert.equal(m.getWeights().length, 4);
    } finally {
      m.stopTraining = true;
    }
    const h = await running;
    assert.ok(h.epoch.length >= 1 && h.epoch.length < 100000, 'the first fit ran on and stopped normally');
    // and another fit is fine afterwards
    await m.fit(d.x, d.y, { epochs: 1 });
    m.dispose();
  });

  test('dispose during fit stops it cleanly and frees the memory', async () => {
    const used = nn.info().heapUsed;
    const d = nn.data.generate('spiral', { n: 2000 });
    const m = nn.sequential({ seed: 1, layers: [dense(64, { inputShape: [2], activation: 'relu' }), dense(1, { activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const events = [];
    const running = m.fit(d.x, d.y, { epochs: 1000, callbacks: { onEpochEnd: (e) => events.push(e), onTrainEnd: () => events.push('end') } });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(nn.info().heapUsed > used, 'fit holds memory while it runs');
    m.dispose();
    const h = await running; // resolves: stopping is not an error
    assert.ok(h.epoch.length < 1000, `stopped after ${h.epoch.length} epochs`);
    assert.equal(events.at(-1), 'end');
    assert.equal(nn.info().heapUsed, used, 'the model and the fit buffers were freed');
    await fails(() => m.predict(d.x), /disposed/);

    // from inside a batch callback
    const m2 = nn.sequential({ seed: 1, layers: [dense(4, { inputShape: [2] }), dense(1, { activation: 'sigmoid' })] });
    m2.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const batches = [];
    await m2.fit(d.x, d.y, { epochs: 3, batchSize: 100, callbacks: { onBatchEnd: (b) => { batches.push(b); if (b === 2) m2.dispose(); } } });
    assert.deepEqual(batches, [0, 1, 2]);
    assert.equal(nn.info().heapUsed, used);
  });

  test('a diverging loss stops training with a message about it; the model survives', async () => {
    const m = nn.sequential({ seed: 1, layers: [dense(1, { inputShape: [1] })] });
    m.compile({ optimizer: nn.train.sgd(1e5), loss: 'meanSquaredError' });
    const x = new Float32Array(64).map((_, i) => i);
    const y = new Float32Array(64).map((_, i) => 1e6 * i);
    const epochs = [];
    const err = await fails(() => m.fit(x, y, { epochs: 50, callbacks: { onEpochEnd: (e) => epochs.push(e) } }),
      /diverged|NaN|Inf/);
    assert.match(err.message, /fit \(epoch \d+\)/, 'says when');
    assert.ok(epochs.length < 50, 'training stopped');
    // the weights may be non-finite now, but the model still predicts, reports and disposes
    const p = m.predict([[1], [2]]);
    assert.equal(p.length, 2);
    assert.equal(m.getWeights().length, 2);
    m.summary(null);
    await fails(() => m.trainOnBatch([[1]], [1]), /diverged|NaN|Inf/);
    // fresh finite weights make it usable again
    m.setWeights([[[0.5]], [0]]);
    m.learningRate = 0.001;
    assert.ok(Number.isFinite(m.trainOnBatch([[1]], [1])));
    m.dispose();
  });

  test('setWeights with the wrong count, sizes or values', async () => {
    const m = smallModel();
    const w = m.getWeights();
    await fails(() => m.setWeights(w.slice(0, 3)), /setWeights needs 4 arrays .* got 3/);
    await fails(() => m.setWeights([...w, w[0]]), /setWeights needs 4 arrays .* got 5/);
    await fails(() => m.setWeights(5), /setWeights needs 4 arrays .* got number/);
    await fails(() => m.setWeights([w[0], new Float32Array(7), w[2], w[3]]), /weights\[1\] \(dense\/bias\) has 7 values, expected 8 \(shape \[8\]\)/);
    await fails(() => m.setWeights([w[1], w[0], w[2], w[3]]), /weights\[0\] \(dense\/kernel\) has 8 values, expected 16 \(shape \[2, 8\]\)/);
    await fails(() => m.setWeights([w[0], w[1], w[2], [NaN]]), /weights\[3\] contains NaN/);
    await fails(() => m.setWeights([w[0], w[1], w[2], ['x']]), /weights\[3\]\[0\] is string/);
    // nothing was changed by the failed calls
    assert.deepEqual(m.getWeights().map((a) => Array.from(a)), w.map((a) => Array.from(a)));
    m.dispose();
  });
});
