import { architectureSchema, type ModelArchitecture, type ModelArchitectureInput } from "./architecture.js";

/*
 * Model presets by name. Facts tagged "hardware.md §7" come from the project's reference sheet; the rest
 * are the published config.json of each model as remembered, and any field we are not sure of says
 * "from memory of <model>/config.json, unverified". Parameter totals are not stored: they are computed
 * from these shapes (counts.ts) and checked against the published figures in test/unit/model.
 */

/** A named model: a one-line description, where its numbers come from, and its architecture. */
export interface ModelPreset {
  /** One line for `ascend-sim list models`. */
  readonly description: string;
  /** Where the numbers come from. */
  readonly source: string;
  /** The validated architecture (defaults filled). */
  readonly arch: ModelArchitecture;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

// Parsing at load time makes a typo in a preset fail the first import, not a run hours later.
function preset(description: string, source: string, arch: ModelArchitectureInput): ModelPreset {
  return deepFreeze({ description, source, arch: architectureSchema.parse(arch) });
}

/** DeepSeek-V3 shapes (hardware.md §7); R1 is the same network with different weights. */
const DEEPSEEK_V3: ModelArchitectureInput = {
  // hardware.md §7: 61 layers, first 3 dense, hidden 7168, vocab 129280, 1 MTP layer
  layers: 61,
  hidden_size: 7168,
  vocab_size: 129280,
  // deepseek-ai/DeepSeek-V3 config.json: tie_word_embeddings false
  tie_embeddings: false,
  // hardware.md §7: 128 heads, q_lora 1536, kv_lora 512, qk_nope 128, qk_rope 64, v_head 128
  attention: { kind: "mla", heads: 128, q_lora_rank: 1536, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128 },
  first_dense_layers: 3,
  // hardware.md §7: dense FFN 18432
  dense_intermediate_size: 18432,
  moe: {
    // hardware.md §7: 256 routed + 1 shared, expert FFN 2048, top-8, 8 groups / top-4 groups
    routed_experts: 256,
    expert_intermediate_size: 2048,
    top_k: 8,
    shared_experts: 1,
    // config.json has no separate shared size: shared FFN = n_shared_experts × moe_intermediate_size
    shared_intermediate_size: 2048,
    routing: { kind: "group-limited", n_group: 8, topk_group: 4 },
    // DeepSeek-V3 config.json topk_method "noaux_tc": the router carries e_score_correction_bias
    router_bias: true,
  },
  mtp_layers: 1,
  norm: "rmsnorm",
  activation: "swiglu",
  // DeepSeek-V3 config.json rope_theta 10000, YaRN factor 40 from 4096 to 163840 — from memory of
  // DeepSeek-V3/config.json, unverified
  rope: { theta: 10000, max_position_embeddings: 163840, scaling: { type: "yarn", factor: 40, original_max_position_embeddings: 4096 } },
};

/** Every model preset, by the name a config uses (`model: deepseek-r1`). */
export const MODELS: Readonly<Record<string, ModelPreset>> = deepFreeze({
  "deepseek-v3": preset(
    "DeepSeek-V3: 671B-total / 37B-active MoE, MLA, 61 layers (3 dense), 256 routed + 1 shared experts, top-8, 1 MTP",
    "hardware.md §7 (DeepSeek-V3 config.json); rope from memory of deepseek-ai/DeepSeek-V3 config.json",
    DEEPSEEK_V3,
  ),
  "deepseek-r1": preset(
    "DeepSeek-R1: the DeepSeek-V3 network (671B / 37B MoE, MLA) with reasoning-tuned weights",
    "hardware.md §7 (\"DeepSeek-V3 / R1\" share one config); deepseek-ai/DeepSeek-R1 config.json is the V3 one",
    DEEPSEEK_V3,
  ),
  "pangu-ultra-moe": preset(
    "Pangu Ultra MoE: 718B-total / 39B-active MoE, MLA, 61 layers (3 dense) + 1 MTP, 256 routed + 1 shared, top-8",
    "hardware.md §7 (openPangu config); the fields marked unverified are guesses from the DeepSeek-V3-like design",
    {
      // hardware.md §7: 61 layers (3 dense + 58 MoE) + 1 MTP; hidden 7680; vocab 153600
      layers: 61,
      hidden_size: 7680,
      vocab_size: 153600,
      // from memory of openPangu-Ultra-MoE-718B/config.json, unverified (untied as in DeepSeek-V3; tied
      // would remove 1.18B from the total, still within 0.2 % of 718B, so the published total cannot tell)
      tie_embeddings: false,
      // hardware.md §7: MLA 128 heads, q_lora 1536, kv_lora 512, qk_nope 128, qk_rope 64, v 128
      attention: { kind: "mla", heads: 128, q_lora_rank: 1536, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128 },
      first_dense_layers: 3,
      // hardware.md §7: dense FFN 18432
      dense_intermediate_size: 18432,
      moe: {
        // hardware.md §7: 256 routed + 1 shared, expert FFN 2048, top-8
        routed_experts: 256,
        expert_intermediate_size: 2048,
        top_k: 8,
        shared_experts: 1,
        // shared expert the size of a routed one — from memory of openPangu-Ultra-MoE-718B/config.json,
        // unverified (the 718B total fits it)
        shared_intermediate_size: 2048,
        // plain top-8, no group limit, no router bias — from memory of openPangu-Ultra-MoE-718B/config.json, unverified
        routing: { kind: "topk" },
        router_bias: false,
      },
      mtp_layers: 1,
      norm: "rmsnorm",
      // depth-scaled sandwich norm (Pangu Ultra papers) — from memory of openPangu-Ultra-MoE-718B/config.json, unverified
      sandwich_norm: true,
      activation: "swiglu",
      // rope left out: no source at hand for its θ or context length, and no count depends on it
    },
  ),
  "pangu-pro-moe": preset(
    "Pangu Pro MoE: 72B-total / 16.5B-active MoGE, GQA, 48 layers, 64 experts in 8 device groups (top-1 each) + 4 shared",
    "hardware.md §7 (Pangu Pro MoE / MoGE); the fields marked unverified are from memory of its config.json",
    {
      // hardware.md §7: 48 layers, hidden 5120, vocab 153376
      layers: 48,
      hidden_size: 5120,
      vocab_size: 153376,
      // from memory of pangu-pro-moe/config.json, unverified (untied fits the 71.99B total to 0.01 %)
      tie_embeddings: false,
      // hardware.md §7: GQA 40 Q heads / 8 KV heads, head 128; qkv_bias from memory of
      // pangu-pro-moe/config.json, unverified
      attention: { kind: "gqa", heads: 40, kv_heads: 8, head_dim: 128, qkv_bias: false, qk_norm: false },
      // every layer is MoE — from memory of pangu-pro-moe/config.json, unverified (the total fits it)
      first_dense_layers: 0,
      moe: {
        // hardware.md §7: 64 routed in 8 groups, top-1 per group (8 active), 4 shared, expert FFN 1344
        routed_experts: 64,
        expert_intermediate_size: 1344,
        top_k: 8,
        shared_experts: 4,
        // each shared expert as large as a routed one — from memory of pangu-pro-moe/config.json,
        // unverified (stored there as one fused shared FFN of 4 × 1344 = 5376; same parameter count)
        shared_intermediate_size: 1344,
        routing: { kind: "moge", groups: 8 },
        router_bias: false,
      },
      mtp_layers: 0,
      // from memory of pangu-pro-moe/config.json, unverified
      norm: "rmsnorm",
      sandwich_norm: false,
      activation: "swiglu",
      // rope left out: no source at hand for its θ or context length, and no count depends on it
    },
  ),
  "qwen3-30b-a3b": preset(
    "Qwen3-30B-A3B: 30.5B-total / 3.3B-active MoE, GQA 32/4 with QK-norm, 48 layers, 128 experts top-8, no shared",
    "hardware.md §7 (128 experts, top-8); Qwen/Qwen3-30B-A3B config.json for the rest",
    {
      // Qwen3-30B-A3B config.json: num_hidden_layers 48, hidden_size 2048, vocab_size 151936, tie false
      layers: 48,
      hidden_size: 2048,
      vocab_size: 151936,
      tie_embeddings: false,
      // config.json: 32 attention heads, 4 KV heads, head_dim 128, attention_bias false; q_norm/k_norm
      attention: { kind: "gqa", heads: 32, kv_heads: 4, head_dim: 128, qkv_bias: false, qk_norm: true },
      // config.json: decoder_sparse_step 1, mlp_only_layers [] → every layer is MoE
      first_dense_layers: 0,
      moe: {
        // hardware.md §7: 128 experts, top-8; config.json moe_intermediate_size 768, no shared expert
        routed_experts: 128,
        expert_intermediate_size: 768,
        top_k: 8,
        shared_experts: 0,
        routing: { kind: "topk" },
        router_bias: false,
      },
      mtp_layers: 0,
      norm: "rmsnorm",
      activation: "swiglu",
      // rope_theta 1e6 — max_position_embeddings 40960 from memory of Qwen3-30B-A3B/config.json, unverified
      rope: { theta: 1000000, max_position_embeddings: 40960 },
    },
  ),
  "deepseek-v2-lite": preset(
    "DeepSeek-V2-Lite: 15.7B-total / 2.4B-active MoE, MLA without Q compression, 27 layers (1 dense), 64 routed + 2 shared, top-6",
    "hardware.md §7 (64 routed, top-6); deepseek-ai/DeepSeek-V2-Lite config.json for the rest",
    {
      // DeepSeek-V2-Lite config.json: num_hidden_layers 27, hidden_size 2048, vocab_size 102400, tie false
      layers: 27,
      hidden_size: 2048,
      vocab_size: 102400,
      tie_embeddings: false,
      // config.json: 16 heads, q_lora_rank null, kv_lora_rank 512, qk_nope 128, qk_rope 64, v_head 128
      attention: { kind: "mla", heads: 16, q_lora_rank: 0, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128 },
      // config.json: first_k_dense_replace 1, intermediate_size 10944
      first_dense_layers: 1,
      dense_intermediate_size: 10944,
      moe: {
        // hardware.md §7: 64 routed, top-6; config.json: moe_intermediate_size 1408, n_shared_experts 2,
        // topk_method greedy with n_group 1 (no group limit), no correction bias
        routed_experts: 64,
        expert_intermediate_size: 1408,
        top_k: 6,
        shared_experts: 2,
        shared_intermediate_size: 1408,
        routing: { kind: "topk" },
        router_bias: false,
      },
      mtp_layers: 0,
      norm: "rmsnorm",
      activation: "swiglu",
      // from memory of DeepSeek-V2-Lite/config.json, unverified
      rope: { theta: 10000, max_position_embeddings: 163840, scaling: { type: "yarn", factor: 40, original_max_position_embeddings: 4096 } },
    },
  ),
  "llama-3-70b": preset(
    "Llama-3-70B: 70.6B dense, GQA 64/8, 80 layers, 8K context",
    "meta-llama/Meta-Llama-3-70B config.json",
    {
      // Meta-Llama-3-70B config.json: 80 layers, hidden 8192, vocab 128256, untied
      layers: 80,
      hidden_size: 8192,
      vocab_size: 128256,
      tie_embeddings: false,
      // config.json: 64 attention heads, 8 KV heads, head_dim 8192/64 = 128, attention_bias false
      attention: { kind: "gqa", heads: 64, kv_heads: 8, head_dim: 128, qkv_bias: false, qk_norm: false },
      first_dense_layers: "all",
      // config.json: intermediate_size 28672
      dense_intermediate_size: 28672,
      mtp_layers: 0,
      norm: "rmsnorm",
      activation: "swiglu",
      // config.json: rope_theta 500000, max_position_embeddings 8192 (the 3.1 scaling came later)
      rope: { theta: 500000, max_position_embeddings: 8192 },
    },
  ),
});

/** Names of the model presets, in catalog order. */
export const MODEL_NAMES: readonly string[] = Object.freeze(Object.keys(MODELS));

/** The catalog for `ascend-sim list models`: [preset name, one-line description] rows. */
export function modelCatalog(): [string, string][] {
  return Object.entries(MODELS).map(([name, p]) => [name, p.description]);
}
