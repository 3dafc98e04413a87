import type { WorkloadDefinition } from "./workload.js";

/** Every workload kind by its `workload.kind` name (`ascend-sim list workloads`). */
export const WORKLOADS: Record<string, WorkloadDefinition> = {};
