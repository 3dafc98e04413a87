/*
 * The model catalog: LLM architectures as data, presets, and pure counts (parameters, FLOPs, KV cache,
 * weight bytes) derived from one weight-tensor inventory.
 */
export * from "./architecture.js";
export * from "./counts.js";
export * from "./flops.js";
export * from "./kv-cache.js";
export * from "./precision.js";
export * from "./presets.js";
export * from "./resolve.js";
export * from "./weight-bytes.js";
export * from "./weights.js";
