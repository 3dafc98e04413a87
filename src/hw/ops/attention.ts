import type { DieSpec } from "../chip-spec.js";
import { attentionKernelCost, attentionTilingFits, type AttentionKernelShape, type AttentionTiling } from "./flash-attention.js";
import { resolveCores, type CoreSubset, type OpCost } from "./op-cost.js";

/*
 * Attention operators in model terms, priced by the FlashAttention kernel model (flash-attention.ts).
 * Activations and KV cache are BF16 (hardware.md §7: MLA latent KV 1,152 B per token per layer BF16).
 */

/** Latent KV elements per token per layer of MLA (kv_lora 512 + rope 64, hardware.md §7). */
export const MLA_LATENT_DIM = 576;
/** MLA value dimension after weight absorption (kv_lora rank), elements (hardware.md §7). */
export const MLA_VALUE_DIM = 512;

/** BF16 element (activations and KV cache), bytes. */
const BF16 = 2;

/** FlashAttention prefill (self-attention over the prompt), BF16. */
export interface PrefillAttentionShape {
  /** Sequences. */
  readonly batch: number;
  /** Prompt tokens per sequence. */
  readonly seqLen: number;
  /** Query heads (on this die). */
  readonly heads: number;
  /** KV heads (on this die); `heads` for MHA. */
  readonly kvHeads: number;
  /** Q·K head dimension, elements (DeepSeek MLA prefill: 192 = 128 nope + 64 rope). */
  readonly headDim: number;
  /** V head dimension, elements; default `headDim`. */
  readonly vHeadDim?: number;
  /** Causal mask; default true. */
  readonly causal?: boolean;
}

/** MLA decode with absorbed weights: every query head attends to the shared latent KV (576 elements in DeepSeek-V3). */
export interface MlaDecodeShape {
  /** Sequences on this die. */
  readonly batch: number;
  /** KV tokens per sequence. */
  readonly kvLen: number;
  /** Query heads (DeepSeek-R1: 128). */
  readonly heads: number;
  /** Query tokens per sequence per step (1; 2 with one MTP speculative token). Default 1. */
  readonly qTokens?: number;
  /** KV-cache element size, bytes; default 2 (BF16). */
  readonly kvBytes?: number;
  /** Latent KV elements per token (kv_lora_rank + qk_rope_head_dim), the score dimension; default 576. */
  readonly latentDim?: number;
  /** Value elements per token after absorption (kv_lora_rank); default 512. */
  readonly valueDim?: number;
}

/** GQA decode (e.g. Pangu Pro MoE: 40 Q heads, 8 KV heads, head 128). */
export interface GqaDecodeShape {
  /** Sequences on this die. */
  readonly batch: number;
  /** KV tokens per sequence. */
  readonly kvLen: number;
  /** Query heads (on this die). */
  readonly heads: number;
  /** KV heads (on this die). */
  readonly kvHeads: number;
  /** Head dimension, elements. */
  readonly headDim: number;
  /** Query tokens per sequence per step; default 1. */
  readonly qTokens?: number;
}

function positive(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`attention ${name} must be a positive integer, got ${v}`);
}

/** Cost of causal (or full) FlashAttention prefill on a die. */
export function prefillAttentionCost(die: DieSpec, s: PrefillAttentionShape, cores?: CoreSubset): OpCost {
  return prefillAttention(die, s, cores).cost;
}

/** Cost and tiling of FlashAttention prefill. */
export function prefillAttention(die: DieSpec, s: PrefillAttentionShape, cores?: CoreSubset): { cost: OpCost; tiling: AttentionTiling } {
  positive("batch", s.batch);
  positive("seqLen", s.seqLen);
  positive("heads", s.heads);
  positive("kvHeads", s.kvHeads);
  positive("headDim", s.headDim);
  if (s.heads % s.kvHeads !== 0) throw new RangeError(`heads (${s.heads}) must be a multiple of kvHeads (${s.kvHeads})`);
  const k = prefillKernel(s);
  // score pairs per head: S(S+1)/2 under the causal mask
  const pairs = k.causal ? (s.seqLen * (s.seqLen + 1)) / 2 : s.seqLen * s.seqLen;
  const flops = 2 * s.batch * s.heads * pairs * (k.dk + k.dv);
  return attentionKernelCost(die, k, resolveCores(die, cores), flops);
}

