/**
 * Software costs and selection thresholds of HCCL collectives that the link model does not contain.
 * Each is an estimate until a calibration point pins it; all workloads share them.
 */

/**
 * Default per-step software overhead of an HCCL collective step (notify/record between ranks before a
 * round of SDMA transfers), as a config duration string. Estimate, from memory of hccl_test small-message
 * latencies on 910B (a few µs per round), unverified.
 */
export const DEFAULT_COLLECTIVE_STEP_OVERHEAD = "2us";

/**
 * Largest buffer (bytes) for which `auto` picks the full-mesh one-shot algorithm inside a UB domain;
 * above it, ring. hardware.md §3 [S]: one-step full-mesh collectives beat ring up to ~8 MiB, ring wins
 * above ~16 MiB (the source names no winner in between; we switch at the lower bound).
 */
export const UB_MESH_MAX_BYTES = 8 * 1024 * 1024;
