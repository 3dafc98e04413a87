import { matmulFlopsOf, type ComputeOp } from "../../hw/ops/op-descriptor.js";
import { BF16_BYTES, LINEAR_WEIGHT_BYTES, W4A16_GROUP_SIZE, W4A16_SCALE_BYTES, W8A8_SCALE_BYTES_PER_OUTPUT_CHANNEL } from "../precision.js";
import type { PassSegment } from "./forward-pass.js";
import type { LayerItem } from "./layer-item.js";

/*
 * Totals over item lists, without a die: matrix FLOPs (the model-FLOP convention of flops.ts: GEMMs and
 * attention products, no vector work) and the weight bytes the operators read.
 */

/** Matrix FLOPs of the compute items (GEMMs and attention score/context products, × count), FLOP. */
export function layerFlops(items: readonly LayerItem[]): number {
  let s = 0;
  for (const i of items) if (i.kind === "compute") s += matmulFlopsOf(i.op) * (i.count ?? 1);
  return s;
}

/**
 * Weight bytes one operator reads, B: the B operand of every GEMM (in these forward lists always a weight)
 * with its quantisation scales as weight-bytes.ts stores them (INT8: one FP32 scale per output channel;
 * W4A16: one BF16 scale per 128 inputs per output channel), and the BF16 weight vector of an RMSNorm.
 * Not meaningful for backward lists, whose wgrad GEMMs multiply two activations.
 */
export function opWeightBytes(op: ComputeOp): number {
  switch (op.op) {
    case "gemm":
    case "grouped_gemm": {
      const groups = op.op === "grouped_gemm" ? op.groups : 1;
      const { n, k } = op;
      let perGroup: number;
      if (op.dtype === "int8") perGroup = n * k * LINEAR_WEIGHT_BYTES.w8a8 + n * W8A8_SCALE_BYTES_PER_OUTPUT_CHANNEL;
      else if (op.dtype === "w4a16") perGroup = n * k * LINEAR_WEIGHT_BYTES.w4a16 + n * Math.ceil(k / W4A16_GROUP_SIZE) * W4A16_SCALE_BYTES;
      else perGroup = n * k * BF16_BYTES;
      return groups * perGroup;
    }
    case "rmsnorm":
      return op.hidden * BF16_BYTES;
    default:
      return 0;
  }
}

/** Weight bytes the compute items read (× count), B; equals the rank's stored weights of the layer when every local expert got tokens. */
export function layerWeightBytes(items: readonly LayerItem[]): number {
  let s = 0;
  for (const i of items) if (i.kind === "compute") s += opWeightBytes(i.op) * (i.count ?? 1);
  return s;
}

/** Matrix FLOPs of a whole pass (each segment × its repeats), FLOP. */
export function passFlops(segments: readonly PassSegment[]): number {
  let s = 0;
  for (const seg of segments) s += layerFlops(seg.items) * seg.repeat;
  return s;
}

/** Weight bytes a whole pass reads (each segment × its repeats), B. */
export function passWeightBytes(segments: readonly PassSegment[]): number {
  let s = 0;
  for (const seg of segments) s += layerWeightBytes(seg.items) * seg.repeat;
  return s;
}
