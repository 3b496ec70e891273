// data.js - nn.data: the 2D datasets, preprocessing and CSV, all computed by the C core; the
// dataset names and their kinds (regression, classes) come from the core's tables.
import { C, malloc, free, withAlloc, copyF32In, withCString, cstr, heapF32 } from './core.js';
import { flatten, checkKeys, isCount, seedOf, show } from './convert.js';
import { names, idOf } from './layers.js';

export const data = {
  /** The dataset names (circle, xor, gauss, spiral, ...). */
  get kinds() { return names('datasets').map((d) => d.name); },
  /** A 2D dataset: { x: Float32Array (n x 2), y: Float32Array (n), numClasses, regression }. */
  generate(kind, opts = {}) {
    checkKeys(opts, ['n', 'noise', 'seed', 'numClasses'], 'data.generate');
    const { n = 500, noise = 0, numClasses = 0 } = opts;
    const k = idOf('datasets', kind, 'dataset');
    const seed = seedOf(opts.seed, 1, 'data.generate');
    if (!isCount(n, 1, 1e7)) throw new Error(`nnplay: data.generate: n must be a positive integer up to 1e7, got ${show(n)}`);
    if (typeof noise !== 'number' || !(noise >= 0 && noise <= 1)) throw new Error(`nnplay: data.generate: noise must be in [0, 1], got ${show(noise)}`);
    if (!isCount(numClasses, 0)) throw new Error(`nnplay: data.generate: numClasses must be an integer >= 0, got ${show(numClasses)}`);
    const c = C();
    const numCls = c._nn_data_kind_num_classes(k, numClasses);
    if (numCls < 0) throw new Error(`nnplay: data.generate('${kind}'): numClasses must be 2..8, got ${numClasses}`);
    const px = malloc(n * 8, 'dataset');
    try {
      return withAlloc(n * 4, 'dataset labels', (py) => {
        const st = c._nn_data_generate(k, n, noise, numClasses, seed, px, py);
        if (st !== 0) throw new Error(`nnplay: data.generate('${kind}') failed (status ${st})`);
        const y = heapF32().slice(py >> 2, (py >> 2) + n);
        return { x: heapF32().slice(px >> 2, (px >> 2) + 2 * n), y, n, numClasses: numCls, regression: names('datasets')[k].regression };
      });
    } finally { free(px); }
  },

  /** Shuffled split (the core's nn_data_split; seed 0 keeps the order): { xTrain, yTrain, xTest, yTest }. */
  split(x, y, opts = {}) {
    checkKeys(opts, ['testFraction', 'seed', 'xCols', 'yCols'], 'data.split');
    const { testFraction = 0.2, xCols = 2, yCols = 1 } = opts;
    const seed = seedOf(opts.seed, 1, 'data.split');
    const xv = flatten(x, 'x').values;
    const yv = flatten(y, 'y').values;
    if (!isCount(xCols, 1) || !isCount(yCols, 1)) {
      throw new Error(`nnplay: data.split: xCols and yCols must be positive integers, got ${show(xCols)} and ${show(yCols)}`);
    }
    const n = xv.length / xCols;
    if (!Number.isInteger(n) || yv.length !== n * yCols) {
      throw new Error(`nnplay: data.split: x has ${xv.length / xCols} rows of ${xCols}, y has ${yv.length / yCols} rows of ${yCols}`);
    }
    if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction <= 1)) {
      throw new Error(`nnplay: data.split: testFraction must be in [0, 1], got ${show(testFraction)}`);
    }
    const c = C();
    const ptrs = [];
    try {
      const px = copyF32In(xv, 'split inputs'); ptrs.push(px);
      const py = copyF32In(yv, 'split labels'); ptrs.push(py);
      const out = malloc((xv.length + yv.length) * 4 + 4, 'split output'); ptrs.push(out);
      const pxTr = out;
      const pyTr = pxTr + xv.length * 4;
      const pNt = pyTr + yv.length * 4;
      const nTest = Math.round(n * testFraction);
      const nTr = n - nTest;
      const st = c._nn_data_split(px, py, n, xCols, yCols, testFraction, seed, pxTr, pyTr,
        pxTr + nTr * xCols * 4, pyTr + nTr * yCols * 4, pNt);
      if (st !== 0) throw new Error(`nnplay: data.split failed (status ${st})`);
      const f = heapF32();
      const at = (p, len) => f.slice(p >> 2, (p >> 2) + len);
      return { xTrain: at(pxTr, nTr * xCols), yTrain: at(pyTr, nTr * yCols),
        xTest: at(pxTr + nTr * xCols * 4, nTest * xCols), yTest: at(pyTr + nTr * yCols * 4, nTest * yCols) };
    } finally { ptrs.forEach(free); }
  },


  /** One-hot rows for integer labels 0..k-1 (the core's nn_one_hot). */
  oneHot(labels, k) {
    const { values } = flatten(labels, 'labels');
    if (!Number.isInteger(k) || k < 1 || k > 1 << 16) throw new Error(`nnplay: oneHot: k must be a positive integer, got ${show(k)}`);
    const pl = copyF32In(values, 'labels');
    try {
      return withAlloc(values.length * k * 4, 'one-hot rows', (po) => {
        if (C()._nn_one_hot(pl, values.length, k, po) !== 0) {
          const i = values.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < k)); // for the message
          throw new Error(`nnplay: oneHot: label ${values[i]} at ${i} is not in 0..${k - 1}`);
        }
        return heapF32().slice(po >> 2, (po >> 2) + values.length * k);
      });
    } finally { free(pl); }
  },
  /** Standardize columns of x (a Float32Array, changed in place); returns { mean, std } to apply to other data. */
  standardize(x, cols, stats) {
    // cols is at most x.length: it sizes an allocation
    if (!(x instanceof Float32Array) || !isCount(cols, 1, x.length) || x.length % cols) {
      throw new Error('nnplay: data.standardize takes a Float32Array and its column count');
    }
    const c = C();
    const ptrs = [];
    try {
      const px = copyF32In(x, 'standardize input'); ptrs.push(px);
      const ps = malloc(cols * 8, 'column stats'); ptrs.push(ps);
      const n = x.length / cols;
      if (stats != null) {
        const mean = stats.mean && flatten(stats.mean, 'stats.mean').values;
        const std = stats.std && flatten(stats.std, 'stats.std').values;
        if (!mean || !std || mean.length !== cols || std.length !== cols) {
          throw new Error(`nnplay: data.standardize: stats must be { mean, std } of ${cols} values each`);
        }
        heapF32().set(mean, ps >> 2);
        heapF32().set(std, (ps >> 2) + cols);
      }
      else if (c._nn_standardize_fit(px, n, cols, ps, ps + cols * 4) !== 0) throw new Error('nnplay: data.standardize failed');
      c._nn_standardize_apply(px, n, cols, ps, ps + cols * 4);
      const f = heapF32();
      x.set(f.subarray(px >> 2, (px >> 2) + x.length));
      return { mean: f.slice(ps >> 2, (ps >> 2) + cols), std: f.slice((ps >> 2) + cols, (ps >> 2) + 2 * cols) };
    } finally { ptrs.forEach(free); }
  },

  /**
   * Parse CSV text with the core's reader. Options: header (true/false/'auto'), labelColumn
   * (name or index), featureColumns (names or indices; default all others).
   * Returns { x, y, n, columns, featureNames, labelName }.
   */
  parseCSV(text, opts = {}) {
    if (typeof text !== 'string') throw new Error('nnplay: parseCSV takes the CSV text as a string');
    checkKeys(opts, ['header', 'labelColumn', 'featureColumns'], 'parseCSV');
    const { header = 'auto', labelColumn = null, featureColumns = null } = opts;
    if (header !== 'auto' && typeof header !== 'boolean') throw new Error(`nnplay: parseCSV: header must be true, false or 'auto', got ${show(header)}`);
    if (featureColumns != null && !Array.isArray(featureColumns)) {
      throw new Error(`nnplay: parseCSV: featureColumns must be an array of column names or indices, got ${show(featureColumns)}`);
    }
    const c = C();
    return withCString(text, (pt, len) => {
      const csv = c._nnw_csv_parse(pt, len, header === 'auto' ? -1 : header ? 1 : 0);
      if (!csv) throw new Error('nnplay: parseCSV: out of memory');
      try {
        const err = cstr(c._nnw_csv_error(csv));
        if (err) throw new Error(`nnplay: CSV: ${err}`);
        const rows = c._nnw_csv_rows(csv);
        const cols = c._nnw_csv_cols(csv);
        const columns = Array.from({ length: cols }, (_, i) => cstr(c._nnw_csv_name(csv, i)));
        const colIndex = (ref, what) => {
          if (typeof ref === 'number') {
            if (!Number.isInteger(ref) || ref < 0 || ref >= cols) throw new Error(`nnplay: CSV: ${what} ${show(ref)} is not a column index 0..${cols - 1}`);
            return ref;
          }
          let i = columns.indexOf(ref);
          if (i < 0) i = columns.findIndex((n) => n.toLowerCase() === String(ref).toLowerCase());
          if (i < 0) throw new Error(`nnplay: CSV: no column named ${show(ref)} (columns: ${columns.join(', ')})`);
          return i;
        };
        const label = labelColumn == null ? -1 : colIndex(labelColumn, 'labelColumn');
        const feats = featureColumns != null ? featureColumns.map((f) => colIndex(f, 'feature column'))
          : columns.map((_, i) => i).filter((i) => i !== label);
        if (!feats.length) throw new Error('nnplay: CSV: no feature columns left');
        const all = heapF32().subarray(c._nnw_csv_data(csv) >> 2, (c._nnw_csv_data(csv) >> 2) + rows * cols);
        const x = new Float32Array(rows * feats.length);
        const y = label >= 0 ? new Float32Array(rows) : null;
        for (let r = 0; r < rows; r++) {
          feats.forEach((f, j) => { x[r * feats.length + j] = all[r * cols + f]; });
          if (y) y[r] = all[r * cols + label];
        }
        return { x, y, n: rows, columns, featureNames: feats.map((i) => columns[i]),
          labelName: label >= 0 ? columns[label] : null };
      } finally { c._nnw_csv_free(csv); }
    });
  },
};

