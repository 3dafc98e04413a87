import { mlaPrefillAttentionOp } from "../../model/ops/attention-ops.js";
import { commItem, computeItem, linearItems } from "../../model/ops/linear-ops.js";
import type { LayerItem } from "../../model/ops/layer-item.js";
import { ACTIVATION_BYTES, residualTokens, tokensPerReplica, type LayerOpsInput } from "../../model/ops/op-input.js";

/*
 * The SP–TP–SP hybrid of CM384 prefill for MLA, as we read the CM384 paper (arXiv:2506.12708; from
 * memory, unverified): one attention replica spans the whole instance (32 dies); every per-token
 * projection runs sequence-parallel on the rank's 1/tp slice of the batch with full weights, and only the
 * attention core is head-parallel:
 *   SP: input norm, fused q_a + kv_a down-projection, their norms, q_b up-projection, RoPE;
 *   all-to-all of Q (tokens → heads) and all-gather of the 576-element KV latent;
 *   TP: kv_b up-projection of every token for the rank's heads, FlashAttention over its heads;
 *   all-to-all of the context (heads → tokens);
 *   SP: o_proj with full weights, residual add, pre-FFN norm.
 * Compared with Megatron SP (attention-ops.ts), the latents are computed once per token instead of on
 * every rank, and the exchanges carry Q, the latent and the context instead of the hidden state.
 * The dense FFN of the first layers runs data-parallel on the slice (full weights), see `spDenseInput`.
 */

/** Whether `input` selects the SP–TP–SP hybrid: MLA with attention TP > 1 and `sp`. */
export function usesSpTpSp(input: LayerOpsInput): boolean {
  return input.arch.attention.kind === "mla" && input.layout.attention.tp > 1 && input.layout.attention.sp;
}

/** Items of the SP–TP–SP attention block of one MLA layer on one rank (input norm through the pre-FFN norm). */
export function spTpSpAttentionItems(input: LayerOpsInput): LayerItem[] {
  const { arch, shape, layout } = input;
  const att = arch.attention;
  if (att.kind !== "mla") throw new RangeError("spTpSpAttentionItems: the SP–TP–SP hybrid is for MLA");
  const h = arch.hidden_size;
  const tp = layout.attention.tp;
  const H = att.heads;
  const heads = H / tp;
  const tokens = tokensPerReplica(shape);
  const local = residualTokens(input);
  const qHead = att.qk_nope_head_dim + att.qk_rope_head_dim;
  const latent = att.kv_lora_rank + att.qk_rope_head_dim;
  const items: LayerItem[] = [computeItem("attention", "input_layernorm", { op: "rmsnorm", tokens: local, hidden: h })];
  if (att.q_lora_rank > 0) {
    items.push(
      ...linearItems(input, { label: "q_a_proj + kv_a_proj_with_mqa (SP)", stream: "attention", m: local, n: att.q_lora_rank + latent, k: h }),
      computeItem("attention", "q_a_layernorm", { op: "rmsnorm", tokens: local, hidden: att.q_lora_rank }),
      computeItem("attention", "kv_a_layernorm", { op: "rmsnorm", tokens: local, hidden: att.kv_lora_rank }),
      ...linearItems(input, { label: "q_b_proj (SP)", stream: "attention", m: local, n: H * qHead, k: att.q_lora_rank }),
    );
  } else {
    items.push(
      ...linearItems(input, { label: "q_proj (SP)", stream: "attention", m: local, n: H * qHead, k: h }),
      ...linearItems(input, { label: "kv_a_proj_with_mqa (SP)", stream: "attention", m: local, n: latent, k: h, inputInt8: true }),
      computeItem("attention", "kv_a_layernorm", { op: "rmsnorm", tokens: local, hidden: att.kv_lora_rank }),
    );
  }
  items.push(
    computeItem("attention", "rope q", { op: "rope", tokens: local, heads: H, rope_dim: att.qk_rope_head_dim }),
    computeItem("attention", "rope k", { op: "rope", tokens: local, heads: 1, rope_dim: att.qk_rope_head_dim }),
    commItem("all_to_all", "attn_tp", local * H * qHead * ACTIVATION_BYTES, "Q all-to-all (tokens → heads)"),
    commItem("all_gather", "attn_tp", tokens * latent * ACTIVATION_BYTES, "KV latent all-gather"),
    ...linearItems(input, { label: "kv_b_proj (TP)", stream: "attention", m: tokens, n: heads * (att.qk_nope_head_dim + att.v_head_dim), k: att.kv_lora_rank }),
    computeItem("attention", "MLA prefill attention (TP)", mlaPrefillAttentionOp(input, heads)),
    commItem("all_to_all", "attn_tp", tokens * heads * att.v_head_dim * ACTIVATION_BYTES, "context all-to-all (heads → tokens)"),
    ...linearItems(input, { label: "o_proj (SP)", stream: "attention", m: local, n: h, k: H * att.v_head_dim }),
  );
  if (arch.sandwich_norm) items.push(computeItem("attention", "post_attention_output_norm", { op: "rmsnorm", tokens: local, hidden: h }));
  items.push(
    computeItem("attention", "attention residual add", { op: "add", elements: local * h }),
    computeItem("attention", "post_attention_layernorm", { op: "rmsnorm", tokens: local, hidden: h }),
  );
  return items;
}

/** The input a dense FFN runs with under SP–TP–SP: the rank's token slice, data-parallel, full weights. */
export function spDenseInput(input: LayerOpsInput): LayerOpsInput {
  return {
    ...input,
    layout: { ...input.layout, attention: { ...input.layout.attention, tp: 1, sp: false } },
    shape: { phase: input.shape.phase, sequences: 1, queryTokens: residualTokens(input) },
  };
}
