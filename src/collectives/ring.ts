import type { Transfer } from "../network/network-model.js";
import type { CollectiveOp, CollectivePlan, CollectiveStep } from "./plan.js";

/** One ring round: every rank sends `chunk` bytes to its successor in `group`. */
function ringStep(group: readonly number[], chunk: number): CollectiveStep {
  const n = group.length;
  const transfers: Transfer[] = [];
  for (let i = 0; i < n; i++) transfers.push({ src: group[i]!, dst: group[(i + 1) % n]!, bytes: chunk });
  return { transfers };
}

/**
 * Ring algorithms over `group` for a buffer of `bytes` (S). All-reduce = reduce-scatter + all-gather,
 * 2(n−1) rounds of S/n; all-gather and reduce-scatter n−1 rounds of S/n; all-to-all n−1 rounds in which
 * rank i sends its block for rank i+k (k = 1…n−1) through the ring as direct transfers (pairwise order).
 */
export function ringPlan(op: CollectiveOp, group: readonly number[], bytes: number): CollectivePlan {
  const n = group.length;
  const chunk = bytes / n;
  const steps: CollectiveStep[] = [];
  if (n > 1) {
    if (op === "all_to_all") {
      for (let k = 1; k < n; k++) {
        const transfers: Transfer[] = [];
        for (let i = 0; i < n; i++) transfers.push({ src: group[i]!, dst: group[(i + k) % n]!, bytes: chunk });
        steps.push({ transfers });
      }
    } else {
      const rounds = op === "all_reduce" ? 2 * (n - 1) : n - 1;
      const step = ringStep(group, chunk);
      for (let r = 0; r < rounds; r++) steps.push(step);
    }
  }
  return { op, algorithm: "ring", group, bytes, steps };
}
