import type { ComputeOp } from "../../hw/ops/op-descriptor.js";
import type { LayerItem } from "./layer-item.js";
import { commItem, computeItem, linearItems } from "./linear-ops.js";
import { ACTIVATION_BYTES, residualTokens, tokensPerReplica, type LayerOpsInput } from "./op-input.js";

/*
 * The attention block of one decoder layer on one rank: input norm, projections, RoPE, the attention
 * kernel, o_proj, the TP collective, residual add and the pre-FFN norm. Attention TP splits the heads
 * (Megatron/vLLM column-parallel Q/K/V, row-parallel o_proj); with SP the block starts with an
 * all-gather and ends with a reduce-scatter instead of the all-reduce.
 *
 * MLA (DeepSeek-V2/V3 modeling code):
 * - q_a_proj and kv_a_proj_with_mqa read the same input and run as one GEMM (vLLM's fused_qkv_a_proj;
 *   the CM384 MLA prolog fuses them too — from memory of the CM384 paper, unverified). Their outputs are
 *   latents every head needs, so under TP they are replicated on each rank, not split (vLLM
 *   ReplicatedLinear): only the head-indexed GEMMs (q_b, kv_b / W_UK / W_UV, o_proj) divide by tp.
 * - Decode uses weight absorption: q_nope·W_UK and ctx·W_UV are per-head batched GEMMs in BF16 (vLLM
 *   dequantises kv_b_proj to BF16 W_UK / W_UV at load time — from memory of vLLM MLACommonImpl,
 *   unverified), and the kernel attends over the cached latent (mla_decode, kv_lora + rope / kv_lora elements: 576/512 in DeepSeek-V3).
 * - Prefill and training run the non-absorbed form: kv_b_proj rebuilds per-head K_nope and V, and
 *   FlashAttention runs with Q·K over qk_nope + qk_rope (192) and V of v_head_dim (128).
 * GQA/MHA: one fused QKV GEMM (vLLM QKVParallelLinear; bias in its epilogue), optional per-head
 * QK-norm (Qwen3), RoPE over the whole head, then gqa_decode or prefill_attention. With tp > kv_heads
 * each rank keeps one replicated KV head (vLLM).
 * Not listed: the KV-cache write (a copy of a few KB per token) and the residual add's fusion with the
 * next norm (AddRmsNorm); both are left as separate or absent ops.
 */

/** Heads on this rank: query heads / tp, and KV heads / tp (at least one, replicated when tp > KV heads), count. */
export function headsPerRank(input: LayerOpsInput): { readonly q: number; readonly kv: number } {
  const att = input.arch.attention;
  const tp = input.layout.attention.tp;
  const kv = att.kind === "mla" ? att.heads : att.kind === "gqa" ? att.kv_heads : att.heads;
  return { q: att.heads / tp, kv: Math.max(1, kv / tp) };
}

/**
 * The non-absorbed MLA prefill attention core for `heads` heads of this rank: causal FlashAttention
 * over qk = nope + rope and v head dims (elements), every query token of every sequence.
 */
export function mlaPrefillAttentionOp(input: LayerOpsInput, heads: number): ComputeOp {
  const att = input.arch.attention;
  if (att.kind !== "mla") throw new Error("mlaPrefillAttentionOp needs an MLA model");
  return {
    op: "prefill_attention",
    batch: input.shape.sequences,
    seq_len: input.shape.queryTokens,
    heads,
    kv_heads: heads,
    head_dim: att.qk_nope_head_dim + att.qk_rope_head_dim,
    v_head_dim: att.v_head_dim,
    causal: true,
    dtype: "bf16",
  };
}

/** Items of the attention block of one layer on one rank (input norm through the pre-FFN norm). */
export function attentionItems(input: LayerOpsInput): LayerItem[] {
  const { arch, shape, layout } = input;
  const h = arch.hidden_size;
  const tp = layout.attention.tp;
  const sp = layout.attention.sp && tp > 1;
  const tokens = tokensPerReplica(shape);
  const local = residualTokens(input);
  const items: LayerItem[] = [computeItem("attention", "input_layernorm", { op: "rmsnorm", tokens: local, hidden: h })];
  if (sp) items.push(commItem("all_gather", "attn_tp", tokens * h * ACTIVATION_BYTES, "attention SP all-gather"));
  items.push(...(arch.attention.kind === "mla" ? mlaCore(input, tokens) : gqaCore(input, tokens)));
  if (tp > 1) {
    items.push(
      sp
        ? commItem("reduce_scatter", "attn_tp", tokens * h * ACTIVATION_BYTES, "o_proj reduce-scatter")
        : commItem("all_reduce", "attn_tp", tokens * h * ACTIVATION_BYTES, "o_proj all-reduce"),
    );
  }
  if (arch.sandwich_norm) items.push(computeItem("attention", "post_attention_output_norm", { op: "rmsnorm", tokens: local, hidden: h }));
  items.push(
    computeItem("attention", "attention residual add", { op: "add", elements: local * h }),
    computeItem("attention", "post_attention_layernorm", { op: "rmsnorm", tokens: local, hidden: h }),
  );
  return items;
}

