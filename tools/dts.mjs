// The part of wasm/nnplay.d.ts that the core's tables define (layer factories and their options,
// the names of activations, losses, ...), generated from them: `node tools/dts.mjs` rewrites it
// between the markers; `node tools/dts.mjs --check` fails when the file is out of date (a test
// runs that). The build runs it after the wasm module is made.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, isMain, main } from './util.mjs';

const FILE = path.join(ROOT, 'wasm', 'nnplay.d.ts');
const BEGIN = '// ---- generated from the core\'s tables by tools/dts.mjs: do not edit by hand ----';
const END = '// ---- end of the generated part ----';
// The TS type for each name table an option takes its values from.
const TYPE_OF_TABLE = { activations: 'ActivationName', losses: 'LossName', optimizers: 'OptimizerName',
  initializers: 'InitializerName', paddings: 'Padding', dataFormats: 'DataFormat', metrics: 'MetricName',
  datasets: 'DatasetKind', mergeModes: 'MergeMode', interpolations: 'Interpolation' };

// a table's name 'null' is JS's null (mergeMode: null)
const union = (names) => names.map((n) => (n === 'null' ? 'null' : `'${n}'`)).join(' | ');
const wrap = (line, indent) => {
  const out = [];
  let cur = '';
  for (const part of line.split(' | ')) {
    const next = cur ? `${cur} | ${part}` : part;
    if (next.length > 100 - indent.length && cur) { out.push(cur + ' |'); cur = part; } else cur = next;
  }
  out.push(cur);
  return out.join(`\n${indent}  `);
};

export async function generate() {
  const nn = await import('../wasm/nnplay.js');
  await nn.ready();
  const t = nn.describe();
  const lines = [BEGIN];
  for (const [table, type] of Object.entries(TYPE_OF_TABLE)) {
    const entries = t.names[table] || [];
    const names = entries.flatMap((e) => [e.name, ...e.aliases]).filter((n) => !(table === 'metrics' && n === 'loss'));
    lines.push(`export type ${type} = ${wrap(union(names), '')};`);
  }
  lines.push(`export type ClassName = ${wrap(union(t.layers.map((l) => l.className)), '')};`);
  lines.push(`export type LayerType = ${wrap(union(t.layers.map((l) => l.name)), '')};`);
  // the options every layer type has (trainable), which CommonLayerArgs extends
  const field = (o) => `  /** ${o.doc} (default ${JSON.stringify(o.default)}) */\n  ${o.name}?: ${o.kind === 'bool' ? 'boolean' : o.kind === 'string' ? 'string' : 'number'};`;
  lines.push('', 'interface CommonOptions {', ...t.commonOptions.map(field), '}');
  lines.push('', 'export const layers: {');
  for (const l of t.layers) {
    const fields = [];
    const seen = new Set();
    for (const o of l.options) {
      let ty = o.kind === 'bool' ? 'boolean' : o.kind === 'enum' ? TYPE_OF_TABLE[o.values] || 'string'
        : o.kind === 'ints' ? `number | number[]` : o.kind === 'shape' ? 'number[]' : o.kind === 'layer' ? 'LayerConfig' : 'number';
      fields.push(`    /** ${o.doc}${o.required ? '' : ` (default ${JSON.stringify(o.default)})`} */\n    ${o.name}${o.required ? '' : '?'}: ${ty};`);
      if (o.alias && o.alias.includes('.')) seen.add(o.alias.split('.')[0]);
    }
    for (const k of seen) fields.push(`    ${k}?: Regularizer;`);
    const req = l.options.some((o) => o.required);
    const sig = `(args${req ? '' : '?'}: CommonLayerArgs & {\n${fields.join('\n')}\n  }): LayerConfig;`;
    lines.push(`  /** ${l.doc} */`, `  ${l.name}${sig}`);
    for (const a of l.aliases) lines.push(`  ${a}: typeof layers.${l.name};`);
  }
  lines.push('};', END);
  return lines.join('\n');
}

export async function writeDts({ check = false } = {}) {
  const text = readFileSync(FILE, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < 0) throw new Error(`${path.relative(ROOT, FILE)} lacks the generated-part markers`);
  const next = text.slice(0, a) + await generate() + text.slice(b + END.length);
  if (next === text) return false;
  if (check) throw new Error(`${path.relative(ROOT, FILE)} is out of date with the core's tables: run \`node tools/dts.mjs\``);
  writeFileSync(FILE, next);
  return true;
}

if (isMain(import.meta.url)) {
  main('dts', async () => {
    const changed = await writeDts({ check: process.argv.includes('--check') });
    console.log(`dts: wasm/nnplay.d.ts ${changed ? 'updated' : 'up to date'}`);
  });
}
