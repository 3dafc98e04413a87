import type { ModelArchitecture } from "./architecture.js";
import {
  BF16_BYTES,
  LINEAR_WEIGHT_BYTES,
  W4A16_GROUP_SIZE,
  W4A16_SCALE_BYTES,
  W8A8_SCALE_BYTES_PER_OUTPUT_CHANNEL,
  type WeightPrecision,
} from "./precision.js";
import { tensorElements, weightTensors, type ParamComponent, type WeightTensor } from "./weights.js";

/** Whether `precision` quantises this tensor: linear weights except the LM head and the router (kept BF16). */
export function isQuantised(t: WeightTensor, precision: WeightPrecision): boolean {
  return precision !== "bf16" && t.role === "linear" && t.component !== "lm_head" && t.component !== "router";
}

/** Bytes of one instance of a tensor at `precision`, including quantisation scales, B. */
export function tensorInstanceBytes(t: WeightTensor, precision: WeightPrecision): number {
  if (!isQuantised(t, precision)) return tensorElements(t) * BF16_BYTES;
  const data = tensorElements(t) * LINEAR_WEIGHT_BYTES[precision];
  if (precision === "w8a8") return data + t.rows * W8A8_SCALE_BYTES_PER_OUTPUT_CHANNEL;
  return data + t.rows * Math.ceil(t.cols / W4A16_GROUP_SIZE) * W4A16_SCALE_BYTES;
}

/** Options of the weight-byte functions. */
export interface WeightByteOptions {
  /** Include the MTP modules' own weights. Default false. */
  readonly includeMtp?: boolean;
}

/** Stored weight bytes by component at `precision`, B (MTP weights, when included, under their functional component). */
export function weightBytesByComponent(a: ModelArchitecture, precision: WeightPrecision, opts: WeightByteOptions = {}): Record<ParamComponent, number> {
  const out: Record<ParamComponent, number> = {
    embedding: 0,
    attention: 0,
    dense_ffn: 0,
    routed_experts: 0,
    shared_experts: 0,
    router: 0,
    norms: 0,
    lm_head: 0,
    mtp_projection: 0,
  };
  for (const t of weightTensors(a, { includeMtp: opts.includeMtp === true })) {
    out[t.component] += t.stored * tensorInstanceBytes(t, precision);
  }
  return out;
}

/** Stored weight bytes of the whole model at `precision`, B. */
export function weightBytes(a: ModelArchitecture, precision: WeightPrecision, opts: WeightByteOptions = {}): number {
  let s = 0;
  for (const v of Object.values(weightBytesByComponent(a, precision, opts))) s += v;
  return s;
}

/** Bytes of one routed expert of one MoE layer at `precision`, B (0 for a dense model). */
export function routedExpertBytes(a: ModelArchitecture, precision: WeightPrecision): number {
  // Per-expert tensors are identical across experts and layers, so one instance of each suffices.
  let s = 0;
  for (const t of weightTensors(a)) if (t.component === "routed_experts") s += tensorInstanceBytes(t, precision);
  return s;
}
