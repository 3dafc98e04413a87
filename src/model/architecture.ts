import { z } from "zod";

/*
 * A decoder-only LLM as data. Key names follow the YAML style of the rest of the config (snake_case)
 * and stay close to the Hugging Face `config.json` names so a user can copy numbers across.
 *
 * Units: sizes of vectors and matrices are in **elements** (not bytes: precision is chosen at run time),
 * vocabulary and positions in **tokens**, everything else is a **count**. No physical quantity lives
 * here, so bare numbers are right.
 */

const count = () => z.int().min(0);
const positive = () => z.int().min(1);

/**
 * Most attention heads a model may have, count: a sizing guard, not a model fact (published models have
 * at most 128 query heads, hardware.md §7); per-head operators (grouped GEMMs over heads) are priced per
 * head, so 1e5 heads took seconds and 1e7 minutes.
 */
const MAX_HEADS = 1024;

/**
 * Multi-head latent attention (DeepSeek-V2/V3, Pangu Ultra MoE). Q goes through an optional low-rank
 * bottleneck; K and V are rebuilt from a shared latent of `kv_lora_rank` elements plus one decoupled RoPE
 * key of `qk_rope_head_dim` elements, which is all the KV cache has to hold.
 */
export const mlaAttentionSchema = z.strictObject({
  kind: z.literal("mla"),
  /** Attention heads, count. */
  heads: positive().max(MAX_HEADS),
  /** Rank of the Q compression, elements; 0 means no compression (a plain `q_proj`, DeepSeek-V2-Lite). */
  q_lora_rank: count(),
  /** Rank of the joint KV compression (the cached latent), elements. */
  kv_lora_rank: positive(),
  /** Per-head Q/K dimension without rotary embedding, elements. */
  qk_nope_head_dim: positive(),
  /** Per-head Q/K dimension with rotary embedding (the K part is shared by all heads), elements. */
  qk_rope_head_dim: count(),
  /** Per-head V dimension, elements. */
  v_head_dim: positive(),
});

/** Grouped-query attention: `kv_heads` K/V heads shared by groups of `heads / kv_heads` Q heads. */
export const gqaAttentionSchema = z.strictObject({
  kind: z.literal("gqa"),
  /** Query heads, count. */
  heads: positive().max(MAX_HEADS),
  /** Key/value heads, count (divides `heads`). */
  kv_heads: positive().max(MAX_HEADS),
  /** Dimension of every Q, K and V head, elements. */
  head_dim: positive(),
  /** Whether the Q, K and V projections carry a bias vector (Qwen2 does; Llama 3 and Qwen3 do not). */
  qkv_bias: z.boolean().default(false),
  /** Whether Q and K pass through a per-head RMSNorm of `head_dim` elements before RoPE (Qwen3). */
  qk_norm: z.boolean().default(false),
});

/** Classic multi-head attention: as many K/V heads as Q heads. */
export const mhaAttentionSchema = z.strictObject({
  kind: z.literal("mha"),
  /** Attention heads (Q, K and V alike), count. */
  heads: positive().max(MAX_HEADS),
  /** Dimension of every head, elements. */
  head_dim: positive(),
  /** Whether the Q, K and V projections carry a bias vector. */
  qkv_bias: z.boolean().default(false),
  /** Whether Q and K pass through a per-head RMSNorm before RoPE. */
  qk_norm: z.boolean().default(false),
});

/** The attention block of every decoder layer, by `kind`. */
export const attentionSchema = z.discriminatedUnion("kind", [mlaAttentionSchema, gqaAttentionSchema, mhaAttentionSchema]);

/**
 * How a token picks its routed experts. `topk`: the best `top_k` of all experts. `group-limited`
 * (DeepSeek-V3 `n_group`/`topk_group`): experts form `n_group` groups, a token first keeps its best
 * `topk_group` groups, then picks `top_k` experts inside them (bounds the nodes a token is sent to).
 * `moge` (Pangu Pro MoE, Mixture of Grouped Experts): experts form `groups` equal groups, one per device,
 * and a token takes exactly `top_k / groups` experts from every group, so every device gets the same load.
 */