function mlaCore(input: LayerOpsInput, tokens: number): LayerItem[] {
  const { arch, shape } = input;
  const att = arch.attention;
  if (att.kind !== "mla") throw new Error("mlaCore: not an MLA model");
  const h = arch.hidden_size;
  const heads = headsPerRank(input).q;
  const qHead = att.qk_nope_head_dim + att.qk_rope_head_dim;
  const latent = att.kv_lora_rank + att.qk_rope_head_dim;
  const decode = shape.phase === "decode";
  const items: LayerItem[] = [];
  if (att.q_lora_rank > 0) {
    items.push(
      ...linearItems(input, { label: "q_a_proj + kv_a_proj_with_mqa", stream: "attention", m: tokens, n: att.q_lora_rank + latent, k: h }),
      computeItem("attention", "q_a_layernorm", { op: "rmsnorm", tokens, hidden: att.q_lora_rank }),
      computeItem("attention", "kv_a_layernorm", { op: "rmsnorm", tokens, hidden: att.kv_lora_rank }),
      ...linearItems(input, { label: "q_b_proj", stream: "attention", m: tokens, n: heads * qHead, k: att.q_lora_rank }),
    );
  } else {
    // No Q compression (DeepSeek-V2-Lite): q_proj is head-parallel, kv_a replicated; one quantised input feeds both.
    items.push(
      ...linearItems(input, { label: "q_proj", stream: "attention", m: tokens, n: heads * qHead, k: h }),
      ...linearItems(input, { label: "kv_a_proj_with_mqa", stream: "attention", m: tokens, n: latent, k: h, inputInt8: true }),
      computeItem("attention", "kv_a_layernorm", { op: "rmsnorm", tokens, hidden: att.kv_lora_rank }),
    );
  }
  items.push(
    computeItem("attention", "rope q", { op: "rope", tokens, heads, rope_dim: att.qk_rope_head_dim }),
    // the decoupled RoPE key is one head shared by all query heads
    computeItem("attention", "rope k", { op: "rope", tokens, heads: 1, rope_dim: att.qk_rope_head_dim }),
  );
  if (decode) {
    items.push(
      computeItem("attention", "q absorb W_UK", { op: "grouped_gemm", groups: heads, m: tokens, n: att.kv_lora_rank, k: att.qk_nope_head_dim, dtype: "bf16" }),
      computeItem("attention", "MLA decode", { op: "mla_decode", batch: shape.sequences, kv_len: shape.kvLen ?? 0, heads, q_tokens: shape.queryTokens, latent_dim: latent, value_dim: att.kv_lora_rank, dtype: "bf16" }),
      computeItem("attention", "V absorb W_UV", { op: "grouped_gemm", groups: heads, m: tokens, n: att.v_head_dim, k: att.kv_lora_rank, dtype: "bf16" }),
    );
  } else {
    items.push(
      ...linearItems(input, { label: "kv_b_proj", stream: "attention", m: tokens, n: heads * (att.qk_nope_head_dim + att.v_head_dim), k: att.kv_lora_rank }),
      computeItem("attention", "MLA prefill attention", mlaPrefillAttentionOp(input, heads)),
    );
  }
  items.push(...linearItems(input, { label: "o_proj", stream: "attention", m: tokens, n: h, k: heads * att.v_head_dim }));
  return items;
}

function gqaCore(input: LayerOpsInput, tokens: number): LayerItem[] {
  const { arch, shape } = input;
  const att = arch.attention;
  if (att.kind === "mla") throw new Error("gqaCore: an MLA model");
  const h = arch.hidden_size;
  const { q, kv } = headsPerRank(input);
  const d = att.head_dim;
  const items: LayerItem[] = [...linearItems(input, { label: "qkv_proj", stream: "attention", m: tokens, n: (q + 2 * kv) * d, k: h })];
  if (att.qk_norm) {
    items.push(
      computeItem("attention", "q_norm", { op: "rmsnorm", tokens: tokens * q, hidden: d }),
      computeItem("attention", "k_norm", { op: "rmsnorm", tokens: tokens * kv, hidden: d }),
    );
  }
  // Every preset rotates the whole head (no partial rotary in the architecture schema).
  items.push(computeItem("attention", "rope q", { op: "rope", tokens, heads: q, rope_dim: d }), computeItem("attention", "rope k", { op: "rope", tokens, heads: kv, rope_dim: d }));
  items.push(
    shape.phase === "decode"
      ? computeItem("attention", "GQA decode", { op: "gqa_decode", batch: shape.sequences, kv_len: shape.kvLen ?? 0, heads: q, kv_heads: kv, head_dim: d, q_tokens: shape.queryTokens, dtype: "bf16" })
      : computeItem("attention", "prefill attention", { op: "prefill_attention", batch: shape.sequences, seq_len: shape.queryTokens, heads: q, kv_heads: kv, head_dim: d, causal: true, dtype: "bf16" }),
  );
  items.push(...linearItems(input, { label: "o_proj", stream: "attention", m: tokens, n: h, k: q * d }));
  return items;
}
