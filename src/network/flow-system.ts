import { IndexedMinHeap } from "./indexed-min-heap.js";
import { MaxMinSolver, UNSOLVED, type SharingGraph } from "./max-min-solver.js";

/**
 * The fluid flow model in exact (float) nanoseconds, independent of the event engine: a flow waits
 * its route latency, then shares link bandwidth max-min fairly with every other flow in transfer,
 * rates recomputed whenever a flow joins or leaves. This is SimGrid's CM02 model when every flow
 * has the same total latency (then CM02's RTT weights are all equal and its LMM system is plain
 * max-min fairness), which is how test/cross checks it.
 *
 * Incremental: a change recomputes only the connected component (links ↔ flows) that it touches,
 * and a flow whose rate came out unchanged keeps its finish time untouched. Events that fall
 * within float noise of each other are one batch, handled by one recomputation, so flows that
 * finish "together" complete together, in the same order on every run.
 *
 * A batch of finishes only re-solves part of the component. Progressive filling fixes each flow at
 * the level of the first link on its route to saturate. Let θ be the lowest old rate of the flows
 * that finished: every link they crossed saturated at a level ≥ θ, so below θ the filling runs as
 * before, every flow with a rate < θ keeps it exactly and every other flow gets a rate ≥ θ. Only
 * the flows at rates ≥ θ are re-solved, on the capacity the others leave. A batch with a join
 * re-solves the whole component. Each link keeps its flows sorted by rate with running sums of
 * their rates, so the flows at rates ≥ θ are a tail of its list, found without reading the others.
 */

const FREE = 0;
/** Waiting out its route latency; its event is the time it starts sharing bandwidth. */
const LATENCY = 1;
/** Sharing bandwidth; its event is its projected finish. */
const ACTIVE = 2;

/** `newRate` of a flow that finished in the current batch (UNSOLVED marks the ones to re-solve). */
const GONE = -2;

/**
 * Width of a batch, ns: events within this of the earliest are simultaneous. Relative part: float
 * noise of a time (≈1e-16·t per operation, accumulated over many recomputations) stays far below
 * 1e-11·t; absolute part covers times near 0.
 */
export function batchWindowNs(t: number): number {
  return 1e-11 * Math.abs(t) + 1e-6;
}

/**
 * Relative margin below θ (dimensionless) under which a flow is held fixed after finishes. A flow
 * tied with θ in exact arithmetic may land a little below it in floats (≈1e-16 per operation, times
 * capacity / share), and holding it fixed would be wrong; the margin re-solves those too
 * (re-solving extra flows is always exact). Far above float noise, far below distinct rates.
 */
const FIXED_MARGIN = 1e-6;

/** Flows, their routes and link loads, advanced batch by batch in exact float time. */
export class FlowSystem implements SharingGraph {
  /** Capacity of each link, bytes/s. */
  readonly capacity: Float64Array;
  /**
   * Every link's list of hop codes (`slot << hopShift | k`) of the flows sharing it (ACTIVE only),
   * sorted by rate, lowest first (between batches; a batch's re-solve adds and drops its flows).
   * Link l's list is `hopPool[linkStart[l] .. linkStart[l] + linkLen[l])`.
   */
  hopPool: Int32Array;
  /** Rate of the flow of each `hopPool` entry, bytes/s (0 for a flow joining in this batch). */
  private ratePool: Float64Array;
  /** Per link, running sums of `ratePool` along its list: entry j sums entries ..j of the list, bytes/s. */
  private sumPool: Float64Array;
  /** Per link, where its list starts in the pools. */
  readonly linkStart: Int32Array;
  /** Per link, length of its list. */
  readonly linkLen: Int32Array;
  /** Per link, room reserved in the pools from `linkStart`. */
  private readonly linkRoom: Int32Array;
  /** Pool entries in use (a link whose list outgrows its room moves to the end). */
  private poolEnd: number;
  // per link of the batch's component, for the solver: where its list's re-solved tail starts, the
  // capacity the fixed flows leave (bytes/s) and how many re-solved flows cross it
  readonly tailStart: Int32Array;
  readonly avail: Float64Array;
  readonly unfixed: Int32Array;
  /** log2 of the per-flow route stride (grows when a longer route arrives). */
  hopShift = 3;
  /** Link id of each hop code; each route ends with -1 (so the stride exceeds the longest route). */
  routeLinks: Int32Array;
  /** Number of hops of each flow slot. */
  routeLen: Int32Array;

