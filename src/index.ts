/** Library API of ascend-sim: everything the CLI does is available here. */
export { loadScenario, type LoadOptions, type Scenario } from "./config/scenario.js";
export { runScenario, type RunOptions, type RunResult } from "./run.js";
export { jsonOutput, jsonOutputText } from "./report/json-output.js";
export { renderSummary } from "./report/summary-table.js";
export { InputError, formatIssue, type InputIssue } from "./config/errors.js";
export { Simulator, Hooks, RngStreams } from "./engine/index.js";
export { WORKLOADS } from "./workload/registry.js";
export { CLUSTER_PRESETS, CLUSTER_TYPES } from "./topology/registry.js";
export { NETWORK_MODELS } from "./network/registry.js";
export { VERSION, TOOL } from "./version.js";
