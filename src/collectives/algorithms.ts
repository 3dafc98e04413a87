import { HD_OPS, halvingDoublingPlan } from "./halving-doubling.js";
import { HIERARCHICAL_OPS, hierarchicalPlan } from "./hierarchical.js";
import { MESH_OPS, meshPlan } from "./mesh.js";
import { PAIRWISE_OPS, pairwisePlan } from "./pairwise.js";
import { COLLECTIVE_OPS, type CollectiveOp, type CollectivePlan, type CollectiveRequest } from "./plan.js";
import { RING_OPS, ringPlan } from "./ring.js";
import { selectAlgorithm } from "./select.js";

/** Builds the step plan of a collective request. */
export type PlanBuilder = (req: CollectiveRequest) => CollectivePlan;

/** A registered algorithm: what it does, which operations it implements, and its planner. */
export interface AlgorithmEntry {
  readonly description: string;
  readonly ops: readonly CollectiveOp[];
  readonly plan: PlanBuilder;
}

/** `auto`: HCCL-like choice from the rank layout and the size (select.ts), then that algorithm's plan. */
function autoPlan(req: CollectiveRequest): CollectivePlan {
  if (req.layout === undefined) throw new Error("algorithm auto needs the rank layout of the topology");
  const name = selectAlgorithm(req.op, req.group, req.bytes, req.layout);
  return ALGORITHMS[name]!.plan(req);
}

/** Collective algorithms by name (`workload.algorithms`). */
export const ALGORITHMS: Record<string, AlgorithmEntry> = {
  auto: {
    description: "HCCL-like choice: mesh inside a server / UB domain (ring above 8 MiB on UB), hierarchical or pairwise across servers",
    ops: COLLECTIVE_OPS,
    plan: autoPlan,
  },
  ring: { description: "ring: n−1 (or 2(n−1) for all-reduce) rounds of S/n to the next rank", ops: RING_OPS, plan: ringPlan },
  mesh: { description: "full mesh one-shot: every rank sends S/n to every other rank per phase", ops: MESH_OPS, plan: meshPlan },
  hd: {
    description: "recursive halving-doubling (HCCL H-D_R): log2 n rounds of halving/doubling sizes, +2 rounds when n is not a power of 2",
    ops: HD_OPS,
    plan: halvingDoublingPlan,
  },
  pairwise: { description: "pairwise all-to-all(v): n−1 rounds, rank i sends to i+k (one inbound flow per rank)", ops: PAIRWISE_OPS, plan: pairwisePlan },
  hierarchical: {
    description: "HCCL levels: mesh inside each server, ring or H-D among same-index ranks across servers",
    ops: HIERARCHICAL_OPS,
    plan: hierarchicalPlan,
  },
};
