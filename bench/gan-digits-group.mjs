// The `gan-digits` group of tools/bench.mjs (issue 12's digit GAN target): its system, run by
// bench/gan-digits.mjs, and its table. Kept here so tools/bench.mjs only lists and calls them.

/** The group's systems, in tools/bench.mjs's SYSTEMS shape. */
export const ganDigitsSystems = (node) => [
  { id: 'gan-digits-chromium', group: 'gan-digits', label: 'nnplay, wasm: the page web/gan-digits.html in headless Chromium',
    needs: ['dist/nnplay_core.wasm', '/usr/bin/chromium', 'web/data/digits.nnds.gz', 'web/models/digits-cnn.nnplay'],
    timeout: (o) => o.ganMinutes * 60 * 3 + 300, // wall time runs ahead of training time on a busy machine
    cmd: (o) => [node, 'bench/gan-digits.mjs', '--minutes', String(o.ganMinutes), '--model', o.ganModel] },
];

const pct = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '-');

/** The group's tables: the scores at each minute of training, then the target's row. */
export function ganDigitsReport(r, o, section) {
  const x = r['gan-digits-chromium'];
  if (!x || x.error) {
    section('Digit GAN (issue 12)', ['system', 'error'], [['web/gan-digits.html in headless Chromium', x ? x.error : 'not run']]);
    return;
  }
  section(`Digit GAN (issue 12): web/gan-digits.html${x.model === 'dcgan' ? '?model=dcgan (the DCGAN)' : ' (the MLP)'} in headless Chromium, ${x.arch}\n` +
    'At each minute of training (time spent in training steps; wall-clock beside it), 1,000 samples from fixed noise ' +
    'read by the shipped digit classifier (web/models/digits-cnn.nnplay)',
  ['training', 'wall', 'steps', 'steps/s', 'read with p >= 0.9', 'digits present', 'confident reads per digit 0..9'],
  x.marks.map((m) => [`${m.minute} min`, `${Math.round(m.wall_s)} s`, m.steps.toLocaleString('en-US'), m.steps_per_s.toFixed(1),
    pct(m.confident), `${m.digits}/10`, m.per_digit.join(' ')]));
  const last = x.marks[x.marks.length - 1];
  const five = x.minutes >= 5 ? x.marks[4] : null;
  const status = (met) => (met === null ? 'not measured' : met ? 'met' : 'MISSED');
  section('Target (issue 12)', ['target', 'measured', 'goal', 'status'], [
    ['digit GAN after 5 min of training: share read with p >= 0.9', five ? pct(five.confident) : '-', '>= 60%', status(five ? five.confident >= 0.6 : null)],
    ['digit GAN after 5 min of training: digits present', five ? `${five.digits}/10` : '-', '10/10', status(five ? five.digits === 10 : null)],
  ]);
  if (!five) section(`(ran ${x.minutes} min, --gan-minutes; the target is read at 5)`, ['last', 'read with p >= 0.9', 'digits present'],
    [[`${last.minute} min`, pct(last.confident), `${last.digits}/10`]]);
}
