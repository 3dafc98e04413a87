import type { DieSpec } from "../chip-spec.js";
import { HBM_EFFICIENCY, KERNEL_LAUNCH_NS } from "../efficiency.js";
import { resolveCores, type Bound, type CoreSubset, type OpCost } from "./op-cost.js";

/*
 * Element-wise and row-wise operators on the vector cores (AIV). Each AIV streams its share of the
 * tensor GM → UB (MTE2), runs a number of vector passes over it in FP32, and writes it back
 * UB → GM (MTE3); the three pipes overlap (double-buffered UB), so a core takes the longest of the
 * three. Die-wide, HBM bandwidth bounds the total. Pass counts are the instruction sequence of each
 * operator, not fitted numbers.
 */

/** FP32 working precision on the vector unit, bytes per element. */
const F32 = 4;
/** BF16 activations in HBM, bytes per element. */
const BF16 = 2;

/** A vector kernel: elements processed, bytes to and from HBM, and FP32 vector passes per element. */
export interface VectorKernel {
  /** Elements processed (per pass), elements. */
  readonly elements: number;
  /** Bytes read from HBM, bytes. */
  readonly bytesIn: number;
  /** Bytes written to HBM, bytes. */
  readonly bytesOut: number;
  /** Vector instructions per element, each over FP32 operands. */
  readonly passes: number;
}

/** Cost of a vector kernel on the die's AIV cores (or `cores.aiv` of them). */
export function vectorKernelCost(die: DieSpec, k: VectorKernel, cores?: CoreSubset): OpCost {
  const c = resolveCores(die, cores);
  const r = die.rates;
  const f = die.clockHz / 1e9;
  const inCycles = k.bytesIn / c.aiv / r.gmRead;
  const outCycles = k.bytesOut / c.aiv / r.ubToGm;
  const vecCycles = (k.elements * F32 * k.passes) / c.aiv / die.vectorBytesPerCycle;
  const coreNs = Math.max(inCycles, outCycles, vecCycles) / f;
  // die-wide HBM, not partitioned by core count: a subset of the vector cores is limited by its own GM
  // paths (inCycles/outCycles, hardware.md §1 per-core rates) and the die's HBM serves whichever core
  // reads, as for GEMM and attention (gemm.ts, flash-attention.ts)
  const hbmNs = ((k.bytesIn + k.bytesOut) / (die.hbmBandwidth * HBM_EFFICIENCY)) * 1e9;
  const body = Math.max(coreNs, hbmNs);
  const computeBound = vecCycles >= Math.max(inCycles, outCycles) && coreNs >= hbmNs;
  const bound: Bound = KERNEL_LAUNCH_NS > body ? "latency" : computeBound ? "compute" : "memory";
  return { ns: body + KERNEL_LAUNCH_NS, flops: k.elements * k.passes, bytes: k.bytesIn + k.bytesOut, bound };
}

/** RMSNorm over `tokens` rows of `hidden` BF16 elements: cast, square, row-sum, rsqrt-scale, weight, cast. */
export function rmsNormCost(die: DieSpec, s: { tokens: number; hidden: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.hidden;
  return vectorKernelCost(die, { elements: n, bytesIn: n * BF16 + s.hidden * BF16, bytesOut: n * BF16, passes: 6 }, cores);
}

/** Rotary embedding of `tokens` × `heads` × `ropeDim` BF16: two multiplies (cos, rotated sin), add, casts. */
export function ropeCost(die: DieSpec, s: { tokens: number; heads: number; ropeDim: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.heads * s.ropeDim;
  const table = 2 * s.tokens * s.ropeDim * BF16; // cos and sin rows of the positions
  return vectorKernelCost(die, { elements: n, bytesIn: n * BF16 + table, bytesOut: n * BF16, passes: 5 }, cores);
}

/** Row softmax of `rows` × `cols` BF16: cast, row max, subtract, exp, row sum, divide, cast. */
export function softmaxCost(die: DieSpec, s: { rows: number; cols: number }, cores?: CoreSubset): OpCost {
  const n = s.rows * s.cols;
  return vectorKernelCost(die, { elements: n, bytesIn: n * BF16, bytesOut: n * BF16, passes: 7 }, cores);
}

/**
 * MoE gating: sigmoid/softmax of `tokens` × `experts` FP32 router logits, bias add, then top-`k`
 * selection by sorting (log2(experts) merge passes of the vector sort instructions); writes expert ids
 * and weights.
 */
export function gatingTopKCost(die: DieSpec, s: { tokens: number; experts: number; k: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.experts;
  const passes = 4 + Math.ceil(Math.log2(Math.max(2, s.experts)));
  return vectorKernelCost(die, { elements: n, bytesIn: n * F32, bytesOut: s.tokens * s.k * (4 + F32), passes }, cores);
}

/** Per-token dynamic INT8 quantization of `tokens` × `hidden` BF16: abs, row max, scale, cast; writes INT8 + FP32 scale. */
export function quantizeCost(die: DieSpec, s: { tokens: number; hidden: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.hidden;
  return vectorKernelCost(die, { elements: n, bytesIn: n * BF16, bytesOut: n + s.tokens * F32, passes: 4 }, cores);
}

/** Dequantization of `tokens` × `hidden` INT8 to BF16 with per-token × per-channel scales: cast, two multiplies, cast. */
export function dequantizeCost(die: DieSpec, s: { tokens: number; hidden: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.hidden;
  return vectorKernelCost(die, { elements: n, bytesIn: n + (s.tokens + s.hidden) * F32, bytesOut: n * BF16, passes: 4 }, cores);
}

/** SwiGLU of `tokens` × `ffn`: silu(gate) · up from BF16 gate and up halves (exp, add, divide, two multiplies, cast). */
export function swigluCost(die: DieSpec, s: { tokens: number; ffn: number }, cores?: CoreSubset): OpCost {
  const n = s.tokens * s.ffn;
  return vectorKernelCost(die, { elements: n, bytesIn: 2 * n * BF16, bytesOut: n * BF16, passes: 6 }, cores);
}

/** Element-wise add of two BF16 tensors of `elements` elements (residual add). */
export function addCost(die: DieSpec, s: { elements: number }, cores?: CoreSubset): OpCost {
  return vectorKernelCost(die, { elements: s.elements, bytesIn: 2 * s.elements * BF16, bytesOut: s.elements * BF16, passes: 1 }, cores);
}