  private slots: number;
  private state: Uint8Array;
  /** Total payload per slot, bytes. */
  private bytes: Float64Array;
  /** Bytes still to send at time `last`, per slot. */
  private rem: Float64Array;
  /** Current rate per slot, bytes/s. */
  private rate: Float64Array;
  /** Time `rem` refers to, ns. */
  private last: Float64Array;
  /** Caller's tag per slot (FlowNetwork: the group id). */
  private tag: Int32Array;
  private freeSlots: Int32Array;
  private nFree = 0;
  private highWater = 0;
  private nLive = 0;

  /** Next event of each live slot: its join time (LATENCY) or its projected finish (ACTIVE), ns. */
  private readonly events = new IndexedMinHeap();
  private readonly solver: MaxMinSolver;
  private nowNs = 0;

  // scratch of one batch: epoch stamps avoid clearing the marks
  private epoch = 0;
  private readonly linkMark: Int32Array;
  private readonly compLinks: Int32Array;
  private compFlows: Int32Array;
  /** Rates out of the solver, bytes/s; ≥ 0 between batches, UNSOLVED or GONE during one. */
  private newRate: Float64Array;
  /** Scratch of `sortList`. */
  private scratchHops = new Int32Array(64);
  private scratchRates = new Float64Array(64);

  /** Tags of the flows that finished in the last `step`, in finish order (first `doneCount`). */
  doneTags: Int32Array;
  /** How many entries of `doneTags` the last `step` filled. */
  doneCount = 0;
  /** Batches processed so far (statistics). */
  batches = 0;
  /** Sum over recomputations of the flows re-solved (statistics). */
  flowsRecomputed = 0;

  /**
   * `capacities[l]` is link l's bandwidth, bytes/s (> 0; Infinity = never a bottleneck).
   * `resolutionNs` > 0 trades exactness for speed (`network.flow_resolution`): every flow finish within
   * that many ns of the earliest pending event joins its batch, so a flow may finish (and free its
   * bandwidth) up to `resolutionNs` early; its last bytes in that window are not simulated. Joins are
   * never moved: a flow starts sharing exactly at its start plus route latency.
   * Like SimGrid's `surf/precision`. With uneven flow sizes nearly every finish is its own batch and
   * each batch re-solves the flows at least as fast as the one that finished (≈40 % of them in a
   * dispatch-shaped all-to-all), so the exact model still costs O(flows²) there.
   */
  constructor(
    capacities: ArrayLike<number>,
    initialSlots = 64,
    private readonly resolutionNs = 0,
  ) {
    if (!(resolutionNs >= 0) || !Number.isFinite(resolutionNs)) throw new RangeError(`flow resolution must be a finite number of ns >= 0, got ${resolutionNs}`);
    const nl = capacities.length;
    this.capacity = new Float64Array(nl);
    for (let l = 0; l < nl; l++) {
      const c = capacities[l]!;
      if (!(c > 0)) throw new RangeError(`link ${l}: bandwidth must be a positive number of bytes/s, got ${c}`);
      this.capacity[l] = c;
    }
    this.linkStart = new Int32Array(nl);
    this.linkLen = new Int32Array(nl);
    this.linkRoom = new Int32Array(nl);
    for (let l = 0; l < nl; l++) {
      this.linkStart[l] = 4 * l;
      this.linkRoom[l] = 4;
    }
    this.poolEnd = 4 * nl;
    this.hopPool = new Int32Array(Math.max(64, 2 * this.poolEnd));
    this.ratePool = new Float64Array(this.hopPool.length);
    this.sumPool = new Float64Array(this.hopPool.length);
    this.tailStart = new Int32Array(nl);
    this.solver = new MaxMinSolver(nl);
    this.linkMark = new Int32Array(nl);
    this.compLinks = new Int32Array(nl);
    this.avail = new Float64Array(nl);
    this.unfixed = new Int32Array(nl);
    const n = Math.max(1, initialSlots);
    this.slots = n;
    this.routeLinks = new Int32Array(n << this.hopShift);
    this.routeLen = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.bytes = new Float64Array(n);
    this.rem = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.last = new Float64Array(n);
    this.tag = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
    this.compFlows = new Int32Array(n);
    this.newRate = new Float64Array(n);
    this.doneTags = new Int32Array(n);
    this.events.grow(n);
  }

