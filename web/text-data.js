// The text datasets' file layout (web/data/*.nntx.gz, written by tools/data-text.mjs), shared by
// the text page, the tests and the bench. Little-endian, gzipped as a whole:
//   offset 0  "NNPLAYTX"        8 bytes magic
//          8  u32 version       1
//         12  u32 metaBytes     length of the UTF-8 JSON that follows
//         16  meta JSON         kind, name, title, source, counts, tokenizer (Keras's to_json object)
//             zero padding to a multiple of 4
//   kind 'classification': u16 ids[count][maxlen], then u8 labels[count]; samples [0, trainCount)
//                          are the training set, the rest the test set
//   kind 'corpus':         the UTF-8 text, to the end of the file
// Plain JS with no imports: a page, a Worker and Node all use it.

const MAGIC = 'NNPLAYTX';
const VERSION = 1;
const HEADER = 16;
const align4 = (n) => (n + 3) & ~3;

/** Bytes (not yet gzipped) of a dataset: { meta, ids, labels } or { meta, text }. */
export function encodeTextDataset({ meta, ids, labels, text }) {
  const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
  const start = align4(HEADER + metaBytes.length);
  let payload;
  if (meta.kind === 'classification') {
    if (ids.length !== meta.count * meta.maxlen || labels.length !== meta.count) throw new Error('encodeTextDataset: ids or labels do not match count and maxlen');
    if (ids.some((v) => v < 0 || v > 0xffff || v >= meta.vocabSize)) throw new Error('encodeTextDataset: an id is outside the vocabulary');
    payload = new Uint8Array(ids.length * 2 + labels.length);
    const dv = new DataView(payload.buffer);
    ids.forEach((v, i) => dv.setUint16(2 * i, v, true));
    payload.set(labels, ids.length * 2);
  } else if (meta.kind === 'corpus') {
    payload = new TextEncoder().encode(text);
  } else {
    throw new Error(`encodeTextDataset: unknown kind ${meta.kind}`);
  }
  const out = new Uint8Array(start + payload.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, VERSION, true);
  dv.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, HEADER);
  out.set(payload, start);
  return out;
}

/**
 * Decode inflated bytes: { meta, ids: Int32Array [count*maxlen] with .shape, labels: Uint8Array }
 * for a classification set, { meta, text } for a corpus. Throws with the reason on a bad file.
 */
export function decodeTextDataset(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const bad = (why) => { throw new Error(`not a usable nnplay text dataset: ${why}`); };
  if (b.length < HEADER || String.fromCharCode(...b.subarray(0, 8)) !== MAGIC) bad('bad magic');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const version = dv.getUint32(8, true);
  if (version !== VERSION) bad(`version ${version} (this reader knows ${VERSION})`);
  const metaLen = dv.getUint32(12, true);
  if (HEADER + metaLen > b.length) bad('truncated header');
  let meta;
  try { meta = JSON.parse(new TextDecoder().decode(b.subarray(HEADER, HEADER + metaLen))); } catch { bad('its header is not JSON'); }
  const start = align4(HEADER + metaLen);
  if (meta.kind === 'corpus') return { meta, text: new TextDecoder().decode(b.subarray(start)) };
  if (meta.kind !== 'classification') bad(`unknown kind ${meta.kind}`);
  const { count, maxlen } = meta;
  if (!(Number.isInteger(count) && Number.isInteger(maxlen) && count >= 0 && maxlen > 0)) bad('count or maxlen');
  if (b.length !== start + count * maxlen * 2 + count) bad('its size does not match count and maxlen');
  const ids = new Int32Array(count * maxlen);
  for (let i = 0; i < ids.length; i++) ids[i] = dv.getUint16(start + 2 * i, true);
  ids.shape = [count, maxlen];
  return { meta, ids, labels: b.slice(start + ids.length * 2) };
}

/** Fetch and inflate a .nntx.gz file in a browser or Worker (DecompressionStream), then decode it. */
export async function fetchTextDataset(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const raw = res.body.pipeThrough(new DecompressionStream('gzip'));
  return decodeTextDataset(new Uint8Array(await new Response(raw).arrayBuffer()));
}
