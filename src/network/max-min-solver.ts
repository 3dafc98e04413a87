/**
 * Max-min fair rates by progressive filling (water-filling), one connected component at a time.
 *
 * Every link starts with its full capacity and its count of unfixed flows. The link whose fair share
 * (remaining capacity / unfixed flows) is smallest is the bottleneck: all its unfixed flows get that
 * share, which is subtracted from the other links of their routes. Removing a flow at share s from a
 * link whose share is ≥ s can only raise that link's share, so a heap key, once pushed, stays a lower
 * bound of its link's share: the heap is not touched when a flow is fixed; a popped link whose share
 * has risen since is pushed back with its current share, and one whose share still equals its key
 * is the true minimum. Cost: O(F·h + P log L) for F flows of h hops, L links and P ≥ L pops.
 *
 * Some flows on the links may be held fixed (FlowSystem's partial re-solve): the caller then gives
 * each link the capacity left to the solved flows, their count, and where they start in its list.
 * The solve also lists, per link, its solved flows' hops in the order they were fixed, which is
 * their rate order up to float noise (how FlowSystem keeps its links' lists sorted).
 */

/** The bipartite link–flow graph the solver reads (owned by FlowSystem). */
export interface SharingGraph {
  /**
   * Per link, the hop codes (`flow << hopShift | hop index`) of the flows sharing it: link l's are
   * `hopPool[linkStart[l] .. linkStart[l] + linkLen[l])`.
   */
  readonly hopPool: Int32Array;
  readonly linkStart: Int32Array;
  readonly linkLen: Int32Array;
  /** Per link, index in its list of the first hop the solve may fix (the ones before are fixed). */
  readonly tailStart: Int32Array;
  /** Per link, capacity left to the flows being solved, bytes/s. */
  readonly avail: Float64Array;
  /** Per link, how many of the flows being solved cross it. */
  readonly unfixed: Int32Array;
  /** log2 of the route stride: hop code = flow << hopShift | k. */
  readonly hopShift: number;
  /** Link id of each hop code; a flow's route ends at its first -1. */
  readonly routeLinks: Int32Array;
}

/** `rate` entry of a flow still to solve (rates are ≥ 0). */
export const UNSOLVED = -1;

/** Reusable scratch space for progressive filling over a fixed set of links. */
export class MaxMinSolver {
  /** Remaining capacity per link during a solve, bytes/s. */
  private readonly rem: Float64Array;
  /** Unfixed flows per link during a solve. */
  private readonly cnt: Int32Array;
  private heapKey = new Float64Array(256);
  private heapLink = new Int32Array(256);
  private heapN = 0;
  /**
   * After a solve, link l's solved hops in the order they were fixed, as pairs (hop code, rate in
   * bytes/s) from `fixed[2 * fixedStart[l]]` on, `count[l]` of them. Pairs: one cache line per write.
   */
  fixed = new Float64Array(512);
  readonly fixedStart: Int32Array;
  /** Per link, next free pair of its part of `fixed` during a solve. */
  private readonly fill: Int32Array;

  constructor(links: number) {
    this.rem = new Float64Array(links);
    this.cnt = new Int32Array(links);
    this.fixedStart = new Int32Array(links);
    this.fill = new Int32Array(links);
  }

  /**
   * Solves the flows whose `rate` entry is UNSOLVED: writes their max-min fair rates (bytes/s) there
   * and fills `fixed`. `links[0..nLinks)` must hold every link they cross, with
   * `g.avail`, `g.unfixed` and `g.tailStart` set for each; the other flows at or after a link's
   * `tailStart` are skipped and their `rate` entries left untouched.
   */
  solve(g: SharingGraph, links: Int32Array, nLinks: number, rate: Float64Array): void {
    const rem = this.rem;
    const cnt = this.cnt;
    const avail = g.avail;
    const count = g.unfixed;
    const tailStart = g.tailStart;
    const pool = g.hopPool;
    const linkStart = g.linkStart;
    const linkLen = g.linkLen;
    const shift = g.hopShift;
    const routeLinks = g.routeLinks;
    const fill = this.fill;
    this.heapN = 0;
    let nHops = 0;
    for (let i = 0; i < nLinks; i++) {
      const l = links[i]!;
      const c = count[l]!;
      this.fixedStart[l] = nHops;
      fill[l] = nHops;
      nHops += c;
      cnt[l] = c;
      rem[l] = avail[l]!;
      if (c > 0) this.push(avail[l]! / c, l);
    }
    if (2 * nHops > this.fixed.length) this.fixed = new Float64Array(4 * nHops);
    const fixed = this.fixed;
    while (this.heapN > 0) {
      const k = this.heapKey[0]!;
      const l = this.heapLink[0]!;
      this.pop();
      const c = cnt[l]!;
      if (c === 0) continue; // every flow on it was fixed by tighter links
      const s = rem[l]! / c;
      if (s > k) {
        this.push(s, l); // its share rose since it was pushed: requeue at the current share
        continue;
      }
      const start = linkStart[l]!;
      for (let j = start + tailStart[l]!, end = start + linkLen[l]!; j < end; j++) {
        const f = pool[j]! >> shift;
        if (rate[f] !== UNSOLVED) continue; // fixed by a tighter link, or not being solved
        rate[f] = s;
        for (let h = f << shift; ; h++) {
          const l2 = routeLinks[h]!;
          if (l2 < 0) break;
          const at = 2 * fill[l2]!++;
          fixed[at] = h;
          fixed[at + 1] = s;
          if (l2 === l) continue;
          cnt[l2]!--;
          // float noise must not make a capacity negative (it would yield a negative rate)
          const r2 = rem[l2]! - s;
          rem[l2] = r2 > 0 ? r2 : 0;
        }
      }
      cnt[l] = 0;
    }
  }

  private push(k: number, l: number): void {
    if (this.heapN === this.heapKey.length) {
      const hk = new Float64Array(this.heapN * 2);
      hk.set(this.heapKey);
      const hl = new Int32Array(this.heapN * 2);
      hl.set(this.heapLink);
      this.heapKey = hk;
      this.heapLink = hl;
    }
    const hk = this.heapKey;
    const hl = this.heapLink;
    let i = this.heapN++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = hk[p]!;
      if (pk < k || (pk === k && hl[p]! < l)) break;
      hk[i] = pk;
      hl[i] = hl[p]!;
      i = p;
    }
    hk[i] = k;
    hl[i] = l;
  }

  private pop(): void {
    const hk = this.heapKey;
    const hl = this.heapLink;
    const last = --this.heapN;
    if (last === 0) return;
    const k = hk[last]!;
    const l = hl[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      const r = c + 1;
      if (r < last && (hk[r]! < hk[c]! || (hk[r] === hk[c] && hl[r]! < hl[c]!))) c = r;
      const ck = hk[c]!;
      if (k < ck || (k === ck && l < hl[c]!)) break;
      hk[i] = ck;
      hl[i] = hl[c]!;
      i = c;
    }
    hk[i] = k;
    hl[i] = l;
  }
}
