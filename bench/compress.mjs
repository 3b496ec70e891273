// compress.mjs - the `compress` group of tools/bench.mjs (issue 13): its system (build/bench_compress,
// bench/compress.c) and its tables: pruning the Fashion-MNIST CNN to 50/80/90% with fine-tuning,
// int8 weight quantization, against the dense model; accuracy and file sizes.

/** The group's systems, as tools/bench.mjs lists them. */
export const compressSystems = () => [
  { id: 'compress-native', group: 'compress', label: 'nnplay, native (C API)', needs: ['build/bench_compress'],
    // about 10 epochs of the CNN over 60,000 images: allow an hour on a shared machine
    timeout: (o) => (o.quick ? 600 : 3600),
    cmd: (o) => ['build/bench_compress', '--data', o.rawDir,
      ...(o.quick ? ['--epochs', '1', '--prune-epochs', '1', '--limit', '10000'] : ['--epochs', '2', '--prune-epochs', '2'])] },
  { id: 'compress-int8-native', group: 'compress', label: 'int8 GEMM vs f32, native', needs: ['build/bench_compress_int8'],
    cmd: () => ['build/bench_compress_int8', '--json'] },
  { id: 'compress-int8-wasm', group: 'compress', label: 'int8 GEMM vs f32, wasm', needs: ['build-wasm/bench_compress_int8.js'],
    cmd: () => [process.execPath, 'build-wasm/bench_compress_int8.js', '--json'] },
];

// issue 13's goals: points of test accuracy lost at each sparsity, and int8's
const PRUNE_GOALS = { 0.5: 0.5, 0.8: 1, 0.9: 2 };
const INT8_POINTS = 0.3;
const INT8_SMALLER = 3.5; // "about 4x"

const pct = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '-');
const kb = (b) => (typeof b === 'number' ? `${(b / 1024).toFixed(1)} KiB` : '-');
const pts = (v) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '-');

/** The targets (name, value, goal, unit, met) from the system's JSON, or [] when it did not run. */
export function compressTargets(c) {
  if (!c || c.error) return [];
  const t = (name, value, goal, unit, pass) => ({ name, value, goal, unit, met: value === null ? null : pass(value) });
  return [
    ...(c.pruned || []).map((p) => t(`pruned to ${Math.round(p.target * 100)}%: accuracy vs dense`, p.points_vs_dense,
      `>= -${PRUNE_GOALS[p.target]}`, 'points', (v) => v >= -PRUNE_GOALS[p.target])),
    t('int8: accuracy vs dense', c.int8?.points_vs_dense ?? null, `>= -${INT8_POINTS}`, 'points', (v) => v >= -INT8_POINTS),
    t('int8: file smaller by', c.int8?.x_smaller ?? null, `>= ${INT8_SMALLER}`, 'x', (v) => v >= INT8_SMALLER),
  ];
}

/** int8 inference kernels against the f32 ones (bench/compress_int8.c), native and wasm. */
function int8Report(r, section) {
  const rows = [];
  for (const t of ['native', 'wasm']) {
    const x = r[`compress-int8-${t}`];
    if (!x) continue;
    if (x.error) { rows.push([t, x.error, '', '', '', '']); continue; }
    for (const sh of x.shapes) {
      rows.push([`${t} [${x.target}]`, sh.name, sh.f32_gflops.toFixed(1), sh.f32_dot_gflops.toFixed(1), sh.int8_gflops.toFixed(1),
        `${sh.int8_speedup.toFixed(2)}x`]);
    }
  }
  section('int8 inference kernels? GFLOPS of C = A B for the CNN\'s shapes: nn_gemm (f32), one nn_dot per output (f32), ' +
    'one int8 dot per output (A quantized per row on the fly, B int8 per column, int8 widened to int16 and multiply-added ' +
    'to int32: no VNNI or relaxed SIMD here); int8 against the faster f32',
  ['build', 'shape', 'f32 nn_gemm', 'f32 dots', 'int8 dots', 'int8 speed'], rows);
}

/** The group's tables through tools/bench.mjs's section(title, header, rows). */
export function compressReport(r, section, targetHeader, targetRow) {
  int8Report(r, section);
  const c = r['compress-native'];
  if (!c || c.error) {
    section('Pruning and quantization (issue 13)', ['system', 'error'], [['nnplay, native', c ? c.error : 'not run']]);
    return;
  }
  section(`Pruning and quantization (issue 13): the Fashion-MNIST CNN trained ${c.epochs} epochs on ${c.train_samples} ` +
    `images (dense); each pruned copy fine-tuned ${c.prune_epochs} more epochs with polynomialDecay(0 -> target over 2/3 ` +
    'of them, masks every 100 batches), then stripped; files saved without the optimizer state; test accuracy on 10,000 images',
  ['model', 'kernel sparsity', 'test accuracy', 'vs dense (points)', 'file', 'x smaller'], [
    ['dense', '0%', pct(c.dense.test_accuracy), '', kb(c.dense.file_bytes), '1.00'],
    [`dense, ${c.prune_epochs} more epochs (no pruning)`, '0%', pct(c.dense_fine_tuned?.test_accuracy),
      pts(c.dense_fine_tuned ? (c.dense_fine_tuned.test_accuracy - c.dense.test_accuracy) * 100 : null), '', ''],
    ...c.pruned.map((p) => [`pruned to ${Math.round(p.target * 100)}%`, pct(p.sparsity), pct(p.test_accuracy),
      pts(p.points_vs_dense), kb(p.file_bytes), p.x_smaller.toFixed(2)]),
    ['dense, int8', '0%', pct(c.int8.test_accuracy), pts(c.int8.points_vs_dense), kb(c.int8.file_bytes), c.int8.x_smaller.toFixed(2)],
    ['pruned to 90%, int8', '', pct(c.pruned90_int8.test_accuracy), `${pts(c.pruned90_int8.points_vs_pruned)} vs pruned`,
      kb(c.pruned90_int8.file_bytes), c.pruned90_int8.x_smaller.toFixed(2)],
  ]);
  section('Targets (issue 13)', targetHeader, compressTargets(c).map(targetRow));
}
