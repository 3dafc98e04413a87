import type { DieSpec } from "../chip-spec.js";
import {
  gqaDecodeCost,
  gqaDecodeFits,
  MLA_LATENT_DIM,
  MLA_VALUE_DIM,
  mlaDecodeCost,
  mlaDecodeFits,
  prefillAttentionCost,
  prefillAttentionFits,
  type GqaDecodeShape,
  type MlaDecodeShape,
  type PrefillAttentionShape,
} from "./attention.js";
import { gemmCost, gemmFootprintBytes, groupedGemmCost, type GemmDtype } from "./gemm.js";
import type { CoreSubset, OpCost } from "./op-cost.js";
import { addCost, dequantizeCost, gatingTopKCost, quantizeCost, rmsNormCost, ropeCost, softmaxCost, swigluCost } from "./vector.js";

/*
 * One operator as plain data: what op-bench reads from YAML and what the model layer generates per layer
 * (src/model/ops). Field names are snake_case like the YAML, so an op-bench entry *is* a ComputeOp and a
 * generated op can be pasted into an op-bench config. Sizes are elements, tokens, heads or sequences
 * (all counts); nothing here carries a physical unit.
 */

/** Fields every operator takes: a display label and the cores of the die it runs on (default all). */
interface OpCommon {
  /** Display label (trace `what`, table row). */
  readonly label?: string | undefined;
  /** Cores of the die the operator runs on (a micro-batch stream split, hardware.md §6); default the whole die. */
  readonly cores?: CoreSubset | undefined;
}

/** Attention kernels read BF16 activations and KV cache (hardware.md §7). */
type AttentionDtype = "bf16";

/** `C[m×n] = A[m×k]·B[k×n]`: m tokens, n output features, k input features (elements). */
export interface GemmOp extends OpCommon {
  readonly op: "gemm";
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dtype: GemmDtype;
}

/** `groups` GEMMs of the same shape with their own weights (the experts on one die), m tokens each. */
export interface GroupedGemmOp extends OpCommon {
  readonly op: "grouped_gemm";
  readonly groups: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dtype: GemmDtype;
}

/** MLA decode with absorbed weights: `batch` sequences, `kv_len` latent KV tokens each, `heads` query heads, `q_tokens` query tokens per sequence. */
export interface MlaDecodeOp extends OpCommon {
  readonly op: "mla_decode";
  readonly batch: number;
  readonly kv_len: number;
  readonly heads: number;
  readonly q_tokens: number;
  readonly dtype: AttentionDtype;
  /** Latent elements per token (kv_lora_rank + qk_rope_head_dim); default 576 (DeepSeek-V3). */
  readonly latent_dim?: number;
  /** Value elements per token (kv_lora_rank); default 512. */
  readonly value_dim?: number;
}

/** GQA decode: `batch` sequences, `kv_len` KV tokens, `heads`/`kv_heads` of `head_dim` elements, `q_tokens` per sequence. */
export interface GqaDecodeOp extends OpCommon {
  readonly op: "gqa_decode";
  readonly batch: number;
  readonly kv_len: number;
  readonly heads: number;
  readonly kv_heads: number;
  readonly head_dim: number;
  readonly q_tokens: number;
  readonly dtype: AttentionDtype;
}

/** FlashAttention over `batch` prompts of `seq_len` tokens; Q·K over `head_dim`, P·V over `v_head_dim` (default `head_dim`) elements. */
export interface PrefillAttentionOp extends OpCommon {
  readonly op: "prefill_attention";
  readonly batch: number;
  readonly seq_len: number;
  readonly heads: number;
  readonly kv_heads: number;
  readonly head_dim: number;
  readonly v_head_dim?: number | undefined;
  readonly causal: boolean;
  readonly dtype: AttentionDtype;
}

/** RMSNorm of `tokens` rows of `hidden` elements. */
export interface RmsNormOp extends OpCommon {
  readonly op: "rmsnorm";
  readonly tokens: number;
  readonly hidden: number;
}

