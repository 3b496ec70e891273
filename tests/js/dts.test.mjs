// wasm/nnplay.d.ts's layer factories and name types come from the core's tables: the committed
// file must match what tools/dts.mjs generates (after adding a layer: `node tools/dts.mjs`).
import { test } from 'node:test';
import { writeDts } from '../../tools/dts.mjs';

test('nnplay.d.ts is up to date with the core\'s tables', async () => {
  await writeDts({ check: true });
});
