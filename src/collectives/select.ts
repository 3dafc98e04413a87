import { UB_MESH_MAX_BYTES } from "./constants.js";
import { HIERARCHICAL_OPS } from "./hierarchical.js";
import type { CollectiveOp } from "./plan.js";
import { inOneDomain, serverGrid, type RankLayout } from "./rank-layout.js";

/**
 * HCCL-like algorithm choice for `algorithm: auto` (returns a registry name):
 * - send/recv: direct (`mesh`);
 * - inside one HCCS server: `mesh` (HCCL level-0 mesh executors on the 910B 8P full mesh, hardware.md §4);
 * - inside one UB domain: `mesh` up to UB_MESH_MAX_BYTES, `ring` above (hardware.md §3 crossover);
 * - all-to-all(v) across servers: `pairwise` (avoids incast, hardware.md §4);
 * - other collectives across servers: `hierarchical` (mesh inside, ring / H-D between servers) when
 *   every server holds the same number of group ranks, else `ring`.
 */
export function selectAlgorithm(op: CollectiveOp, group: readonly number[], bytes: number, layout: RankLayout): string {
  if (op === "send_recv") return "mesh";
  if (inOneDomain(group, layout)) {
    if (layout.fabric === "hccs") return "mesh";
    return op === "all_to_all" || op === "all_to_allv" || bytes <= UB_MESH_MAX_BYTES ? "mesh" : "ring";
  }
  if (op === "all_to_all" || op === "all_to_allv") return "pairwise";
  if (HIERARCHICAL_OPS.includes(op) && serverGrid(group, layout) !== undefined) return "hierarchical";
  return "ring";
}
