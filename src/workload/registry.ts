import { elasticWorkload } from "./elastic/elastic.js";
import { collectiveBench } from "./collective-bench/collective-bench.js";
import { flowsWorkload } from "./flows/flows-workload.js";
import { inferenceBench } from "./inference-bench/inference-bench.js";
import { opBench } from "./op-bench/op-bench.js";
import { servingWorkload } from "./serving/serving.js";
import { trainingWorkload } from "./training/training.js";
import type { WorkloadDefinition } from "./workload.js";

/** Every workload kind by its `workload.kind` name (`ascend-sim list workloads`). */
export const WORKLOADS: Record<string, WorkloadDefinition> = {
  "collective-bench": collectiveBench as unknown as WorkloadDefinition,
  elastic: elasticWorkload as unknown as WorkloadDefinition,
  flows: flowsWorkload as unknown as WorkloadDefinition,
  "inference-bench": inferenceBench as unknown as WorkloadDefinition,
  "op-bench": opBench as unknown as WorkloadDefinition,
  serving: servingWorkload as unknown as WorkloadDefinition,
  training: trainingWorkload as unknown as WorkloadDefinition,
};
