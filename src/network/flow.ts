import type { Simulator } from "../engine/index.js";
import type { Topology } from "../topology/topology.js";
import { FlowSystem } from "./flow-system.js";
import type { NetworkModel, Transfer } from "./network-model.js";

/**
 * Flow-level network model: every transfer is a flow that waits its route latency, then shares link
 * bandwidth max-min fairly with all flows in transfer at that moment — from this group and from any
 * other group in flight, whichever process started it. Exact against SimGrid's CM02 model with
 * equal per-flow latencies (test/cross/flow-vs-simgrid.test.ts).
 *
 * The fluid model runs in exact float ns (FlowSystem); this adapter keeps one engine event pending
 * at the rounded time of its next batch. When it fires at engine time N it processes every batch
 * whose exact time rounds to ≤ N and calls each finished group's onDone there with the exact time.
 */
export class FlowNetwork implements NetworkModel {
  readonly name = "flow";
  /** The fluid model (exposed for statistics and tests). */
  readonly system: FlowSystem;
  private groupPending = new Int32Array(16);
  /** Exact end of each group so far, ns. */
  private groupEnd = new Float64Array(16);
  private groupDone: (((endNs: number) => void) | undefined)[] = new Array(16);
  private freeGroups: number[] = [];
  private nGroups = 0;
  private completed = new Int32Array(16);
  private wakeId = -1;
  private wakeAt = -1;
  private inWake = false;
  /** Bound once so scheduling a wake-up allocates nothing. */
  private readonly onWake = (): void => this.wake();

  constructor(
    private readonly sim: Simulator,
    readonly topology: Topology,
    /** Events closer than this are one batch (0 = exact; see FlowSystem), ns. */
    resolutionNs = 0,
  ) {
    const caps = new Float64Array(topology.links.length);
    for (let l = 0; l < caps.length; l++) caps[l] = topology.links[l]!.bandwidth;
    this.system = new FlowSystem(caps, 64, resolutionNs);
  }

  runGroup(transfers: readonly Transfer[], startNs: number, onDone: (endNs: number) => void, plane?: string): void {
    const topo = this.topology;
    const links = topo.links;
    const g = this.allocGroup();
    let count = 0;
    for (let i = 0; i < transfers.length; i++) {
      const t = transfers[i]!;
      if (t.bytes <= 0 || t.src === t.dst) continue;
      const route = topo.route(t.src, t.dst, i, plane);
      let lat = 0;
      for (let k = 0; k < route.length; k++) lat += links[route[k]!]!.latencyNs;
      this.system.addFlow(route, t.bytes, startNs + lat, g);
      count++;
    }
    if (count === 0) {
      this.freeGroups.push(g);
      this.sim.scheduleAt(Math.max(this.sim.now, Math.round(startNs)), onDone, startNs);
      return;
    }
    this.groupPending[g] = count;
    this.groupEnd[g] = startNs;
    this.groupDone[g] = onDone;
    if (!this.inWake) this.ensureWake();
  }

  private wake(): void {
    this.wakeId = -1;
    this.wakeAt = -1;
    this.inWake = true;
    const sys = this.system;
    // exact times t with round(t) <= now belong to this engine instant
    const limit = this.sim.now + 0.5;
    while (sys.nextTimeNs < limit) {
      const t = sys.step();
      let nDone = 0;
      for (let i = 0; i < sys.doneCount; i++) {
        const g = sys.doneTags[i]!;
        if (t > this.groupEnd[g]!) this.groupEnd[g] = t;
        if (--this.groupPending[g]! === 0) {
          if (nDone === this.completed.length) this.completed = growInt32(this.completed);
          this.completed[nDone++] = g;
        }
      }
      // callbacks may start new groups (re-entrant runGroup): the loop picks up their events
      for (let i = 0; i < nDone; i++) {
        const g = this.completed[i]!;
        const cb = this.groupDone[g]!;
        const end = this.groupEnd[g]!;
        this.groupDone[g] = undefined;
        this.freeGroups.push(g);
        cb(end);
      }
    }
    this.inWake = false;
    this.ensureWake();
  }

  /** Keeps exactly one engine event pending, at the rounded time of the next batch. */
  private ensureWake(): void {
    const next = this.system.nextTimeNs;
    if (next === Infinity) return;
    const at = Math.max(this.sim.now, Math.round(next));
    if (this.wakeId >= 0) {
      if (this.wakeAt <= at) return;
      this.sim.cancel(this.wakeId);
    }
    this.wakeId = this.sim.scheduleAt(at, this.onWake);
    this.wakeAt = at;
  }

  private allocGroup(): number {
    const g = this.freeGroups.pop();
    if (g !== undefined) return g;
    if (this.nGroups === this.groupPending.length) {
      this.groupPending = growInt32(this.groupPending);
      const e = new Float64Array(this.groupEnd.length * 2);
      e.set(this.groupEnd);
      this.groupEnd = e;
      this.groupDone.length = this.groupEnd.length;
    }
    return this.nGroups++;
  }
}

function growInt32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
