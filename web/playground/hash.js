// hash.js - the page's settings in location.hash, read by the playground and by embed-mode.js.
// A link is untrusted input: one far longer than any real settings is refused unread, so a
// crafted 200 KB hash cannot stall the page (the longest real hash is well under 1 KB).
export const MAX_HASH_CHARS = 4096;

/** The hash's parameters, or null when it is too long to read. */
export function readHash() {
  return location.hash.length > MAX_HASH_CHARS ? null : new URLSearchParams(location.hash.slice(1));
}
