import { denseLayerCount, moeLayerCount, sharedIntermediateSize, type ModelArchitecture } from "./architecture.js";

/*
 * The weight tensors of a model, enumerated once from its architecture. Parameter counts, weight bytes
 * per precision, matmul FLOPs and the expert/dense split are all sums over this list, so they cannot
 * disagree about what a layer contains. Names follow the Hugging Face checkpoints (DeepSeek-V3 modeling
 * code for MLA and MTP, Llama/Qwen for GQA).
 */

/** What a weight belongs to, for parameter breakdowns and placement. */
export type ParamComponent =
  | "embedding"
  | "attention"
  | "dense_ffn"
  | "routed_experts"
  | "shared_experts"
  | "router"
  | "norms"
  | "lm_head"
  | "mtp_projection";

/** How a tensor is used: a matmul weight, an embedding table (a lookup), a norm or a bias vector. */
export type TensorRole = "linear" | "embedding" | "norm" | "bias";

/** One kind of weight tensor and how many copies the model holds and a token uses. */
export interface WeightTensor {
  /** Checkpoint-style name, e.g. `layers.self_attn.q_b_proj` or `mtp.layers.mlp.experts.gate_proj`. */
  readonly name: string;
  readonly component: ParamComponent;
  readonly role: TensorRole;
  /** Output features (linear), vocabulary (embedding, tokens) or vector length, elements. */
  readonly rows: number;
  /** Input features (linear) or vectors per instance (1; LayerNorm weight + bias: 2), elements. */
  readonly cols: number;
  /** Instances stored in the model (layers × experts), count; 0 for a head tied to the embedding. */
  readonly stored: number;
  /** Instances one token's forward pass multiplies with or reads (layers × active experts), count. */
  readonly active: number;
  /** Whether the tensor belongs to a multi-token-prediction module. */
  readonly mtp: boolean;
  /** Name of the tensor whose storage this one reuses (tied head, MTP head); such a tensor has `stored` 0. */
  readonly sharesStorageWith?: string;
}

/** Options of `weightTensors`. */
export interface WeightTensorOptions {
  /** Include the MTP modules' own weights (their shared embedding and head are never repeated). Default false. */
  readonly includeMtp?: boolean;
}

type Spec = Omit<WeightTensor, "stored" | "active" | "mtp"> & { readonly perLayerStored: number; readonly perLayerActive: number };

function linear(name: string, component: ParamComponent, rows: number, cols: number, stored = 1, active = stored): Spec {
  return { name, component, role: "linear", rows, cols, perLayerStored: stored, perLayerActive: active };
}

function vector(name: string, component: ParamComponent, role: "norm" | "bias", length: number, vectors = 1): Spec {
  return { name, component, role, rows: length, cols: vectors, perLayerStored: 1, perLayerActive: 1 };
}

function attentionSpecs(a: ModelArchitecture): Spec[] {
  const h = a.hidden_size;
  const att = a.attention;
  const normVectors = a.norm === "layernorm" ? 2 : 1;
  if (att.kind === "mla") {
    const qHead = att.qk_nope_head_dim + att.qk_rope_head_dim;
    const q =
      att.q_lora_rank > 0
        ? [
            linear("self_attn.q_a_proj", "attention", att.q_lora_rank, h),
            vector("self_attn.q_a_layernorm", "norms", "norm", att.q_lora_rank, normVectors),
            linear("self_attn.q_b_proj", "attention", att.heads * qHead, att.q_lora_rank),
          ]
        : [linear("self_attn.q_proj", "attention", att.heads * qHead, h)];
    return [
      ...q,
      // The latent and the shared RoPE key come out of one projection ("with MQA").
      linear("self_attn.kv_a_proj_with_mqa", "attention", att.kv_lora_rank + att.qk_rope_head_dim, h),
      vector("self_attn.kv_a_layernorm", "norms", "norm", att.kv_lora_rank, normVectors),
      linear("self_attn.kv_b_proj", "attention", att.heads * (att.qk_nope_head_dim + att.v_head_dim), att.kv_lora_rank),
      linear("self_attn.o_proj", "attention", h, att.heads * att.v_head_dim),
    ];
  }
  const kvHeads = att.kind === "gqa" ? att.kv_heads : att.heads;
  const qDim = att.heads * att.head_dim;
  const kvDim = kvHeads * att.head_dim;
  const specs = [
    linear("self_attn.q_proj", "attention", qDim, h),
    linear("self_attn.k_proj", "attention", kvDim, h),
    linear("self_attn.v_proj", "attention", kvDim, h),
    linear("self_attn.o_proj", "attention", h, qDim),
  ];
  if (att.qkv_bias) {
    specs.push(vector("self_attn.q_proj.bias", "attention", "bias", qDim), vector("self_attn.k_proj.bias", "attention", "bias", kvDim), vector("self_attn.v_proj.bias", "attention", "bias", kvDim));
  }
  if (att.qk_norm) {
    specs.push(vector("self_attn.q_norm", "norms", "norm", att.head_dim, normVectors), vector("self_attn.k_norm", "norms", "norm", att.head_dim, normVectors));
  }
  return specs;
}

