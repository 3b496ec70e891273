// seeded.js - mulberry32, the seeded random source the pages, the data tools and the tests share:
// a seed gives the same numbers in every browser and Node, so splits and samples never change.
/** A function returning numbers in [0, 1) from the seed. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
