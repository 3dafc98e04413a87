import { halvingDoublingSteps, powerOfTwoFloor } from "./halving-doubling.js";
import { meshSteps } from "./mesh.js";
import { unsupportedOp, type CollectiveOp, type CollectivePlan, type CollectiveRequest, type CollectiveStep, type Level1Algorithm } from "./plan.js";
import { serverGrid } from "./rank-layout.js";
import { ringSteps } from "./ring.js";

/** Operations the hierarchical (level0 + level1) algorithm implements. */
export const HIERARCHICAL_OPS: readonly CollectiveOp[] = ["all_reduce", "all_gather", "reduce_scatter", "broadcast"];

/**
 * HCCL's default level-1 choice: recursive halving-doubling when the server count is a power of two
 * (no extra rounds), ring otherwise. From memory of HCCL's 910B algorithm selection, unverified.
 */
export function defaultLevel1(servers: number): Level1Algorithm {
  return powerOfTwoFloor(servers) === servers ? "hd" : "ring";
}

/**
 * Runs concurrent sub-collectives (one per server, or one per same-index column) as one step
 * sequence: round k of every sub-plan happens at once. Rounds that a sub-plan repeats with the same
 * step object (ring) map to one merged step, so repetitions allocate nothing.
 */
export function mergeConcurrent(plans: readonly (readonly CollectiveStep[])[]): CollectiveStep[] {
  const first = plans[0];
  if (first === undefined) return [];
  const cache = new Map<CollectiveStep, CollectiveStep>();
  const out: CollectiveStep[] = [];
  for (let k = 0; k < first.length; k++) {
    const key = first[k]!;
    let merged = cache.get(key);
    if (merged === undefined) {
      merged = { transfers: plans.flatMap((p) => p[k]!.transfers) };
      cache.set(key, merged);
    }
    out.push(merged);
  }
  return out;
}

/**
 * Two-level algorithm as HCCL's levels (hardware.md §4): level 0 a full mesh inside each server,
 * level 1 ring or H-D among the ranks with the same index in every server. All-reduce = intra-server
 * reduce-scatter (S/m per peer) → inter-server all-reduce of S/m → intra-server all-gather;
 * reduce-scatter = intra reduce-scatter → inter reduce-scatter of S/m; all-gather = inter all-gather
 * (to S/m) → intra all-gather; broadcast = inter broadcast among the root's column → intra broadcast
 * from that column. Needs `req.layout`, and every server must hold the same number of group ranks.
 */
export function hierarchicalPlan(req: CollectiveRequest): CollectivePlan {
  const { op, group, bytes: S } = req;
  if (!HIERARCHICAL_OPS.includes(op)) unsupportedOp("hierarchical", op, HIERARCHICAL_OPS);
  if (req.layout === undefined) throw new Error("algorithm hierarchical needs the rank layout of the topology");
  const grid = serverGrid(group, req.layout);
  if (grid === undefined) {
    throw new Error(`algorithm hierarchical needs the same number of group ranks in every server (group of ${group.length} ranks)`);
  }
  const s = grid.length;
  const m = grid[0]!.length;
  const level1 = req.level1 ?? defaultLevel1(s);
  const columns: number[][] = [];
  for (let j = 0; j < m; j++) columns.push(grid.map((server) => server[j]!));

  const intra = (sub: CollectiveOp, bytes: number, root = 0): CollectiveStep[] =>
    mergeConcurrent(grid.map((server) => meshSteps({ op: sub, group: server, bytes, root })));
  const inter = (sub: CollectiveOp, bytes: number, cols: readonly number[][], root = 0): CollectiveStep[] => {
    const build = level1 === "hd" ? halvingDoublingSteps : ringSteps;
    return mergeConcurrent(cols.map((col) => build({ op: sub, group: col, bytes, root })));
  };

  let steps: CollectiveStep[];
  switch (op) {
    case "all_reduce":
      steps = [...intra("reduce_scatter", S), ...inter("all_reduce", S / m, columns), ...intra("all_gather", S)];
      break;
    case "reduce_scatter":
      steps = [...intra("reduce_scatter", S), ...inter("reduce_scatter", S / m, columns)];
      break;
    case "all_gather":
      steps = [...inter("all_gather", S / m, columns), ...intra("all_gather", S)];
      break;
    default: {
      // broadcast: the root's server and local index
      const rootRank = group[req.root ?? 0]!;
      const rs = grid.findIndex((server) => server.includes(rootRank));
      const rj = grid[rs]!.indexOf(rootRank);
      const intraFrom = mergeConcurrent(grid.map((server) => meshSteps({ op: "broadcast", group: server, bytes: S, root: rj })));
      steps = [...inter("broadcast", S, [columns[rj]!], rs), ...intraFrom];
    }
  }
  return { op, algorithm: "hierarchical", group, bytes: S, steps };
}
