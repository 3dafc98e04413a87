/*
 * Per-layer operator lists: from a model, a phase, a step shape, a weight precision and a parallel
 * layout to the ordered compute and communication items one rank executes.
 */
export * from "./attention-ops.js";
export * from "./backward.js";
export * from "./expert-load.js";
export * from "./ffn-ops.js";
export * from "./forward-pass.js";
export * from "./head-ops.js";
export * from "./layer-item.js";
export * from "./layer-metrics.js";
export * from "./layer-ops.js";
export * from "./layout.js";
export * from "./linear-ops.js";
export * from "./moe-ops.js";
export * from "./mtp-ops.js";
export * from "./op-input.js";
export * from "./pipeline-ops.js";
