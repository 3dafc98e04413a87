import type { AnalyticalNetwork } from "../../network/analytical.js";
import type { NetworkModel, Transfer } from "../../network/network-model.js";

/*
 * Transfers of a serving run (prefill → decode KV hand-offs, EMS pool → prefill loads) on the
 * configured network model (`network.model`): `analytical` prices each group alone (longest route
 * latency + its most loaded link's bytes over bandwidth, no contention between groups); `flow` lets
 * every transfer in flight share link bandwidth max-min fairly, so two prefills sending to one decode
 * die's RDMA port each get half of it.
 */

/** One piece of a transfer group: endpoint ids (ranks, or CPU endpoints on a supernode) and bytes. */
export interface Piece {
  readonly src: number;
  readonly dst: number;
  /** Payload, bytes. */
  readonly bytes: number;
  /** NIC time of the piece besides its bytes (e.g. one RDMA work request per block), ns. */
  readonly overheadNs?: number;
}

/**
 * Sends `pieces`, all ready at `readyNs` (exact ns, ≥ now), on `plane`; calls `arrived(endNs)` with the
 * exact time the last one arrives, ns. A piece's overhead (per-block work requests) keeps its NIC busy
 * as message processing does: it is charged as extra bytes at the route's bottleneck bandwidth, so on an
 * idle route the piece takes overhead + bytes/bandwidth and under contention the overhead is shared too.
 */
export function sendPieces(net: NetworkModel, pieces: readonly Piece[], readyNs: number, plane: string, arrived: (endNs: number) => void): void {
  const topo = net.topology;
  const transfers: Transfer[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    let bytes = p.bytes;
    if (p.overheadNs !== undefined && p.overheadNs > 0 && p.src !== p.dst) bytes += (p.overheadNs / 1e9) * topo.routeBandwidth(topo.route(p.src, p.dst, i, plane));
    transfers.push({ src: p.src, dst: p.dst, bytes });
  }
  net.runGroup(transfers, readyNs, arrived, plane);
}

/**
 * What is left to send `elapsedNs` after a layer-wise KV transfer became ready (its first layer was
 * computed), when the rest goes now. The group streamed as it would alone — its most loaded link's
 * bytes over that link's bandwidth (`alone`, the analytical model on the same topology), so pieces
 * converging on one decode die's port share it — while the
 * prefill produced one layer per `1/layers` of its time; the last layer's share is always left (it
 * exists only once the prefill has ended). Every piece keeps the same fraction. On an idle fabric the
 * exposed time is then the last layer's transfer when the network keeps up with the prefill, and the
 * tail of the whole transfer when it does not.
 */
export function layerwiseRemainder(alone: AnalyticalNetwork, pieces: readonly Piece[], plane: string, elapsedNs: number, layers: number): Piece[] {
  const aloneNs = alone.busiestLinkNs(pieces, plane);
  const maxSent = (layers - 1) / layers;
  const sent = aloneNs > 0 ? Math.min(maxSent, Math.max(0, elapsedNs) / aloneNs) : maxSent;
  return pieces.map((p) => ({ ...p, bytes: p.bytes * (1 - sent) }));
}