export const routingSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("topk") }),
  z.strictObject({
    kind: z.literal("group-limited"),
    /** Expert groups, count (divides `routed_experts`). */
    n_group: positive(),
    /** Groups a token may route to, count (≤ `n_group`). */
    topk_group: positive(),
  }),
  z.strictObject({
    kind: z.literal("moge"),
    /** Expert groups (one per device in the intended deployment), count; divides `routed_experts` and `top_k`. */
    groups: positive(),
  }),
]);

/** The mixture-of-experts FFN of the MoE layers. */
export const moeSchema = z.strictObject({
  /** Routed experts per MoE layer, count. */
  routed_experts: positive(),
  /** Intermediate (FFN hidden) size of one routed expert, elements. */
  expert_intermediate_size: positive(),
  /** Routed experts each token activates, count. */
  top_k: positive(),
  /** Shared experts per MoE layer (every token goes through all of them), count. */
  shared_experts: count().default(0),
  /** Intermediate size of one shared expert, elements (default: `expert_intermediate_size`). */
  shared_intermediate_size: positive().optional(),
  /** Grouping of experts for routing. */
  routing: routingSchema.default({ kind: "topk" }),
  /** Whether the router has a per-expert bias vector (DeepSeek-V3's `e_score_correction_bias`). */
  router_bias: z.boolean().default(false),
});

/** Rotary position embedding. Does not change parameter counts; recorded so configs are complete. */
export const ropeSchema = z.strictObject({
  /** RoPE base θ, dimensionless. */
  theta: z.number().positive(),
  /** Longest context the model is configured for, tokens. */
  max_position_embeddings: positive(),
  /** Context-extension scheme, if any. */
  scaling: z
    .strictObject({
      type: z.enum(["yarn", "llama3", "linear"]),
      /** Extension factor, dimensionless. */
      factor: z.number().positive(),
      /** Context length before extension, tokens. */
      original_max_position_embeddings: positive(),
    })
    .optional(),
});

