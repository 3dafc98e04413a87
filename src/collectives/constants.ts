/**
 * Software costs of HCCL collectives that the link model does not contain. Each is an estimate until
 * a calibration point pins it; all workloads share them.
 */

/**
 * Default per-step software overhead of an HCCL collective step (notify/record between ranks before a
 * round of SDMA transfers), as a config duration string. Estimate, from memory of hccl_test small-message
 * latencies on 910B (a few µs per round), unverified.
 */
export const DEFAULT_COLLECTIVE_STEP_OVERHEAD = "2us";
