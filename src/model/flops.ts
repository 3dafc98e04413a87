import type { ModelArchitecture } from "./architecture.js";
import { tensorElements, weightTensors } from "./weights.js";

/*
 * Forward FLOPs per token. A matmul of a token's activation with a k×n weight is 2·k·n FLOPs (multiply and
 * add), so the weight part is 2 × the active matmul parameters; the input embedding is a lookup and
 * costs nothing. Attention adds the score (Q·Kᵀ) and context (P·V) products, which grow with the
 * number of keys a query attends to. Norms, softmax, RoPE and activations are vector work, left out
 * as in the usual 6·N·D accounting. Backward ≈ 2 × forward is the caller's business.
 */

/** Options shared by the FLOP functions. */
export interface FlopOptions {
  /** Add the MTP modules' forward (their decoder layer, projection and the shared head again). Default false. */
  readonly includeMtp?: boolean;
  /**
   * MLA only: count attention as executed with weight absorption (decode kernels attend in the latent
   * space: scores over kv_lora + qk_rope elements, context over kv_lora, per head) instead of the
   * model-FLOP form over qk_nope + qk_rope and v_head. Default false (the form MFU is quoted in).
   */
  readonly mlaAbsorbed?: boolean;
}

/** Weight-matmul FLOPs of one token's forward pass: 2 × active matmul parameters (LM head included), FLOP. */
export function matmulFlopsPerToken(a: ModelArchitecture, opts: FlopOptions = {}): number {
  let macs = 0;
  for (const t of weightTensors(a, { includeMtp: opts.includeMtp === true })) {
    if (t.role === "linear") macs += t.active * tensorElements(t);
  }
  return 2 * macs;
}

/** Attention FLOPs of one query token against one key in one layer (score + context), FLOP. */
export function attentionFlopsPerKeyPerLayer(a: ModelArchitecture, opts: FlopOptions = {}): number {
  const att = a.attention;
  if (att.kind === "mla") {
    const absorbed = opts.mlaAbsorbed === true;
    const qk = absorbed ? att.kv_lora_rank + att.qk_rope_head_dim : att.qk_nope_head_dim + att.qk_rope_head_dim;
    const v = absorbed ? att.kv_lora_rank : att.v_head_dim;
    return 2 * att.heads * (qk + v);
  }
  return 2 * att.heads * 2 * att.head_dim;
}

function attentionLayers(a: ModelArchitecture, opts: FlopOptions): number {
  return a.layers + (opts.includeMtp === true ? a.mtp_layers : 0);
}

/** Attention score and context FLOPs of one query token attending to `contextTokens` keys, all layers, FLOP. */
export function attentionFlopsPerToken(a: ModelArchitecture, contextTokens: number, opts: FlopOptions = {}): number {
  return attentionLayers(a, opts) * attentionFlopsPerKeyPerLayer(a, opts) * contextTokens;
}

/** Forward FLOPs of one token attending to `contextTokens` keys: weight matmuls plus attention, FLOP. */
export function forwardFlopsPerToken(a: ModelArchitecture, contextTokens: number, opts: FlopOptions = {}): number {
  return matmulFlopsPerToken(a, opts) + attentionFlopsPerToken(a, contextTokens, opts);
}

/**
 * Attention FLOPs of a causal prefill of `sequenceTokens` tokens, all layers, FLOP: token i (1-based)
 * attends to i keys, so the keys sum to S·(S+1)/2.
 */
export function causalAttentionFlops(a: ModelArchitecture, sequenceTokens: number, opts: FlopOptions = {}): number {
  return attentionLayers(a, opts) * attentionFlopsPerKeyPerLayer(a, opts) * ((sequenceTokens * (sequenceTokens + 1)) / 2);
}
