import type { Transfer } from "../network/network-model.js";

/** Collective operations, named as in HCCL / nccl-tests. */
export const COLLECTIVE_OPS = ["all_reduce", "all_gather", "reduce_scatter", "all_to_all"] as const;
/** One collective operation. */
export type CollectiveOp = (typeof COLLECTIVE_OPS)[number];

/** One round of an algorithm: transfers that run concurrently; the next step starts when all arrive. */
export interface CollectiveStep {
  readonly transfers: readonly Transfer[];
}

/** A collective turned into steps of rank-to-rank transfers over the topology. */
export interface CollectivePlan {
  readonly op: CollectiveOp;
  /** Algorithm name (`ring`, `mesh`, …). */
  readonly algorithm: string;
  /** Ranks of the group, in algorithm order. */
  readonly group: readonly number[];
  /** Message size as nccl-tests counts it (the full buffer S), bytes. */
  readonly bytes: number;
  readonly steps: readonly CollectiveStep[];
}

/**
 * nccl-tests bus-bandwidth factor: busbw = algbw × factor, so that busbw of a bandwidth-optimal
 * algorithm equals the per-rank link bandwidth whatever the group size.
 */
export function busBandwidthFactor(op: CollectiveOp, n: number): number {
  switch (op) {
    case "all_reduce":
      return (2 * (n - 1)) / n;
    case "all_gather":
    case "reduce_scatter":
    case "all_to_all":
      return (n - 1) / n;
  }
}
