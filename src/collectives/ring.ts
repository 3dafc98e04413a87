import type { Transfer } from "../network/network-model.js";
import {
  COLLECTIVE_OPS,
  emptyPlan,
  sendRecvStep,
  unsupportedOp,
  type CollectiveOp,
  type CollectivePlan,
  type CollectiveRequest,
  type CollectiveStep,
} from "./plan.js";
import { pairwiseSteps } from "./pairwise.js";

/** Operations the ring implements. */
export const RING_OPS: readonly CollectiveOp[] = COLLECTIVE_OPS;

/** One ring round: every rank sends `chunk` bytes to its successor in `group`. */
export function ringStep(group: readonly number[], chunk: number): CollectiveStep {
  const n = group.length;
  const transfers: Transfer[] = [];
  for (let i = 0; i < n; i++) transfers.push({ src: group[i]!, dst: group[(i + 1) % n]!, bytes: chunk });
  return { transfers };
}

/** Ring (or chain) steps of one collective, `S` the request's buffer; exported for hierarchical level 1. */
export function ringSteps(req: CollectiveRequest): CollectiveStep[] {
  const { op, group, bytes } = req;
  const n = group.length;
  const steps: CollectiveStep[] = [];
  if (n < 2) return steps;
  const chunk = bytes / n;
  switch (op) {
    case "all_reduce":
    case "all_gather":
    case "reduce_scatter": {
      // all-reduce = reduce-scatter + all-gather: 2(n−1) rounds of S/n; the others n−1 rounds
      const rounds = op === "all_reduce" ? 2 * (n - 1) : n - 1;
      const step = ringStep(group, chunk);
      for (let r = 0; r < rounds; r++) steps.push(step);
      break;
    }
    case "broadcast": {
      // pipelined chain from the root cut into n chunks: 2n−2 rounds (t = 0…2n−3); in round t position i (0 = root)
      // forwards chunk t−i to position i+1, so the middle round moves n−1 chunks at once
      const root = req.root ?? 0;
      const at = (i: number): number => group[(root + i) % n]!;
      for (let t = 0; t <= 2 * n - 3; t++) {
        const transfers: Transfer[] = [];
        for (let i = 0; i < n - 1; i++) {
          const c = t - i;
          if (c >= 0 && c < n) transfers.push({ src: at(i), dst: at(i + 1), bytes: chunk });
        }
        if (transfers.length > 0) steps.push({ transfers });
      }
      break;
    }
    case "all_to_all":
    case "all_to_allv": {
      // round k: rank i sends its block for rank i+k directly (the pairwise order, ring-shaped)
      steps.push(...pairwiseSteps(req));
      break;
    }
    case "send_recv":
      steps.push(sendRecvStep(group, bytes));
      break;
  }
  return steps;
}

/**
 * Ring algorithms over `group` for a buffer of S bytes. All-reduce = reduce-scatter + all-gather,
 * 2(n−1) rounds of S/n; all-gather and reduce-scatter n−1 rounds of S/n; broadcast a pipelined chain of
 * n chunks (2n−2 rounds of S/n, the bandwidth term of scatter + all-gather); all-to-all(v) n−1 rounds in
 * which rank i sends its block for rank i+k (k = 1…n−1) directly.
 */
export function ringPlan(req: CollectiveRequest): CollectivePlan {
  if (!RING_OPS.includes(req.op)) unsupportedOp("ring", req.op, RING_OPS);
  if (req.group.length < 2) return emptyPlan(req, "ring");
  return { op: req.op, algorithm: "ring", group: req.group, bytes: req.bytes, steps: ringSteps(req) };
}
