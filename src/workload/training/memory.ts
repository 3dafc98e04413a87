import { denseLayerCount, sharedIntermediateSize, type ModelArchitecture } from "../../model/architecture.js";
import type { TrainingLayout } from "./layout.js";
import type { RecomputeModule, TrainingConfig } from "./schema.js";

/*
 * Memory of one NPU (rank) in training, B. Mixed precision with a distributed optimizer (Megatron /
 * MindSpeed defaults): BF16 weights (2 B/param), an FP32 gradient buffer (4 B/param), and FP32 master
 * weights + Adam m + v (12 B/param) sharded over the data-parallel group of each parameter (dense
 * parameters over dp·cp, expert parameters over (dp/ep)·cp: the CP ranks hold the same weights).
 * Activations: what each layer keeps for backward per micro-batch (closed form below) times the
 * micro-batches in flight of the schedule (schedule.ts), minus what is recomputed or swapped to host.
 * Communication buffers: HCCL_BUFFSIZE (200 MB per communicator, hardware.md §4) for every
 * communicator the rank belongs to.
 */

/** BF16 element, B. */
const BF16 = 2;
/** FP32 element, B. */
const FP32 = 4;
/**
 * Bytes per parameter, B: BF16 weight, FP32 gradient, FP32 master + Adam m + v (sharded). The 12 B of
 * optimizer state is mixed-precision Adam as in ZeRO (Rajbhandari et al., SC'20, K = 12).
 */
export const WEIGHT_BYTES_PER_PARAM = BF16;
export const GRAD_BYTES_PER_PARAM = FP32;
export const OPTIMIZER_BYTES_PER_PARAM = 3 * FP32;
/** HCCL_BUFFSIZE default per communicator (hardware.md §4), B. */
export const HCCL_BUFFER_BYTES = 200e6;

/** One stored activation tensor of a layer: bytes per micro-batch, and the module that can recompute it instead. */
interface ActTerm {
  readonly bytes: number;
  readonly module?: RecomputeModule;
}

/**
 * Activations one decoder layer stores per micro-batch on one rank (T = micro-batch tokens per CP rank,
 * t = tp, residual-stream tensors are T/t rows under SP), B. The terms follow the operator list: inputs
 * saved for each GEMM's wgrad, each norm's and activation's input, the attention kernel's Q/K/V/output
 * and log-sum-exp, the MoE block's received rows, expert intermediates and combine inputs.
 */
export function layerActivationTerms(arch: ModelArchitecture, layout: TrainingLayout, tokens: number, layer: number): ActTerm[] {
  const h = arch.hidden_size;
  const t = layout.tp;
  const res = layout.sp ? tokens / t : tokens;
  const att = arch.attention;
  const out: ActTerm[] = [
    { bytes: res * h * BF16 }, // layer input (residual)
    { bytes: res * h * BF16, module: "norm" }, // input_layernorm output (re-gathered under SP)
  ];
  if (att.kind === "mla") {
    const heads = att.heads / t;
    const qk = att.qk_nope_head_dim + att.qk_rope_head_dim;
    out.push(
      { bytes: tokens * (att.q_lora_rank + att.kv_lora_rank + att.qk_rope_head_dim) * BF16 }, // q_a / kv_a outputs (norm inputs)
      { bytes: tokens * (att.q_lora_rank + att.kv_lora_rank) * BF16, module: "norm" }, // latent norms' outputs (q_b / kv_b inputs)
      { bytes: tokens * heads * (qk + att.qk_nope_head_dim + att.v_head_dim) * BF16, module: "attention_up_proj" }, // q_b, kv_b outputs
      { bytes: tokens * heads * 2 * qk * BF16, module: "rope" }, // rotated Q and K
      { bytes: tokens * heads * (att.v_head_dim * BF16 + FP32), module: "attention_core" }, // attention output + LSE
    );
  } else {
    const q = att.heads / t;
    const kv = att.kind === "gqa" ? Math.max(1, att.kv_heads / t) : q;
    out.push(
      { bytes: tokens * (q + 2 * kv) * att.head_dim * BF16 }, // QKV projection output
      { bytes: tokens * (q + kv) * att.head_dim * BF16, module: "rope" },
      { bytes: tokens * q * (att.head_dim * BF16 + FP32), module: "attention_core" },
    );
  }
  out.push({ bytes: res * h * BF16 }, { bytes: res * h * BF16, module: "norm" }); // post-attention residual, norm output
  if (arch.sandwich_norm) out.push({ bytes: 2 * res * h * BF16 });
  const moe = arch.moe;
  if (moe !== undefined && layer >= denseLayerCount(arch)) {
    const routed = (tokens / t) * moe.top_k * (layout.tpExtendEp ? 1 : t); // rows an EP rank receives (balanced)
    const f = moe.expert_intermediate_size / layout.expertTp;
    out.push(
      { bytes: (tokens / t) * moe.routed_experts * FP32 }, // router scores
      { bytes: routed * h * BF16 }, // dispatched rows (gate_up input)
      { bytes: routed * 2 * f * BF16 }, // gate_up output (SwiGLU input)
      { bytes: routed * f * BF16, module: "activation" }, // SwiGLU output (down input)
      { bytes: routed * h * BF16 }, // expert outputs (combine input, weighted-sum backward)
    );
    const fs = (moe.shared_experts * sharedIntermediateSize(moe)) / (layout.tp > 1 ? t : 1);
    if (fs > 0) out.push({ bytes: tokens * 2 * fs * BF16 }, { bytes: tokens * fs * BF16, module: "activation" });
  } else if (arch.dense_intermediate_size !== undefined) {
    const f = arch.dense_intermediate_size / t;
    out.push({ bytes: tokens * 2 * f * BF16 }, { bytes: tokens * f * BF16, module: "activation" });
  }
  return out;
}