/** Rotary embedding of `tokens` × `heads` × `rope_dim` elements. */
export interface RopeOp extends OpCommon {
  readonly op: "rope";
  readonly tokens: number;
  readonly heads: number;
  readonly rope_dim: number;
}

/** Row softmax of `rows` × `cols` elements. */
export interface SoftmaxOp extends OpCommon {
  readonly op: "softmax";
  readonly rows: number;
  readonly cols: number;
}

/** Score normalisation and top-`k` of `experts` candidates for `tokens` rows (MoE gating; also vocabulary top-k). */
export interface GatingTopKOp extends OpCommon {
  readonly op: "gating_topk";
  readonly tokens: number;
  readonly experts: number;
  readonly k: number;
}

/** Per-token dynamic INT8 quantisation of `tokens` × `hidden` elements. */
export interface QuantizeOp extends OpCommon {
  readonly op: "quantize";
  readonly tokens: number;
  readonly hidden: number;
}

/** INT8 → BF16 dequantisation of `tokens` × `hidden` elements. */
export interface DequantizeOp extends OpCommon {
  readonly op: "dequantize";
  readonly tokens: number;
  readonly hidden: number;
}

/** silu(gate)·up of `tokens` × `ffn` elements. */
export interface SwigluOp extends OpCommon {
  readonly op: "swiglu";
  readonly tokens: number;
  readonly ffn: number;
}

/** Element-wise add of two tensors of `elements` elements (residual add). */
export interface AddOp extends OpCommon {
  readonly op: "add";
  readonly elements: number;
}

/** One compute operator on one die, discriminated by `op`. */
export type ComputeOp =
  | GemmOp
  | GroupedGemmOp
  | MlaDecodeOp
  | GqaDecodeOp
  | PrefillAttentionOp
  | RmsNormOp
  | RopeOp
  | SoftmaxOp
  | GatingTopKOp
  | QuantizeOp
  | DequantizeOp
  | SwigluOp
  | AddOp;

/** The `op` names, for listings. */
export type ComputeOpName = ComputeOp["op"];

/** Cost of one operator on `die` (or on `op.cores` of it): duration ns, FLOP, HBM bytes, what bound it. */
export function computeOpCost(die: DieSpec, op: ComputeOp): OpCost {
  const c = op.cores;
  switch (op.op) {
    case "gemm":
      return gemmCost(die, { m: op.m, n: op.n, k: op.k, dtype: op.dtype }, c);
    case "grouped_gemm":
      return groupedGemmCost(die, { groups: op.groups, m: op.m, n: op.n, k: op.k, dtype: op.dtype }, c);
    case "mla_decode":
      return mlaDecodeCost(die, mlaShape(op), c);
    case "gqa_decode":
      return gqaDecodeCost(die, gqaShape(op), c);
    case "prefill_attention":
      return prefillAttentionCost(die, prefillShape(op), c);
    case "rmsnorm":
      return rmsNormCost(die, { tokens: op.tokens, hidden: op.hidden }, c);
    case "rope":
      return ropeCost(die, { tokens: op.tokens, heads: op.heads, ropeDim: op.rope_dim }, c);
    case "softmax":
      return softmaxCost(die, { rows: op.rows, cols: op.cols }, c);
    case "gating_topk":
      return gatingTopKCost(die, { tokens: op.tokens, experts: op.experts, k: op.k }, c);
    case "quantize":
      return quantizeCost(die, { tokens: op.tokens, hidden: op.hidden }, c);
    case "dequantize":
      return dequantizeCost(die, { tokens: op.tokens, hidden: op.hidden }, c);
    case "swiglu":
      return swigluCost(die, { tokens: op.tokens, ffn: op.ffn }, c);
    case "add":
      return addCost(die, { elements: op.elements }, c);
  }
}

function mlaShape(op: MlaDecodeOp): MlaDecodeShape {
  return { batch: op.batch, kvLen: op.kv_len, heads: op.heads, qTokens: op.q_tokens, latentDim: op.latent_dim, valueDim: op.value_dim };
}

function gqaShape(op: GqaDecodeOp): GqaDecodeShape {
  return { batch: op.batch, kvLen: op.kv_len, heads: op.heads, kvHeads: op.kv_heads, headDim: op.head_dim, qTokens: op.q_tokens };
}

