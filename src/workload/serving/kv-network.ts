import type { Topology } from "../../topology/topology.js";

/*
 * Transfers of a serving run (prefill → decode KV hand-off, EMS pool → prefill loads) on the cluster's
 * links: each transfer follows `topology.route(src, dst, flowId, plane)` and reserves every link of its
 * route for bytes / link bandwidth, first come first served (a link carries one reservation at a time).
 * Transfers that share a link — several prefills handing KV to one decode die's RDMA port, or P and D
 * placed behind one leaf uplink — queue behind each other, so contention and P/D placement show up,
 * at O(route length) per transfer and no per-flow events. This is coarser than the max-min `flow` model
 * (a reservation is exclusive, not shared) and is what this workload uses with either network model.
 */

/** One piece of a transfer group: endpoint ids (ranks, or CPU endpoints on a supernode) and bytes. */
export interface Piece {
  readonly src: number;
  readonly dst: number;
  /** Payload, bytes. */
  readonly bytes: number;
  /** Extra occupancy of every link of the route (per-transfer software cost, e.g. one RDMA work request per block), ns. */
  readonly overheadNs?: number;
}

/** FCFS link reservations on a topology. */
export class LinkReservations {
  private readonly freeAt: Float64Array;
  private flow = 0;
  /** Bytes reserved per plane name, for reporting, bytes. */
  readonly bytesByPlane = new Map<string, number>();

  constructor(readonly topology: Topology) {
    this.freeAt = new Float64Array(topology.links.length);
  }

  /**
   * Reserves `pieces` (all ready at `readyNs`) on `plane`; returns when the last one arrives, ns (float).
   * Pieces of one group start together on their routes; each waits for its route's links to be free.
   */
  transfer(pieces: readonly Piece[], readyNs: number, plane: string): number {
    const topo = this.topology;
    const links = topo.links;
    let end = readyNs;
    for (const p of pieces) {
      if (p.bytes <= 0 || p.src === p.dst) continue;
      const route = topo.route(p.src, p.dst, this.flow++, plane);
      let start = readyNs;
      let lat = 0;
      let bw = Infinity;
      for (let k = 0; k < route.length; k++) {
        const l = links[route[k]!]!;
        start = Math.max(start, this.freeAt[l.id]!);
        lat += l.latencyNs;
        bw = Math.min(bw, l.bandwidth);
      }
      const over = p.overheadNs ?? 0;
      for (let k = 0; k < route.length; k++) {
        const l = links[route[k]!]!;
        this.freeAt[l.id] = start + (p.bytes / l.bandwidth) * 1e9 + over;
      }
      end = Math.max(end, start + lat + (p.bytes / bw) * 1e9 + over);
      this.bytesByPlane.set(plane, (this.bytesByPlane.get(plane) ?? 0) + p.bytes);
    }
    return end;
  }
}
