import { meshPlan } from "./mesh.js";
import type { CollectiveOp, CollectivePlan } from "./plan.js";
import { ringPlan } from "./ring.js";

/** Builds the step plan of a collective for a group of ranks and a buffer size (bytes). */
export type PlanBuilder = (op: CollectiveOp, group: readonly number[], bytes: number) => CollectivePlan;

/** Collective algorithms by name (`workload.algorithms`). */
export const ALGORITHMS: Record<string, { description: string; plan: PlanBuilder }> = {
  ring: { description: "ring: n−1 (or 2(n−1) for all-reduce) rounds of S/n to the next rank", plan: ringPlan },
  mesh: { description: "full mesh one-shot: every rank sends S/n to every other rank per phase", plan: meshPlan },
};