function ffnSpecs(a: ModelArchitecture, prefix: string, component: ParamComponent, intermediate: number, stored: number, active: number): Spec[] {
  const h = a.hidden_size;
  const up = [linear(`${prefix}.up_proj`, component, intermediate, h, stored, active), linear(`${prefix}.down_proj`, component, h, intermediate, stored, active)];
  return a.activation === "swiglu" ? [linear(`${prefix}.gate_proj`, component, intermediate, h, stored, active), ...up] : up;
}

function layerSpecs(a: ModelArchitecture, kind: "dense" | "moe"): Spec[] {
  const normVectors = a.norm === "layernorm" ? 2 : 1;
  // Pre-norms before attention and FFN; sandwich norm adds a post-norm after each.
  const norms = [vector("input_layernorm", "norms", "norm", a.hidden_size, normVectors), vector("post_attention_layernorm", "norms", "norm", a.hidden_size, normVectors)];
  if (a.sandwich_norm) {
    norms.push(vector("post_attention_output_norm", "norms", "norm", a.hidden_size, normVectors), vector("post_mlp_output_norm", "norms", "norm", a.hidden_size, normVectors));
  }
  const specs = [...norms, ...attentionSpecs(a)];
  if (kind === "dense") {
    specs.push(...ffnSpecs(a, "mlp", "dense_ffn", a.dense_intermediate_size ?? 0, 1, 1));
    return specs;
  }
  const moe = a.moe;
  if (moe === undefined) throw new Error("layerSpecs: MoE layer of a model without moe");
  specs.push(linear("mlp.gate", "router", moe.routed_experts, a.hidden_size));
  if (moe.router_bias) specs.push(vector("mlp.gate.e_score_correction_bias", "router", "bias", moe.routed_experts));
  specs.push(...ffnSpecs(a, "mlp.experts", "routed_experts", moe.expert_intermediate_size, moe.routed_experts, moe.top_k));
  if (moe.shared_experts > 0) {
    specs.push(...ffnSpecs(a, "mlp.shared_experts", "shared_experts", sharedIntermediateSize(moe), moe.shared_experts, moe.shared_experts));
  }
  return specs;
}

function repeat(specs: readonly Spec[], prefix: string, times: number, mtp: boolean): WeightTensor[] {
  return specs.map(({ perLayerStored, perLayerActive, name, ...t }) => ({ ...t, name: `${prefix}${name}`, stored: perLayerStored * times, active: perLayerActive * times, mtp }));
}

/**
 * Every weight tensor of the model, merged across identical layers: the main model's embedding, dense
 * and MoE layers, final norm and LM head, then (with `includeMtp`) the MTP modules' own weights.
 */
export function weightTensors(a: ModelArchitecture, opts: WeightTensorOptions = {}): WeightTensor[] {
  const h = a.hidden_size;
  const normVectors = a.norm === "layernorm" ? 2 : 1;
  const dense = denseLayerCount(a);
  const moe = moeLayerCount(a);
  const out: WeightTensor[] = [
    // A lookup reads one row per token; whether the table counts as "active" is a convention (counts.ts).
    { name: "embed_tokens", component: "embedding", role: "embedding", rows: a.vocab_size, cols: h, stored: 1, active: 1, mtp: false },
  ];
  if (dense > 0) out.push(...repeat(layerSpecs(a, "dense"), "dense_layers.", dense, false));
  if (moe > 0) out.push(...repeat(layerSpecs(a, "moe"), "moe_layers.", moe, false));
  out.push(
    { name: "norm", component: "norms", role: "norm", rows: h, cols: normVectors, stored: 1, active: 1, mtp: false },
    // A tied head multiplies by the embedding matrix: computed, not stored again.
    a.tie_embeddings
      ? { name: "lm_head", component: "lm_head", role: "linear", rows: a.vocab_size, cols: h, stored: 0, active: 1, mtp: false, sharesStorageWith: "embed_tokens" }
      : { name: "lm_head", component: "lm_head", role: "linear", rows: a.vocab_size, cols: h, stored: 1, active: 1, mtp: false },
  );
  if (opts.includeMtp === true && a.mtp_layers > 0) {
    // DeepSeek-V3 §2.2: h'_i = M [RMSNorm(h_i); RMSNorm(Emb(t_{i+1}))], then one transformer block whose
    // FFN is of the model's last-layer kind, then the shared head behind its own norm.
    const mtpSpecs: Spec[] = [
      vector("enorm", "norms", "norm", h, normVectors),
      vector("hnorm", "norms", "norm", h, normVectors),
      linear("eh_proj", "mtp_projection", h, 2 * h),
      ...layerSpecs(a, moe > 0 ? "moe" : "dense"),
      vector("shared_head.norm", "norms", "norm", h, normVectors),
    ];
    out.push(
      ...repeat(mtpSpecs, "mtp.", a.mtp_layers, true),
      // Each MTP module runs the shared LM head again: computed per token, stored once (in the main model).
      { name: "mtp.shared_head.head", component: "lm_head", role: "linear", rows: a.vocab_size, cols: h, stored: 0, active: a.mtp_layers, mtp: true, sharesStorageWith: a.tie_embeddings ? "embed_tokens" : "lm_head" },
    );
  }
  return out;
}

/** Elements of one instance of a tensor, count. */
export function tensorElements(t: WeightTensor): number {
  return t.rows * t.cols;
}
