import type { Transfer } from "../network/network-model.js";
import { emptyPlan, pairBytes, unsupportedOp, type CollectiveOp, type CollectivePlan, type CollectiveRequest, type CollectiveStep } from "./plan.js";

/** Operations pairwise implements (HCCL: AllToAll / AllToAllV only). */
export const PAIRWISE_OPS: readonly CollectiveOp[] = ["all_to_all", "all_to_allv"];

/**
 * Pairwise exchange steps: in round k (k = 1…n−1) rank i sends to rank i+k and receives from rank
 * i−k, so each rank has exactly one inbound transfer per round (no incast, hardware.md §4). For a
 * uniform all-to-all every round has the same shape of S/n, yet the peers differ, so each round keeps
 * its own transfer array.
 */
export function pairwiseSteps(req: CollectiveRequest): CollectiveStep[] {
  const { group } = req;
  const n = group.length;
  const steps: CollectiveStep[] = [];
  for (let k = 1; k < n; k++) {
    const transfers: Transfer[] = [];
    for (let i = 0; i < n; i++) {
      const j = (i + k) % n;
      transfers.push({ src: group[i]!, dst: group[j]!, bytes: pairBytes(req, i, j) });
    }
    steps.push({ transfers });
  }
  return steps;
}

/** Pairwise all-to-all(v) plan (HCCL level-1 `pairwise`). */
export function pairwisePlan(req: CollectiveRequest): CollectivePlan {
  if (!PAIRWISE_OPS.includes(req.op)) unsupportedOp("pairwise", req.op, PAIRWISE_OPS);
  if (req.group.length < 2) return emptyPlan(req, "pairwise");
  return { op: req.op, algorithm: "pairwise", group: req.group, bytes: req.bytes, steps: pairwiseSteps(req) };
}
