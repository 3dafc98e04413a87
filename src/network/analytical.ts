import type { Simulator } from "../engine/index.js";
import type { Topology } from "../topology/topology.js";
import type { NetworkModel, Transfer } from "./network-model.js";

/**
 * Congestion-unaware α–β model. A group of concurrent transfers takes the longest route latency
 * (α) plus the time the most loaded link needs for all bytes crossing it (β): on a non-blocking
 * fabric that is the busiest endpoint's bytes over its bandwidth. No flow-level sharing dynamics.
 */
export class AnalyticalNetwork implements NetworkModel {
  readonly name = "analytical";
  private readonly load: Float64Array;
  private readonly touched: Int32Array;

  constructor(
    private readonly sim: Simulator,
    readonly topology: Topology,
  ) {
    this.load = new Float64Array(topology.links.length);
    this.touched = new Int32Array(topology.links.length);
  }

  /** Exact duration of a group, ns (float): max route latency + max over links of bytes/bandwidth. */
  groupDurationNs(transfers: readonly Transfer[], plane?: string): number {
    return this.scan(transfers, plane, true);
  }

  /**
   * Time the group's most loaded link needs for all bytes crossing it, ns (float): on a non-blocking
   * fabric the busiest endpoint's bytes over its bandwidth.
   */
  busiestLinkNs(transfers: readonly Transfer[], plane?: string): number {
    return this.scan(transfers, plane, false);
  }

  /** The busiest link's time for the group, plus its longest route latency when `withLatency`, ns (float). */
  private scan(transfers: readonly Transfer[], plane: string | undefined, withLatency: boolean): number {
    const topo = this.topology;
    const links = topo.links;
    const load = this.load;
    const touched = this.touched;
    let nTouched = 0;
    let maxLatency = 0;
    for (let i = 0; i < transfers.length; i++) {
      const t = transfers[i]!;
      if (t.bytes <= 0 || t.src === t.dst) continue;
      const route = topo.route(t.src, t.dst, i, plane);
      let lat = 0;
      for (let k = 0; k < route.length; k++) {
        const l = route[k]!;
        if (load[l] === 0) touched[nTouched++] = l;
        load[l]! += t.bytes;
        lat += links[l]!.latencyNs;
      }
      if (lat > maxLatency) maxLatency = lat;
    }
    let maxSerial = 0;
    for (let k = 0; k < nTouched; k++) {
      const l = touched[k]!;
      const ns = (load[l]! / links[l]!.bandwidth) * 1e9;
      if (ns > maxSerial) maxSerial = ns;
      load[l] = 0;
    }
    return withLatency ? maxLatency + maxSerial : maxSerial;
  }

  runGroup(transfers: readonly Transfer[], startNs: number, onDone: (endNs: number) => void, plane?: string): void {
    const end = startNs + this.groupDurationNs(transfers, plane);
    this.sim.scheduleAt(Math.max(this.sim.now, Math.round(end)), onDone, end);
  }
}
