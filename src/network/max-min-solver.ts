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
 */

/** The bipartite link–flow graph the solver reads (owned by FlowSystem). */
export interface SharingGraph {
  /** Capacity of each link, bytes/s. */
  readonly capacity: Float64Array;
  /** Per link, the hop codes (`flow << hopShift | hop index`) of the flows sharing it. */
  readonly linkHops: readonly (readonly number[])[];
  /** log2 of the route stride: hop code = flow << hopShift | k. */
  readonly hopShift: number;
  /** Link id of each hop code. */
  readonly routeLinks: Int32Array;
  /** Number of hops of each flow. */
  readonly routeLen: Int32Array;
}

/** Reusable scratch space for progressive filling over a fixed set of links. */
export class MaxMinSolver {
  /** Remaining capacity per link during a solve, bytes/s. */
  private readonly rem: Float64Array;
  /** Unfixed flows per link during a solve. */
  private readonly cnt: Int32Array;
  private heapKey = new Float64Array(256);
  private heapLink = new Int32Array(256);
  private heapN = 0;

  constructor(links: number) {
    this.rem = new Float64Array(links);
    this.cnt = new Int32Array(links);
  }

  /**
   * Writes the max-min fair rate (bytes/s) of every flow in `flows[0..nFlows)` into `rate`.
   * `links[0..nLinks)` must hold every link those flows cross and every flow on those links must be
   * in `flows` (a closed component). Entries of `rate` for other flows are left untouched.
   */
  solve(g: SharingGraph, links: Int32Array, nLinks: number, flows: Int32Array, nFlows: number, rate: Float64Array): void {
    const rem = this.rem;
    const cnt = this.cnt;
    const cap = g.capacity;
    const linkHops = g.linkHops;
    const shift = g.hopShift;
    const routeLinks = g.routeLinks;
    const routeLen = g.routeLen;
    this.heapN = 0;
    for (let i = 0; i < nFlows; i++) rate[flows[i]!] = -1; // -1 = not fixed yet
    for (let i = 0; i < nLinks; i++) {
      const l = links[i]!;
      const c = linkHops[l]!.length;
      cnt[l] = c;
      rem[l] = cap[l]!;
      if (c > 0) this.push(cap[l]! / c, l);
    }
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
      const hops = linkHops[l]!;
      for (let j = 0; j < hops.length; j++) {
        const f = hops[j]! >> shift;
        if (rate[f]! >= 0) continue;
        rate[f] = s;
        const base = f << shift;
        const len = routeLen[f]!;
        for (let m = 0; m < len; m++) {
          const l2 = routeLinks[base + m]!;
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