/** A decoder-only transformer LLM. */
export const architectureSchema = z
  .strictObject({
    /** Decoder layers of the main model (not counting MTP modules), count. */
    layers: positive(),
    /** Model (residual stream) width, elements. */
    hidden_size: positive(),
    /** Vocabulary, tokens. */
    vocab_size: positive(),
    /** Whether the LM head reuses the input embedding matrix. */
    tie_embeddings: z.boolean().default(false),
    /** Attention block of every layer. */
    attention: attentionSchema,
    /** The first this many layers use the dense FFN, count; `all` for a dense model. */
    first_dense_layers: z.union([count(), z.literal("all")]).default(0),
    /** Intermediate size of the dense FFN, elements (required when any layer is dense). */
    dense_intermediate_size: positive().optional(),
    /** MoE FFN of the remaining layers (absent for a dense model). */
    moe: moeSchema.optional(),
    /**
     * Multi-token-prediction modules, count. Each (DeepSeek-V3 §2.2) is two RMSNorms, a 2h→h projection,
     * one decoder layer of the model's last-layer kind, and a final norm; embedding and LM head are shared.
     */
    mtp_layers: count().default(0),
    /** Normalisation: RMSNorm (a weight vector) or LayerNorm (weight and bias vectors). */
    norm: z.enum(["rmsnorm", "layernorm"]).default("rmsnorm"),
    /** Sandwich norm: an extra norm after attention and after the FFN (Pangu's depth-scaled sandwich norm). */
    sandwich_norm: z.boolean().default(false),
    /** FFN activation: SwiGLU has gate, up and down matrices; GELU has up and down. */
    activation: z.enum(["swiglu", "gelu"]).default("swiglu"),
    /** Rotary position embedding. */
    rope: ropeSchema.optional(),
  })
  .superRefine((a, ctx) => {
    const dense = a.first_dense_layers === "all" ? a.layers : a.first_dense_layers;
    if (dense > a.layers) {
      ctx.addIssue({ code: "custom", path: ["first_dense_layers"], message: `expected at most layers (${a.layers}) dense layers, got ${dense}` });
    }
    if (dense < a.layers && a.moe === undefined) {
      ctx.addIssue({ code: "custom", path: ["moe"], message: `layers ${dense}…${a.layers - 1} are MoE layers but no "moe" is given (a dense model sets first_dense_layers: all)` });
    }
    if (dense > 0 && a.dense_intermediate_size === undefined) {
      ctx.addIssue({ code: "custom", path: ["dense_intermediate_size"], message: `${dense} layer(s) are dense but dense_intermediate_size is missing` });
    }
    const att = a.attention;
    if (att.kind === "gqa" && att.heads % att.kv_heads !== 0) {
      ctx.addIssue({ code: "custom", path: ["attention", "kv_heads"], message: `kv_heads (${att.kv_heads}) must divide heads (${att.heads})` });
    }
    const moe = a.moe;
    if (moe !== undefined) {
      if (moe.top_k > moe.routed_experts) {
        ctx.addIssue({ code: "custom", path: ["moe", "top_k"], message: `top_k (${moe.top_k}) exceeds routed_experts (${moe.routed_experts})` });
      }
      const r = moe.routing;
      if (r.kind === "group-limited") {
        if (moe.routed_experts % r.n_group !== 0) {
          ctx.addIssue({ code: "custom", path: ["moe", "routing", "n_group"], message: `n_group (${r.n_group}) must divide routed_experts (${moe.routed_experts})` });
        }
        if (r.topk_group > r.n_group) {
          ctx.addIssue({ code: "custom", path: ["moe", "routing", "topk_group"], message: `topk_group (${r.topk_group}) exceeds n_group (${r.n_group})` });
        }
        // A token needs top_k experts inside its topk_group groups.
        else if (moe.routed_experts % r.n_group === 0 && r.topk_group * (moe.routed_experts / r.n_group) < moe.top_k) {
          ctx.addIssue({ code: "custom", path: ["moe", "routing", "topk_group"], message: `topk_group (${r.topk_group}) groups hold fewer than top_k (${moe.top_k}) experts` });
        }
      } else if (r.kind === "moge") {
        if (moe.routed_experts % r.groups !== 0) {
          ctx.addIssue({ code: "custom", path: ["moe", "routing", "groups"], message: `groups (${r.groups}) must divide routed_experts (${moe.routed_experts})` });
        }
        if (moe.top_k % r.groups !== 0) {
          ctx.addIssue({ code: "custom", path: ["moe", "routing", "groups"], message: `MoGE takes the same number of experts from each group: groups (${r.groups}) must divide top_k (${moe.top_k})` });
        }
      }
    }
  });

/** A user-written architecture (defaults not yet filled). */
export type ModelArchitectureInput = z.input<typeof architectureSchema>;
/** A validated architecture with defaults filled: what every count function takes. */
export type ModelArchitecture = z.output<typeof architectureSchema>;
/** The attention block of a validated architecture. */
export type AttentionArchitecture = ModelArchitecture["attention"];
/** The MoE block of a validated architecture. */
export type MoeArchitecture = NonNullable<ModelArchitecture["moe"]>;

/** Layers with the dense FFN (the first ones), count. */
export function denseLayerCount(a: ModelArchitecture): number {
  return a.first_dense_layers === "all" ? a.layers : a.first_dense_layers;
}

/** Layers with the MoE FFN (the rest), count. */
export function moeLayerCount(a: ModelArchitecture): number {
  return a.moe === undefined ? 0 : a.layers - denseLayerCount(a);
}

/** Intermediate size of one shared expert, elements (0 when the model has none). */
export function sharedIntermediateSize(moe: MoeArchitecture): number {
  return moe.shared_experts === 0 ? 0 : (moe.shared_intermediate_size ?? moe.expert_intermediate_size);
}

/** Routed experts a token takes from each routing group (MoGE), count; `top_k` for ungrouped routing. */
export function expertsPerGroup(moe: MoeArchitecture): number {
  return moe.routing.kind === "moge" ? moe.top_k / moe.routing.groups : moe.top_k;
}