  /** Time of the last processed batch, ns. */
  get now(): number {
    return this.nowNs;
  }

  /** Flows not yet finished (waiting out latency or sharing bandwidth). */
  get liveFlows(): number {
    return this.nLive;
  }

  /** Time of the next batch, ns (Infinity when no flow is live). */
  get nextTimeNs(): number {
    return this.events.peekKey();
  }

  /** Rates of the flows sharing link l, in the order of its list, bytes/s (a copy, for checks). */
  linkRates(l: number): Float64Array {
    const start = this.linkStart[l]!;
    return this.ratePool.slice(start, start + this.linkLen[l]!);
  }

  /**
   * Adds a flow of `bytes` over the links `route` that starts sharing bandwidth at `joinNs` (its
   * start plus its route latency, ns; clamped to `now` if earlier) and reports `tag` when done.
   */
  addFlow(route: ArrayLike<number>, bytes: number, joinNs: number, tag: number): void {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`flow bytes must be finite and >= 0, got ${bytes}`);
    if (Number.isNaN(joinNs)) throw new RangeError("flow join time is NaN");
    const nl = this.capacity.length;
    let len = 0;
    for (let k = 0; k < route.length; k++) {
      const l = route[k]!;
      if (!(l >= 0 && l < nl) || !Number.isInteger(l)) throw new RangeError(`route link ${l} out of range 0..${nl - 1}`);
      if (this.capacity[l] !== Infinity) len++; // an infinite link never constrains: leave it out
    }
    while (len >= 1 << this.hopShift) this.widen(); // room for the -1 ending the route
    const f = this.alloc();
    this.state[f] = LATENCY;
    this.bytes[f] = bytes;
    this.rem[f] = bytes;
    this.rate[f] = 0;
    this.newRate[f] = 0; // the slot may have been GONE
    this.tag[f] = tag;
    this.routeLen[f] = len;
    const base = f << this.hopShift;
    for (let k = 0, j = 0; k < route.length; k++) {
      const l = route[k]!;
      if (this.capacity[l] !== Infinity) this.routeLinks[base + j++] = l;
    }
    this.routeLinks[base + len] = -1;
    this.events.set(f, joinNs > this.nowNs ? joinNs : this.nowNs);
  }

  /**
   * Processes the next batch: every join or finish within `batchWindowNs` of the earliest pending
   * event happens at that earliest time. Fills `doneTags`/`doneCount`; returns the batch time, ns
   * (Infinity if nothing was pending).
   */
  step(): number {
    const events = this.events;
    const t = events.peekKey();
    this.doneCount = 0;
    if (t === Infinity) return t;
    if (t > this.nowNs) this.nowNs = t;
    const limit = t + batchWindowNs(t);
    // the resolution batches finishes only: a flow never joins before its own time (nor before its start)
    const finishLimit = t + Math.max(batchWindowNs(t), this.resolutionNs);
    const epoch = ++this.epoch;
    const linkMark = this.linkMark;
    const compLinks = this.compLinks;
    const shift = this.hopShift;
    let nLinks = 0;
    let joined = false;
    let theta = Infinity; // lowest old rate of the flows finishing in this batch, bytes/s
    for (;;) {
      const k = events.peekKey(); // Infinity when empty
      if (!(k <= limit || (k <= finishLimit && this.state[events.peek()] === ACTIVE))) break;
      const f = events.pop();
      const len = this.routeLen[f]!;
      const base = f << shift;
      if (this.state[f] === LATENCY && this.bytes[f]! > 0 && len > 0) {
        this.state[f] = ACTIVE;
        this.last[f] = t;
        joined = true;
        for (let k = 0; k < len; k++) {
          const h = base + k;
          const l = this.routeLinks[h]!;
          // rate 0 for now: the re-solve puts it in rate order
          const n = this.linkLen[l]!;
          if (n === this.linkRoom[l]) this.moveLink(l, n + 1);
          this.hopPool[this.linkStart[l]! + n] = h;
          this.ratePool[this.linkStart[l]! + n] = 0;
          this.linkLen[l] = n + 1;
          if (linkMark[l] !== epoch) {
            linkMark[l] = epoch;
            compLinks[nLinks++] = l;
          }
        }
        continue;
      }
      if (this.state[f] === ACTIVE) {
        if (this.rate[f]! < theta) theta = this.rate[f]!;
        // it stays in its links' lists until the re-solve drops it: its rate ≥ θ puts it in their tails
        this.newRate[f] = GONE;
        for (let k = 0; k < len; k++) {
          const l = this.routeLinks[base + k]!;
          if (linkMark[l] !== epoch) {
            linkMark[l] = epoch;
            compLinks[nLinks++] = l;
          }
        }
      }
      // finished (or an empty flow, done as soon as its latency is over)
      this.doneTags[this.doneCount++] = this.tag[f]!;
      this.state[f] = FREE;
      this.freeSlots[this.nFree++] = f;
      this.nLive--;
    }
    this.batches++;
    if (nLinks > 0) this.recompute(t, nLinks, joined ? 0 : theta);
    return t;
  }

  /**
   * Re-solves the flows at rates ≥ `theta` (bytes/s; 0 = every flow) that such flows connect to the
   * first `nSeeds` entries of compLinks, the links this batch changed; the other flows keep their
   * rates. Flows that finished in this batch are still in their links' lists and are dropped here.
   */
  private recompute(t: number, nSeeds: number, theta: number): void {
    const epoch = this.epoch;
    const linkMark = this.linkMark;
    const compLinks = this.compLinks;
    const compFlows = this.compFlows;
    const hopPool = this.hopPool;
    const ratePool = this.ratePool;
    const linkStart = this.linkStart;
    const linkLen = this.linkLen;
    const tailStart = this.tailStart;
    const routeLinks = this.routeLinks;
    const shift = this.hopShift;
    const rate = this.rate;
    const newRate = this.newRate;
    const fixedBelow = theta * (1 - FIXED_MARGIN);
    let nLinks = nSeeds;
    let nFlows = 0;
    for (let i = 0; i < nLinks; i++) {
      const l = compLinks[i]!;
      const start = linkStart[l]!;
      // the tail of the list at rates ≥ fixedBelow: the flows to re-solve, and this batch's finished ones
      let p = linkLen[l]!;
      let free = 0;
      for (; p > 0; p--) {
        if (ratePool[start + p - 1]! < fixedBelow) break;
        const f = hopPool[start + p - 1]! >> shift;
        const mark = newRate[f]!;
        if (mark < 0) {
          if (mark === UNSOLVED) free++; // already found through another link
          continue;
        }
        free++;
        newRate[f] = UNSOLVED;
        compFlows[nFlows++] = f;
        for (let h = f << shift; ; h++) {
          const l2 = routeLinks[h]!;
          if (l2 < 0) break;
          if (linkMark[l2] !== epoch) {
            linkMark[l2] = epoch;
            compLinks[nLinks++] = l2;
          }
        }
      }
      tailStart[l] = p;
      const left = this.capacity[l]! - (p > 0 ? this.sumPool[start + p - 1]! : 0);
      this.avail[l] = left > 0 ? left : 0;
      this.unfixed[l] = free;
    }
    this.flowsRecomputed += nFlows;
    if (nFlows > 0) this.solver.solve(this, compLinks, nLinks, newRate);
    const rem = this.rem;
    const last = this.last;
    const events = this.events;
    for (let i = 0; i < nFlows; i++) {
      const f = compFlows[i]!;
      const r = newRate[f]!;
      const old = rate[f]!;
      // same rate ⇒ same projected finish: leave it alone rather than re-derive it with new noise
      if (r === old) continue;
      let left = rem[f]! - (old * (t - last[f]!)) / 1e9;
      if (left < 0) left = 0;
      rem[f] = left;
      last[f] = t;
      rate[f] = r;
      events.set(f, r > 0 ? t + (left / r) * 1e9 : left > 0 ? Infinity : t);
    }
    for (let i = 0; i < nLinks; i++) this.replaceTail(compLinks[i]!);
  }

  /**
   * Replaces link l's tail (from `tailStart`: the re-solved flows and the finished ones) by its
   * re-solved flows in the order the solver fixed them, and updates its running sums. The fixing
   * order is the rate order up to float noise: an insertion pass moves the few inverted entries,
   * or a full sort takes over when they are many (equal shares fixed an ulp apart, in turns).
   */
  private replaceTail(l: number): void {
    const n = this.unfixed[l]!;
    const tail = this.tailStart[l]!;
    this.linkLen[l] = tail;
    if (tail + n > this.linkRoom[l]!) this.moveLink(l, tail + n);
    const hops = this.hopPool;
    const rates = this.ratePool;
    const sums = this.sumPool;
    const start = this.linkStart[l]!;
    const from = start + tail;
    const end = from + n;
    const fixed = this.solver.fixed;
    this.linkLen[l] = tail + n;
    let sum = from > start ? sums[from - 1]! : 0;
    let prev = from > start ? rates[from - 1]! : -Infinity;
    let low = end; // lowest entry an inversion moved
    let moves = 0;
    for (let j = from, k = 2 * this.solver.fixedStart[l]!; j < end; j++, k += 2) {
      const h = fixed[k]!;
      const r = fixed[k + 1]!;
      sum += r;
      sums[j] = sum;
      let i = j;
      if (r >= prev) prev = r;
      else {
        for (; i > start && rates[i - 1]! > r && moves <= n; i--, moves++) {
          hops[i] = hops[i - 1]!;
          rates[i] = rates[i - 1]!;
        }
        if (i < low) low = i;
      }
      hops[i] = h;
      rates[i] = r;
    }
    // past the budget, entries were stored unsorted (all of them): sort the whole list
    if (moves > n) return this.sortList(l);
    if (low === end) return;
    sum = low > start ? sums[low - 1]! : 0;
    for (let j = low; j < end; j++) {
      sum += rates[j]!;
      sums[j] = sum;
    }
  }

  /**
   * Sorts link l's whole list by rate and redoes its sums: merges its sorted runs pairwise, pass
   * after pass (stable, O(n log runs); the solver's order leaves few, long runs).
   */
  private sortList(l: number): void {
    const start = this.linkStart[l]!;
    const end = start + this.linkLen[l]!;
    if (this.scratchHops.length < end - start) {
      this.scratchHops = new Int32Array(2 * (end - start));
      this.scratchRates = new Float64Array(2 * (end - start));
    }
    const hops = this.hopPool;
    const rates = this.ratePool;
    const outHops = this.scratchHops;
    const outRates = this.scratchRates;
    for (;;) {
      let merged = 0; // runs left after this pass
      for (let i = start; i < end; merged++) {
        let m = i + 1; // first run [i, m)
        while (m < end && rates[m - 1]! <= rates[m]!) m++;
        let e = m; // second run [m, e)
        if (e < end) for (e++; e < end && rates[e - 1]! <= rates[e]!; ) e++;
        for (let a = i, b = m, o = i - start; o < e - start; o++) {
          const src = b >= e || (a < m && rates[a]! <= rates[b]!) ? a++ : b++;
          outHops[o] = hops[src]!;
          outRates[o] = rates[src]!;
        }
        i = e;
      }
      hops.set(outHops.subarray(0, end - start), start);
      rates.set(outRates.subarray(0, end - start), start);
      if (merged <= 1) break;
    }
    let sum = 0;
    for (let j = start; j < end; j++) this.sumPool[j] = sum += this.ratePool[j]!;
  }

  /**
   * Moves link l's list to the end of the pools with room for at least `need` entries (the pools
   * grow when full). The rooms a link left behind sum to less than its current one, so the pools
   * stay under twice the rooms in use.
   */
  private moveLink(l: number, need: number): void {
    let room = 2 * this.linkRoom[l]!;
    while (room < need) room *= 2;
    if (this.poolEnd + room > this.hopPool.length) {
      const size = Math.max(2 * this.hopPool.length, this.poolEnd + room);
      const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.hopPool = grow(this.hopPool, new Int32Array(size));
      this.ratePool = grow(this.ratePool, new Float64Array(size));
      this.sumPool = grow(this.sumPool, new Float64Array(size));
    }
    const from = this.linkStart[l]!;
    const n = this.linkLen[l]!;
    this.hopPool.copyWithin(this.poolEnd, from, from + n);
    this.ratePool.copyWithin(this.poolEnd, from, from + n);
    this.sumPool.copyWithin(this.poolEnd, from, from + n);
    this.linkStart[l] = this.poolEnd;
    this.linkRoom[l] = room;
    this.poolEnd += room;
  }

  private alloc(): number {
    this.nLive++;
    if (this.nFree > 0) return this.freeSlots[--this.nFree]!;
    if (this.highWater === this.slots) this.resize(this.slots * 2, this.hopShift);
    return this.highWater++;
  }

  /** Doubles the route stride so longer routes fit; hop codes in link lists are rewritten. */
  private widen(): void {
    this.resize(this.slots, this.hopShift + 1);
  }

  private resize(slots: number, shift: number): void {
    const oldShift = this.hopShift;
    const routeLinks = new Int32Array(slots << shift);
    for (let f = 0; f < this.highWater; f++) {
      if (this.state[f] === FREE) continue;
      const len = this.routeLen[f]!;
      for (let k = 0; k <= len; k++) routeLinks[(f << shift) + k] = this.routeLinks[(f << oldShift) + k]!;
    }
    if (shift !== oldShift) {
      const hops = this.hopPool;
      for (let l = 0; l < this.linkLen.length; l++) {
        for (let j = this.linkStart[l]!, end = j + this.linkLen[l]!; j < end; j++) {
          const f = hops[j]! >> oldShift;
          hops[j] = (f << shift) + (hops[j]! - (f << oldShift));
        }
      }
    }
    this.routeLinks = routeLinks;
    this.hopShift = shift;
    if (slots === this.slots) return;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(slots);
      b.set(a);
      return b;
    };
    const f64 = (n: number) => new Float64Array(n);
    const i32 = (n: number) => new Int32Array(n);
    this.routeLen = grow(this.routeLen, i32);
    this.state = grow(this.state, (n) => new Uint8Array(n));
    this.bytes = grow(this.bytes, f64);
    this.rem = grow(this.rem, f64);
    this.rate = grow(this.rate, f64);
    this.last = grow(this.last, f64);
    this.tag = grow(this.tag, i32);
    this.freeSlots = grow(this.freeSlots, i32);
    this.compFlows = grow(this.compFlows, i32);
    this.newRate = grow(this.newRate, f64);
    this.doneTags = grow(this.doneTags, i32);
    this.events.grow(slots);
    this.slots = slots;
  }
}
