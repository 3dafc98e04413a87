import { IndexedMinHeap } from "./indexed-min-heap.js";
import { MaxMinSolver, type SharingGraph } from "./max-min-solver.js";

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
 */

const FREE = 0;
/** Waiting out its route latency; its event is the time it starts sharing bandwidth. */
const LATENCY = 1;
/** Sharing bandwidth; its event is its projected finish. */
const ACTIVE = 2;

/**
 * Width of a batch, ns: events within this of the earliest are simultaneous. Relative part: float
 * noise of a time (≈1e-16·t per operation, accumulated over many recomputations) stays far below
 * 1e-11·t; absolute part covers times near 0.
 */
export function batchWindowNs(t: number): number {
  return 1e-11 * Math.abs(t) + 1e-6;
}

/** Flows, their routes and link loads, advanced batch by batch in exact float time. */
export class FlowSystem implements SharingGraph {
  /** Capacity of each link, bytes/s. */
  readonly capacity: Float64Array;
  /** Per link, hop codes (`slot << hopShift | k`) of the flows sharing it (ACTIVE only). */
  readonly linkHops: number[][];
  /** log2 of the per-flow route stride (grows when a longer route arrives). */
  hopShift = 3;
  /** Link id of each hop code. */
  routeLinks: Int32Array;
  /** Position of each hop code inside its link's `linkHops` list (for O(1) removal). */
  private hopPos: Int32Array;
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
  private flowMark: Int32Array;
  private readonly compLinks: Int32Array;
  private compFlows: Int32Array;
  private newRate: Float64Array;

  /** Tags of the flows that finished in the last `step`, in finish order (first `doneCount`). */
  doneTags: Int32Array;
  /** How many entries of `doneTags` the last `step` filled. */
  doneCount = 0;
  /** Batches processed so far (statistics). */
  batches = 0;
  /** Sum over recomputations of the flows in the recomputed component (statistics). */
  flowsRecomputed = 0;

  /**
   * `capacities[l]` is link l's bandwidth, bytes/s (> 0; Infinity = never a bottleneck).
   * `resolutionNs` > 0 trades exactness for speed (`network.flow_resolution`): every flow finish within
   * that many ns of the earliest pending event joins its batch, so a flow may finish (and free its
   * bandwidth) up to `resolutionNs` early; its last bytes in that window are not simulated. Joins are
   * never moved: a flow starts sharing exactly at its start plus route latency.
   * Like SimGrid's `surf/precision`. With uneven flow sizes nearly every finish is its own batch and
   * each batch re-solves the whole connected component, so the exact model costs O(flows²) there.
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
    this.linkHops = Array.from({ length: nl }, () => []);
    this.solver = new MaxMinSolver(nl);
    this.linkMark = new Int32Array(nl);
    this.compLinks = new Int32Array(nl);
    const n = Math.max(1, initialSlots);
    this.slots = n;
    this.routeLinks = new Int32Array(n << this.hopShift);
    this.hopPos = new Int32Array(n << this.hopShift);
    this.routeLen = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.bytes = new Float64Array(n);
    this.rem = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.last = new Float64Array(n);
    this.tag = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
    this.flowMark = new Int32Array(n);
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
    while (len > 1 << this.hopShift) this.widen();
    const f = this.alloc();
    this.state[f] = LATENCY;
    this.bytes[f] = bytes;
    this.rem[f] = bytes;
    this.rate[f] = 0;
    this.tag[f] = tag;
    this.routeLen[f] = len;
    const base = f << this.hopShift;
    for (let k = 0, j = 0; k < route.length; k++) {
      const l = route[k]!;
      if (this.capacity[l] !== Infinity) this.routeLinks[base + j++] = l;
    }
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
    for (;;) {
      const k = events.peekKey(); // Infinity when empty
      if (!(k <= limit || (k <= finishLimit && this.state[events.peek()] === ACTIVE))) break;
      const f = events.pop();
      const len = this.routeLen[f]!;
      const base = f << shift;
      if (this.state[f] === LATENCY && this.bytes[f]! > 0 && len > 0) {
        this.state[f] = ACTIVE;
        this.last[f] = t;
        for (let k = 0; k < len; k++) {
          const h = base + k;
          const l = this.routeLinks[h]!;
          const list = this.linkHops[l]!;
          this.hopPos[h] = list.length;
          list.push(h);
          if (linkMark[l] !== epoch) {
            linkMark[l] = epoch;
            compLinks[nLinks++] = l;
          }
        }
        continue;
      }
      if (this.state[f] === ACTIVE) {
        for (let k = 0; k < len; k++) {
          const h = base + k;
          const l = this.routeLinks[h]!;
          const list = this.linkHops[l]!;
          const moved = list.pop()!;
          if (moved !== h) {
            const p = this.hopPos[h]!;
            list[p] = moved;
            this.hopPos[moved] = p;
          }
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
    if (nLinks > 0) this.recompute(t, nLinks);
    return t;
  }

  /** Recomputes rates in the component reachable from the first `nSeeds` entries of compLinks. */
  private recompute(t: number, nSeeds: number): void {
    const epoch = this.epoch;
    const linkMark = this.linkMark;
    const flowMark = this.flowMark;
    const compLinks = this.compLinks;
    const compFlows = this.compFlows;
    const linkHops = this.linkHops;
    const routeLinks = this.routeLinks;
    const routeLen = this.routeLen;
    const shift = this.hopShift;
    let nLinks = nSeeds;
    let nFlows = 0;
    for (let i = 0; i < nLinks; i++) {
      const hops = linkHops[compLinks[i]!]!;
      for (let j = 0; j < hops.length; j++) {
        const f = hops[j]! >> shift;
        if (flowMark[f] === epoch) continue;
        flowMark[f] = epoch;
        compFlows[nFlows++] = f;
        const base = f << shift;
        const len = routeLen[f]!;
        for (let m = 0; m < len; m++) {
          const l2 = routeLinks[base + m]!;
          if (linkMark[l2] !== epoch) {
            linkMark[l2] = epoch;
            compLinks[nLinks++] = l2;
          }
        }
      }
    }
    if (nFlows === 0) return;
    this.flowsRecomputed += nFlows;
    const newRate = this.newRate;
    this.solver.solve(this, compLinks, nLinks, compFlows, nFlows, newRate);
    const rate = this.rate;
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
    const hopPos = new Int32Array(slots << shift);
    for (let f = 0; f < this.highWater; f++) {
      if (this.state[f] === FREE) continue;
      const len = this.routeLen[f]!;
      for (let k = 0; k < len; k++) {
        const oh = (f << oldShift) + k;
        const nh = (f << shift) + k;
        routeLinks[nh] = this.routeLinks[oh]!;
        hopPos[nh] = this.hopPos[oh]!;
        if (this.state[f] === ACTIVE && shift !== oldShift) this.linkHops[this.routeLinks[oh]!]![this.hopPos[oh]!] = nh;
      }
    }
    this.routeLinks = routeLinks;
    this.hopPos = hopPos;
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
    this.flowMark = grow(this.flowMark, i32);
    this.compFlows = grow(this.compFlows, i32);
    this.newRate = grow(this.newRate, f64);
    this.doneTags = grow(this.doneTags, i32);
    this.events.grow(slots);
    this.slots = slots;
  }
}
