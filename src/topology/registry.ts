import { atlasServerType } from "./atlas-server.js";
import type { ClusterPreset, ClusterType } from "./cluster-type.js";

/** Every cluster type by its `type` name. */
export const CLUSTER_TYPES: Record<string, ClusterType> = {
  server: atlasServerType,
};

/** Named clusters for `cluster: <name>` (`ascend-sim list clusters`). */
export const CLUSTER_PRESETS: Record<string, ClusterPreset> = {
  "atlas-800t-a2": {
    type: "server",
    description: "Atlas 800T A2 training server: 8 × 910B3, HCCS full mesh (7 × 56 GB/s per NPU)",
    params: { chip: "910B3", npus: 8 },
  },
  "atlas-800i-a2": {
    type: "server",
    description: "Atlas 800I A2 inference server: 8 × 910B4-class 64 GB NPUs, HCCS full mesh",
    // official sheet not found (hardware.md §1): chip as in the 800T A2, unverified
    params: { chip: "910B3", npus: 8 },
  },
};
