import { collectiveBench } from "./collective-bench/collective-bench.js";
import type { WorkloadDefinition } from "./workload.js";

/** Every workload kind by its `workload.kind` name (`ascend-sim list workloads`). */
export const WORKLOADS: Record<string, WorkloadDefinition> = {
  "collective-bench": collectiveBench as unknown as WorkloadDefinition,
};
