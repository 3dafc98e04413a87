import type { DieSpec } from "../chip-spec.js";

/** What limited an operator: the cube/vector units, memory traffic, or fixed start-up latency. */
export type Bound = "compute" | "memory" | "latency";

/** Cost of one operator on one die. */
export interface OpCost {
  /** Duration, ns (float). */
  readonly ns: number;
  /** Arithmetic work, FLOP (integer OPs for INT8/INT4). */
  readonly flops: number;
  /** Bytes moved between HBM and the die (reads + writes), bytes. */
  readonly bytes: number;
  /** What limited it. */
  readonly bound: Bound;
}

/** A subset of a die's cores given to an operator (micro-batch stream splits, hardware.md §6). */
export interface CoreSubset {
  /** Cube cores (AIC); default all of the die. */
  readonly aic?: number;
  /** Vector cores (AIV); default all of the die (or 2 per AIC when only `aic` is given on a split die). */
  readonly aiv?: number;
}

/** Resolved core counts an operator runs on. */
export interface Cores {
  /** Cube cores. */
  readonly aic: number;
  /** Vector cores. */
  readonly aiv: number;
}

/** Resolves a core subset against the die; throws on counts outside 1..die. */
export function resolveCores(die: DieSpec, subset?: CoreSubset): Cores {
  let aic = subset?.aic ?? die.aic;
  let aiv = subset?.aiv ?? die.aiv;
  // a stream given only cube cores keeps the die's AIC:AIV ratio (and vice versa)
  if (subset?.aic !== undefined && subset.aiv === undefined) aiv = Math.max(1, Math.round((aic * die.aiv) / die.aic));
  if (subset?.aiv !== undefined && subset.aic === undefined) aic = Math.max(1, Math.round((aiv * die.aic) / die.aiv));
  if (!Number.isInteger(aic) || aic < 1 || aic > die.aic) throw new RangeError(`aic must be an integer in 1..${die.aic}, got ${aic}`);
  if (!Number.isInteger(aiv) || aiv < 1 || aiv > die.aiv) throw new RangeError(`aiv must be an integer in 1..${die.aiv}, got ${aiv}`);
  return { aic, aiv };
}

/** `x` rounded up to a multiple of `q`. */
export function alignUp(x: number, q: number): number {
  return Math.ceil(x / q) * q;
}
