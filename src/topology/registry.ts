import { atlasServerType } from "./atlas-server.js";
import { supernodeType } from "./cloudmatrix.js";
import type { ClusterPreset, ClusterType } from "./cluster-type.js";
import { inlineClusterType } from "./inline-cluster.js";
import { roceClusterType } from "./roce-cluster.js";

/** Every cluster type by its `type` name. */
export const CLUSTER_TYPES: Record<string, ClusterType> = {
  server: atlasServerType,
  roce: roceClusterType,
  supernode: supernodeType,
  inline: inlineClusterType,
};

/** Named clusters for `cluster: <name>` (`ascend-sim list clusters`). */
export const CLUSTER_PRESETS: Record<string, ClusterPreset> = {
  "atlas-800t-a2": {
    type: "server",
    description: "Atlas 800T A2 training server: 8 × 910B3, HCCS full mesh (7 × 56 GB/s per NPU)",
    // 8 NPUs, HCCS 7 links / 392 GB/s per NPU (hardware.md §1 [V]); 910B3 as the `server` type's default ([I], atlas-server.ts)
    params: { chip: "910B3", npus: 8 },
  },
  "atlas-800i-a2": {
    type: "server",
    description: "Atlas 800I A2 inference server: 8 × 910B (64 GB each; modelled as 910B3, unverified), HCCS full mesh (7 × 56 GB/s per NPU)",
    // official sheet not found (hardware.md §1): chip as in the 800T A2, unverified
    params: { chip: "910B3", npus: 8 },
  },
  "roce-2x800i-a2": {
    type: "roce",
    description:
      "2 × Atlas 800I A2 (16 × 910B) on one 200GE RoCE leaf — the two-server DeepSeek-R1 W8A8 deployment (hardware.md §1; from memory of MindIE guides, unverified)",
    params: { servers: 2, npus_per_leaf: 16 },
  },
  "roce-4x800t-a2": {
    type: "roce",
    description:
      "4 × Atlas 800T A2 (32 × 910B3), one 200GE port per NPU (hardware.md §1 [V]), rail-optimized: 8 rail leaves × 4 ports, 2 spines, 1:1",
    params: { servers: 4, chip: "910B3", rail_optimized: true, npus_per_leaf: 4 },
  },
  "roce-768x800t-a2": {
    type: "roce",
    description:
      "768 × Atlas 800T A2 (6,144 × 910B3) training cluster, rail-optimized 200GE RoCE: 96 leaves (64 × 200GE down, 32 × 400GE up), 32 spines, 1:1 (hardware.md §1; switch sizes illustrative)",
    // 768 servers × 8 = 6,144 NPUs: the "~6K Ascend NPUs" of the Pangu Ultra MoE run (targets.md T2)
    params: { servers: 768, chip: "910B3", rail_optimized: true, npus_per_leaf: 64 },
  },
  "cloudmatrix-16": {
    type: "supernode",
    description: "small 910C supernode: 2 nodes × 8 NPUs (32 dies, 8 CPUs) on the CloudMatrix UB fabric (hardware.md §2–§3)",
    params: { nodes: 2, npus_per_node: 8 },
  },
  cloudmatrix384: {
    type: "supernode",
    description: "Huawei CloudMatrix384 / Atlas 900 A3 SuperPoD: 48 nodes × 8 910C (768 dies), 192 Kunpeng CPUs, 2-tier UB + RDMA plane (hardware.md §3 [V][S])",
    params: { nodes: 48, npus_per_node: 8 },
  },
};
