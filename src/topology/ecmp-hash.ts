/**
 * The fixed integer hash switches use to pick one of several equal-cost paths (ECMP). Real switches
 * hash packet header fields; we hash (src, dst, flowId) with the MurmurHash3 x86_32 mixing steps, so a
 * flow keeps its path for its whole life and different flows spread over the paths. Pure, no state.
 */

function mix(h: number, k: number): number {
  let x = Math.imul(k | 0, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

/** Unsigned 32-bit hash of (src, dst, flowId) (MurmurHash3 x86_32 of three words, seed 0). */
export function ecmpHash(src: number, dst: number, flowId: number): number {
  let h = mix(0, src);
  h = mix(h, dst);
  h = mix(h, flowId);
  h ^= 12; // length in bytes, as MurmurHash3 does
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Index in [0, paths) of the equal-cost path taken by flow (src, dst, flowId). */
export function ecmpChoice(src: number, dst: number, flowId: number, paths: number): number {
  return ecmpHash(src, dst, flowId) % paths;
}