function prefillShape(op: PrefillAttentionOp): PrefillAttentionShape {
  return { batch: op.batch, seqLen: op.seq_len, heads: op.heads, kvHeads: op.kv_heads, headDim: op.head_dim, vHeadDim: op.v_head_dim, causal: op.causal };
}

/**
 * Whether `op` has a kernel tiling that fits the core buffers of its cores on `die` (computeOpCost throws
 * otherwise). Only the attention kernels can miss: their head (or latent) dimensions are free.
 */
export function computeOpFits(die: DieSpec, op: ComputeOp): boolean {
  if (op.op === "mla_decode") return mlaDecodeFits(die, mlaShape(op), op.cores);
  if (op.op === "gqa_decode") return gqaDecodeFits(die, gqaShape(op), op.cores);
  if (op.op === "prefill_attention") return prefillAttentionFits(die, prefillShape(op), op.cores);
  return true;
}

/** BF16 activation element, bytes. */
const ACT = 2;

/**
 * Bytes an operator's inputs and output occupy in HBM, a lower bound of what the die must hold for it:
 * activations BF16 (2 B), weights at their stored precision, the KV cache BF16, router logits FP32.
 * Workspaces are left out.
 */
export function footprintBytes(op: ComputeOp): number {
  switch (op.op) {
    case "gemm":
      return gemmFootprintBytes(op);
    case "grouped_gemm":
      return op.groups * gemmFootprintBytes(op);
    case "mla_decode": {
      const latent = op.latent_dim ?? MLA_LATENT_DIM;
      return (op.batch * op.kv_len * latent + op.batch * op.heads * op.q_tokens * (latent + (op.value_dim ?? MLA_VALUE_DIM))) * ACT;
    }
    case "gqa_decode":
      return (op.batch * op.kv_len * op.kv_heads * 2 * op.head_dim + op.batch * op.heads * op.q_tokens * 2 * op.head_dim) * ACT;
    case "prefill_attention": {
      const vd = op.v_head_dim ?? op.head_dim;
      return op.batch * op.seq_len * (op.heads * (op.head_dim + vd) + op.kv_heads * (op.head_dim + vd)) * ACT;
    }
    case "rmsnorm":
    case "quantize":
    case "dequantize":
      return 2 * op.tokens * op.hidden * ACT;
    case "rope":
      return 2 * op.tokens * op.heads * op.rope_dim * ACT;
    case "softmax":
      return 2 * op.rows * op.cols * ACT;
    case "gating_topk":
      return op.tokens * op.experts * 4;
    case "swiglu":
      return 3 * op.tokens * op.ffn * ACT;
    case "add":
      return 3 * op.elements * ACT;
  }
}

/**
 * Matrix (cube) work of one operator, FLOP: 2·m·n·k per GEMM, the score and context products of the
 * attention kernels (the same formulas as attention.ts, so it equals `computeOpCost(...).flops` for
 * these ops without needing a die); 0 for vector ops, whose work the usual model-FLOP accounting leaves
 * out (src/model/flops.ts).
 */
export function matmulFlopsOf(op: ComputeOp): number {
  switch (op.op) {
    case "gemm":
      return 2 * op.m * op.n * op.k;
    case "grouped_gemm":
      return 2 * op.groups * op.m * op.n * op.k;
    case "mla_decode":
      return 2 * op.batch * op.heads * op.q_tokens * op.kv_len * ((op.latent_dim ?? MLA_LATENT_DIM) + (op.value_dim ?? MLA_VALUE_DIM));
    case "gqa_decode":
      return 2 * op.batch * op.heads * op.q_tokens * op.kv_len * 2 * op.head_dim;
    case "prefill_attention": {
      const pairs = op.causal ? (op.seq_len * (op.seq_len + 1)) / 2 : op.seq_len * op.seq_len;
      return 2 * op.batch * op.heads * pairs * (op.head_dim + (op.v_head_dim ?? op.head_dim));
    }
    default:
      return 0;
  }
}
