import type { DieSpec } from "../hw/chip-spec.js";
import { HBM_EFFICIENCY } from "../hw/efficiency.js";

/**
 * Minimal cost estimates of the vector-core (AIV) work inside communication operators — copies,
 * quantization, weighted sums — from the die's data-path rates (hardware.md §1 [C]: bytes/cycle/core ×
 * clock × cores) and its vector width. A local estimate: src/hw has no vector-operator cost functions
 * yet; when it does, these should delegate to them.
 */

/** Time for `cores` AIV to read `bytes` from HBM (GM → UB over MTE2), capped by the die's HBM, ns. */
export function aivGmReadNs(die: DieSpec, bytes: number, cores: number): number {
  const rate = Math.min(cores * die.rates.gmRead * die.clockHz, die.hbmBandwidth * HBM_EFFICIENCY);
  return (bytes / rate) * 1e9;
}

/** Time for `cores` AIV to write `bytes` to HBM (UB → GM over MTE3), capped by the die's HBM, ns. */
export function aivGmWriteNs(die: DieSpec, bytes: number, cores: number): number {
  const rate = Math.min(cores * die.rates.ubToGm * die.clockHz, die.hbmBandwidth * HBM_EFFICIENCY);
  return (bytes / rate) * 1e9;
}

/**
 * Time for `cores` AIV to copy `bytes` HBM → HBM (MTE2 in, MTE3 out, overlapped in a double-buffered
 * loop), bounded by the slower engine and by the HBM carrying both directions, ns.
 */
export function aivCopyNs(die: DieSpec, bytes: number, cores: number): number {
  const engines = Math.max(aivGmReadNs(die, bytes, cores), aivGmWriteNs(die, bytes, cores));
  const hbm = ((2 * bytes) / (die.hbmBandwidth * HBM_EFFICIENCY)) * 1e9;
  return Math.max(engines, hbm);
}

/** Time for `cores` AIV to stream `passes` vector instructions over `bytes` of operands each, ns. */
export function aivVectorNs(die: DieSpec, bytes: number, passes: number, cores: number): number {
  return ((passes * bytes) / (die.vectorBytesPerCycle * die.clockHz * cores)) * 1e9;
}
