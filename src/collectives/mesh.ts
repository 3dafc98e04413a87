import type { Transfer } from "../network/network-model.js";
import type { CollectiveOp, CollectivePlan, CollectiveStep } from "./plan.js";

/** One full-mesh round: every rank sends `chunk` bytes to every other rank at once. */
function meshStep(group: readonly number[], chunk: number): CollectiveStep {
  const transfers: Transfer[] = [];
  for (const src of group) for (const dst of group) if (src !== dst) transfers.push({ src, dst, bytes: chunk });
  return { transfers };
}

/**
 * Full-mesh (one-shot) algorithms, as HCCL's level-0 mesh executors on an HCCS 8P mesh: each phase
 * sends S/n from every rank to every other rank concurrently over the direct links. All-reduce =
 * one reduce-scatter phase + one all-gather phase; the others are one phase.
 */
export function meshPlan(op: CollectiveOp, group: readonly number[], bytes: number): CollectivePlan {
  const n = group.length;
  const steps: CollectiveStep[] = [];
  if (n > 1) {
    const step = meshStep(group, bytes / n);
    steps.push(step);
    if (op === "all_reduce") steps.push(step);
  }
  return { op, algorithm: "mesh", group, bytes, steps };
}
