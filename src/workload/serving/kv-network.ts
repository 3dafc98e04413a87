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
 * A prefill step that computed part of a prompt handed off layer-wise: its KV appears one layer per
 * `1/layers` of the step's prefill time, the first layer's at `firstLayerNs`, the last one's at
 * `lastLayerNs`. A chunked prompt has one step per chunk. A prefix found in the prefix cache is a step
 * of its own before them whose layers all exist when the first step starts (firstLayerNs = lastLayerNs).
 */
export interface LayerwiseStep {
  /** When the step's first layer was computed, ns. */
  readonly firstLayerNs: number;
  /** When its last layer was computed, ns. */
  readonly lastLayerNs: number;
  /** Share of the hand-off's bytes computed before the step and by its end, fractions of 1. */
  readonly before: number;
  readonly after: number;
}

/** The pieces of a hand-off with the share `sent` (0…1) already delivered: every piece keeps 1 − sent of its bytes. */
export function piecesLeft(pieces: readonly Piece[], sent: number): Piece[] {
  return pieces.map((p) => ({ ...p, bytes: p.bytes * (1 - sent) }));
}

/**
 * The share `sent` of a layer-wise hand-off delivered by `nowNs`, when the prompt's last step (the last of
 * `steps`, in order) ends and the rest goes now (piecesLeft), and the time its bytes were on the wire so far,
 * `wireNs`: the share took `sent` × the whole transfer's alone time. Each layer's KV was sent as soon as it
 * existed, the group streaming as it would alone — its most loaded link's bytes over that link's bandwidth (`alone`, the analytical model
 * on the same topology), so pieces converging on one decode die's port share it. A sender that can
 * never get ahead of what exists has sent by now min over s ≤ now of produced(s⁻) + (now − s)/alone
 * (of the whole; s is the last moment it had caught up). Layers appear evenly within a step and
 * nothing appears between steps, so the minimum lies just before some step's first or last layer: two
 * candidates per step. The last layer's share of the last step is always left (it exists only now).
 * Every piece keeps the same fraction. On an idle fabric the exposed time is then the last layer's
 * transfer when the network keeps up with the prefill, and the tail of the whole transfer since the
 * first step's first layer when it does not.
 */
export function layerwiseStreamed(alone: AnalyticalNetwork, pieces: readonly Piece[], plane: string, nowNs: number, layers: number, steps: readonly LayerwiseStep[]): { sent: number; wireNs: number } {
  const aloneNs = alone.busiestLinkNs(pieces, plane);
  const allButLast = (layers - 1) / layers;
  const last = steps[steps.length - 1]!;
  let sent = last.before + (last.after - last.before) * allButLast;
  if (aloneNs > 0) {
    for (const st of steps) {
      const beforeFirst = st.before + Math.max(0, nowNs - st.firstLayerNs) / aloneNs;
      const beforeLast = st.before + (st.after - st.before) * allButLast + Math.max(0, nowNs - st.lastLayerNs) / aloneNs;
      sent = Math.min(sent, beforeFirst, beforeLast);
    }
  }
  return { sent, wireNs: sent * aloneNs };
}
