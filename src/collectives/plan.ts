import type { Transfer } from "../network/network-model.js";
import type { RankLayout } from "./rank-layout.js";

/** Collective operations, named as in HCCL / nccl-tests. */
export const COLLECTIVE_OPS = [
  "all_reduce",
  "all_gather",
  "reduce_scatter",
  "broadcast",
  "all_to_all",
  "all_to_allv",
  "send_recv",
] as const;
/** One collective operation. */
export type CollectiveOp = (typeof COLLECTIVE_OPS)[number];

/** One round of an algorithm: transfers that run concurrently; the next step starts when all arrive. */
export interface CollectiveStep {
  readonly transfers: readonly Transfer[];
}

/**
 * What to plan: the operation, the ranks taking part, and its size. `bytes` is the buffer size S as
 * nccl-tests counts it: all-reduce and broadcast S per rank; all-gather S = the gathered output;
 * reduce-scatter S = the input; all-to-all S = what one rank sends in total (S/n to each peer);
 * send/recv S per rank (rank i sends S to rank i+1, like nccl-tests `sendrecv`).
 */
export interface CollectiveRequest {
  readonly op: CollectiveOp;
  /** Ranks of the group, in algorithm order. */
  readonly group: readonly number[];
  /** Buffer size S (see above), bytes. */
  readonly bytes: number;
  /** Broadcast root, as a position in `group` (default 0). */
  readonly root?: number;
  /**
   * all_to_allv: bytes from group position i to position j at index i·n + j (diagonal ignored), bytes.
   * When absent, all_to_allv is the uniform all_to_all.
   */
  readonly matrix?: ArrayLike<number>;
  /** Which ranks share a server / scale-up domain (needed by `hierarchical`). */
  readonly layout?: RankLayout;
  /** Inter-server algorithm of `hierarchical`: "ring" or "hd" (default: HCCL's rule, see select.ts). */
  readonly level1?: Level1Algorithm;
}

/** HCCL level-1 (inter-server) algorithms that `hierarchical` can use. */
export const LEVEL1_ALGORITHMS = ["ring", "hd"] as const;
/** One level-1 algorithm name. */
export type Level1Algorithm = (typeof LEVEL1_ALGORITHMS)[number];

/** A collective turned into steps of rank-to-rank transfers over the topology. */
export interface CollectivePlan {
  readonly op: CollectiveOp;
  /** Algorithm name (`ring`, `mesh`, …). */
  readonly algorithm: string;
  /** Ranks of the group, in algorithm order. */
  readonly group: readonly number[];
  /** Message size as nccl-tests counts it (the buffer S), bytes. */
  readonly bytes: number;
  readonly steps: readonly CollectiveStep[];
}

/**
 * nccl-tests bus-bandwidth factor: busbw = algbw × factor, so that busbw of a bandwidth-optimal
 * algorithm equals the per-rank link bandwidth whatever the group size (dimensionless).
 */
export function busBandwidthFactor(op: CollectiveOp, n: number): number {
  switch (op) {
    case "all_reduce":
      return (2 * (n - 1)) / n;
    case "all_gather":
    case "reduce_scatter":
    case "all_to_all":
    case "all_to_allv":
      return (n - 1) / n;
    case "broadcast":
    case "send_recv":
      return 1;
  }
}

/** Error for an (operation, algorithm) pair the algorithm does not implement; names the valid ones. */
export function unsupportedOp(algorithm: string, op: CollectiveOp, supported: readonly CollectiveOp[]): never {
  throw new Error(`algorithm "${algorithm}" does not implement ${op} (it implements: ${supported.join(", ")})`);
}

/** An empty plan (a group of one rank moves nothing). */
export function emptyPlan(req: CollectiveRequest, algorithm: string): CollectivePlan {
  return { op: req.op, algorithm, group: req.group, bytes: req.bytes, steps: [] };
}

/** Bytes from position i to position j of an all_to_allv request (uniform S/n without a matrix), bytes. */
export function pairBytes(req: CollectiveRequest, i: number, j: number): number {
  const n = req.group.length;
  if (req.matrix === undefined) return req.bytes / n;
  return req.matrix[i * n + j] ?? 0;
}

/** One send/recv round (nccl-tests `sendrecv`): every rank sends S to its successor in the group. */
export function sendRecvStep(group: readonly number[], bytes: number): CollectiveStep {
  const n = group.length;
  const transfers: Transfer[] = [];
  for (let i = 0; i < n; i++) transfers.push({ src: group[i]!, dst: group[(i + 1) % n]!, bytes });
  return { transfers };
}