/** FlashAttention prefill in the kernel's terms. */
function prefillKernel(s: PrefillAttentionShape): AttentionKernelShape {
  const dv = s.vHeadDim ?? s.headDim;
  const group = s.heads / s.kvHeads;
  return {
    streams: s.batch * s.kvHeads,
    rows: s.seqLen * group,
    kvLen: s.seqLen,
    causal: s.causal ?? true,
    rowsPerPosition: group,
    dk: s.headDim,
    dv,
    kvBytesPerToken: (s.headDim + dv) * BF16,
  };
}

/** Whether a kernel tiling of prefill attention fits the core buffers (head dimensions too large for L1/UB do not). */
export function prefillAttentionFits(die: DieSpec, s: PrefillAttentionShape, cores?: CoreSubset): boolean {
  return attentionTilingFits(die, prefillKernel(s), resolveCores(die, cores));
}

/** Cost of MLA decode attention (absorbed weights, latent KV read from HBM) on a die. */
export function mlaDecodeCost(die: DieSpec, s: MlaDecodeShape, cores?: CoreSubset): OpCost {
  return mlaDecode(die, s, cores).cost;
}

/** Cost and tiling of MLA decode attention. */
export function mlaDecode(die: DieSpec, s: MlaDecodeShape, cores?: CoreSubset): { cost: OpCost; tiling: AttentionTiling } {
  positive("batch", s.batch);
  positive("kvLen", s.kvLen);
  positive("heads", s.heads);
  const q = s.qTokens ?? 1;
  positive("qTokens", q);
  const k = mlaDecodeKernel(s);
  positive("latentDim", k.dk);
  positive("valueDim", k.dv);
  const flops = 2 * s.batch * k.rows * s.kvLen * (k.dk + k.dv);
  return attentionKernelCost(die, k, resolveCores(die, cores), flops);
}

/** MLA decode in the kernel's terms: one stream per sequence, heads × query tokens rows over the latent. */
function mlaDecodeKernel(s: MlaDecodeShape): AttentionKernelShape {
  const latent = s.latentDim ?? MLA_LATENT_DIM;
  return {
    streams: s.batch,
    rows: s.heads * (s.qTokens ?? 1),
    kvLen: s.kvLen,
    causal: false,
    rowsPerPosition: s.heads,
    dk: latent,
    dv: s.valueDim ?? MLA_VALUE_DIM,
    kvBytesPerToken: latent * (s.kvBytes ?? BF16),
  };
}

/** Whether a kernel tiling of MLA decode fits the core buffers (latent dimensions too large for L1/UB do not). */
export function mlaDecodeFits(die: DieSpec, s: MlaDecodeShape, cores?: CoreSubset): boolean {
  return attentionTilingFits(die, mlaDecodeKernel(s), resolveCores(die, cores));
}

/** Cost of GQA decode attention (K and V read from HBM per KV head) on a die. */
export function gqaDecodeCost(die: DieSpec, s: GqaDecodeShape, cores?: CoreSubset): OpCost {
  positive("batch", s.batch);
  positive("kvLen", s.kvLen);
  positive("heads", s.heads);
  positive("kvHeads", s.kvHeads);
  positive("headDim", s.headDim);
  if (s.heads % s.kvHeads !== 0) throw new RangeError(`heads (${s.heads}) must be a multiple of kvHeads (${s.kvHeads})`);
  const q = s.qTokens ?? 1;
  const flops = 2 * s.batch * s.heads * q * s.kvLen * 2 * s.headDim;
  return attentionKernelCost(die, gqaDecodeKernel(s), resolveCores(die, cores), flops).cost;
}

/** GQA decode in the kernel's terms. */
function gqaDecodeKernel(s: GqaDecodeShape): AttentionKernelShape {
  return {
    streams: s.batch * s.kvHeads,
    rows: (s.heads / s.kvHeads) * (s.qTokens ?? 1),
    kvLen: s.kvLen,
    causal: false,
    rowsPerPosition: s.heads / s.kvHeads,
    dk: s.headDim,
    dv: s.headDim,
    kvBytesPerToken: 2 * s.headDim * BF16,
  };
}

/** Whether a kernel tiling of GQA decode fits the core buffers (head dimensions too large for L1/UB do not). */
export function gqaDecodeFits(die: DieSpec, s: GqaDecodeShape, cores?: CoreSubset): boolean {
  return attentionTilingFits(die, gqaDecodeKernel(s), resolveCores(die, cores));
}