/** Stored activation bytes of one layer per micro-batch under the recompute policy, and its full (unrecomputed) size, B. */
export function layerActivationBytes(arch: ModelArchitecture, layout: TrainingLayout, cfg: TrainingConfig, tokens: number, layer: number): { stored: number; full: number } {
  const terms = layerActivationTerms(arch, layout, tokens, layer);
  let full = 0;
  for (const x of terms) full += x.bytes;
  if (cfg.recompute === "none") return { stored: full, full };
  if (cfg.recompute === "full") return { stored: terms[0]!.bytes, full };
  const mods = new Set(cfg.recompute_modules);
  let stored = 0;
  for (const x of terms) if (x.module === undefined || !mods.has(x.module)) stored += x.bytes;
  return { stored, full };
}

/** Memory of one rank by component, B. */
export interface MemoryBreakdown {
  readonly weights: number;
  readonly gradients: number;
  readonly optimizer: number;
  readonly activations: number;
  readonly comm_buffers: number;
}

/** Sum of a breakdown, B. */
export function memoryTotal(m: MemoryBreakdown): number {
  return m.weights + m.gradients + m.optimizer + m.activations + m.comm_buffers;
}

/** Communicators (of more than one rank) a rank belongs to, count. */
export function communicators(layout: TrainingLayout, isMoe: boolean): number {
  let n = 0;
  if (layout.tp > 1) n++;
  if (layout.cp > 1) n++;
  if (layout.pp > 1) n++;
  if (layout.dp * layout.cp > 1) n++; // dense DP (with the CP ranks)
  if (isMoe && layout.moeGroup > 1) n++;
  if (isMoe && layout.edp * layout.cp > 1 && layout.edp !== layout.dp) n++; // expert DP (with the CP ranks), when not the dense one
  return n;
}

/** Memory of one rank from its parameters and its peak in-flight activations, B. */
export function memoryBreakdown(
  layout: TrainingLayout,
  denseParams: number,
  expertParams: number,
  activationBytes: number,
  isMoe: boolean,
): MemoryBreakdown {
  const params = denseParams + expertParams;
  return {
    weights: params * WEIGHT_BYTES_PER_PARAM,
    gradients: params * GRAD_BYTES_PER_PARAM,
    optimizer: OPTIMIZER_BYTES_PER_PARAM * (denseParams / (layout.dp * layout.cp) + expertParams / (layout.edp * layout.cp)),
    activations: activationBytes,
    comm_buffers: communicators(layout, isMoe) * HCCL_BUFFER_BYTES,
  };
}
