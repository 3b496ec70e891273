// download.js - save a Blob, or a worker's exported files, as downloads from a page (every page with a model).
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000); // a slow save dialog may still be reading it
}

/**
 * Save the files a worker exported ([{ name, bytes }]), e.g. a TF.js model.json and its weights.
 * Returns a line for the page's status: the files' names and sizes, and what was left out (note).
 */
export function downloadFiles(files, note) {
  for (const f of files) {
    download(new Blob([f.bytes], { type: f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream' }), f.name);
  }
  const list = files.map((f) => `${f.name} (${f.bytes.length.toLocaleString('en')} bytes)`).join(' and ');
  return `Exported ${list}${note ? `; ${note}` : ''}.`;
}
