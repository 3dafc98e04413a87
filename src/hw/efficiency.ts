/**
 * The few named efficiency constants of the operator cost model: only where the hardware description
 * (hardware.md) leaves a gap. Each is shared by every operator it applies to; none exists to hit one
 * measured point (DESIGN.md "Calibration and validation").
 */

/**
 * Achievable fraction of the cube's MMAD issue rate in steady state (MTE1/MMAD hand-off flags, scalar
 * loop control, bank conflicts on L0). Applies to every cube instruction of every operator (GEMM,
 * grouped GEMM, attention). From memory of Ascend C matmul performance guides that report ~90 % cube
 * utilisation for large, well-tiled FP16 GEMMs on 910B, unverified.
 */
export const MMAD_ISSUE_EFFICIENCY = 0.9;

/**
 * Achievable fraction of the die's HBM bandwidth for streaming access (refresh, bank and row
 * switching, read/write turnarounds). Applies to the die-wide HBM bound of every operator. From memory
 * of STREAM-class measurements on HBM2e devices (~90 % of peak), unverified.
 */
export const HBM_EFFICIENCY = 0.9;

/**
 * Device-side cost of starting one kernel (task dispatch to the AI cores, core start-up, final
 * barrier), ns. Applies once per operator. From memory of CANN graph-mode (task sink) per-kernel
 * overheads of ~1–3 µs, unverified.
 */
export const KERNEL_LAUNCH_NS = 2000;
