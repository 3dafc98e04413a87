import type { Transfer } from "../network/network-model.js";
import {
  COLLECTIVE_OPS,
  emptyPlan,
  pairBytes,
  sendRecvStep,
  unsupportedOp,
  type CollectiveOp,
  type CollectivePlan,
  type CollectiveRequest,
  type CollectiveStep,
} from "./plan.js";

/** Operations the full mesh implements. */
export const MESH_OPS: readonly CollectiveOp[] = COLLECTIVE_OPS;

/** One full-mesh round: every rank sends `chunk` bytes to every other rank at once. */
export function meshStep(group: readonly number[], chunk: number): CollectiveStep {
  const transfers: Transfer[] = [];
  for (const src of group) for (const dst of group) if (src !== dst) transfers.push({ src, dst, bytes: chunk });
  return { transfers };
}

/** Full-mesh steps of one collective (exported for hierarchical level 0). */
export function meshSteps(req: CollectiveRequest): CollectiveStep[] {
  const { op, group, bytes } = req;
  const n = group.length;
  if (n < 2) return [];
  switch (op) {
    case "all_reduce": {
      // reduce-scatter phase then all-gather phase, both S/n to every peer: the same shape, one array
      const step = meshStep(group, bytes / n);
      return [step, step];
    }
    case "all_gather":
    case "reduce_scatter":
    case "all_to_all":
      return [meshStep(group, bytes / n)];
    case "broadcast": {
      // scatter S/n from the root to every rank, then an all-gather of the n pieces among the non-root
      // ranks: each holder of a piece (the root keeps its own) gives it to every non-root rank that lacks
      // it, so each non-root rank receives S in all — (n−1)·S/n in the all-gather, the root's piece included
      const root = group[req.root ?? 0]!;
      const scatter: Transfer[] = [];
      const gather: Transfer[] = [];
      for (const dst of group) if (dst !== root) scatter.push({ src: root, dst, bytes: bytes / n });
      for (const src of group) {
        for (const dst of group) if (dst !== src && dst !== root) gather.push({ src, dst, bytes: bytes / n });
      }
      return [{ transfers: scatter }, { transfers: gather }];
    }
    case "all_to_allv": {
      const transfers: Transfer[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (i !== j) transfers.push({ src: group[i]!, dst: group[j]!, bytes: pairBytes(req, i, j) });
      }
      return [{ transfers }];
    }
    case "send_recv":
      return [sendRecvStep(group, bytes)];
  }
}

/**
 * Full-mesh (one-shot) algorithms, as HCCL's level-0 mesh executors on an HCCS 8P mesh or a UB domain:
 * each phase sends from every rank to every other rank concurrently over the direct paths.
 * All-reduce = one reduce-scatter phase + one all-gather phase of S/n per peer; all-gather,
 * reduce-scatter and all-to-all one phase of S/n per peer; broadcast = scatter of S/n from the root +
 * all-gather of the n pieces (the root's own piece included) to the non-root ranks.
 */
export function meshPlan(req: CollectiveRequest): CollectivePlan {
  if (!MESH_OPS.includes(req.op)) unsupportedOp("mesh", req.op, MESH_OPS);
  if (req.group.length < 2) return emptyPlan(req, "mesh");
  return { op: req.op, algorithm: "mesh", group: req.group, bytes: req.bytes, steps: meshSteps(req) };
}
