import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MODELS } from "../../src/model/presets.js";
import type { WeightPrecision } from "../../src/model/precision.js";
import { tensorElements, weightTensors, type WeightTensor } from "../../src/model/weights.js";
import { tensorInstanceBytes } from "../../src/model/weight-bytes.js";
import { hbmPerDie } from "../../src/workload/inference-bench/memory.js";
import type { PhaseModel } from "../../src/workload/inference-bench/phase-model.js";
import { phaseModelOf } from "../helpers/phase.js";

// HBM per die (inference-bench memory.ts) against an independent tensor-by-tensor count of what an
// attention-TP rank holds. A 16-NPU CloudMatrix (32 dies); every deployment keeps 32 ranks, so the
// expert placement (EP32) is the same and weight differences come from attention TP alone.
const BASE = `
name: hbm-audit
seed: 1
cluster: cloudmatrix-16
model: deepseek-r1
precision: bf16
deployment:
  npus: 16
  attention: {dp: 4, tp: 8}
  experts: {ep: 32, tp: 1}
workload:
  kind: inference-bench
  phase: prefill
  prompt_len: 1024
  tokens_per_batch: 8192
  batch_per_npu: 8
  kv_len: 1024
`;

function phase(sets: string[], text = BASE): PhaseModel {
  return phaseModelOf("hbm-audit.yaml", text, sets);
}

/** Stored bytes of the main-model tensors whose name ends with one of `suffixes`, B. */
function bytesOf(model: string, precision: WeightPrecision, pick: (t: WeightTensor) => boolean): number {
  let s = 0;
  for (const t of weightTensors(MODELS[model]!.arch)) if (pick(t)) s += t.stored * tensorInstanceBytes(t, precision);
  return s;
}
const named = (...suffixes: string[]) => (t: WeightTensor): boolean => suffixes.some((x) => t.name.endsWith(x));

describe("HBM per die holds the attention weights an attention-TP rank actually reads", () => {
  it("DeepSeek-R1: MLA's q_a/kv_a down-projections are replicated on every TP rank, only the head-indexed projections split", () => {
    const tp8 = hbmPerDie(phase([])).weights;
    const tp4 = hbmPerDie(phase(["deployment.attention.dp=8", "deployment.attention.tp=4"])).weights;
    // what divides by tp: q_b, kv_b, o_proj, the dense FFN, embedding and LM head (vocabulary-parallel)
    const split =
      bytesOf("deepseek-r1", "bf16", named("self_attn.q_b_proj", "self_attn.kv_b_proj", "self_attn.o_proj")) +
      bytesOf("deepseek-r1", "bf16", (t) => t.component === "dense_ffn" || t.component === "embedding" || t.component === "lm_head");
    // replicated parts (q_a, kv_a, norms, router, experts) cancel between tp 4 and tp 8
    expect((tp4 - tp8) / (split * (1 / 4 - 1 / 8))).toBeCloseTo(1, 9);
  });

  it("Llama-3-70B at tp 16 > 8 KV heads: each rank keeps one whole KV head (k_proj/v_proj not split 16 ways)", () => {
    const llama = BASE.replace("model: deepseek-r1", "model: llama-3-70b");
    const tp16 = hbmPerDie(phase(["deployment.attention.dp=2", "deployment.attention.tp=16"], llama)).weights;
    const tp8 = hbmPerDie(phase([], llama)).weights;
    // k_proj/v_proj: 1/8 of them per rank at both tp 8 and tp 16 (one of 8 KV heads), so they cancel
    const split =
      bytesOf("llama-3-70b", "bf16", named("self_attn.q_proj", "self_attn.o_proj")) +
      bytesOf("llama-3-70b", "bf16", (t) => t.component === "dense_ffn" || t.component === "embedding" || t.component === "lm_head");
    expect((tp8 - tp16) / (split * (1 / 8 - 1 / 16))).toBeCloseTo(1, 9);
  });

  it("an MLA decode rank holds kv_b_proj as the BF16 W_UK/W_UV its absorbed kernels read (W8A8)", () => {
    const dp = ["deployment.attention.dp=32", "deployment.attention.tp=1", "precision=w8a8"];
    const prefill = hbmPerDie(phase(dp)).weights;
    const decode = hbmPerDie(phase([...dp, "workload.phase=decode"])).weights;
    const arch = MODELS["deepseek-r1"]!.arch;
    const kvB = weightTensors(arch).filter(named("self_attn.kv_b_proj"));
    let extra = 0;
    for (const t of kvB) extra += t.stored * (tensorElements(t) * 2 - tensorInstanceBytes(t, "w8a8"));
    expect(extra).toBeGreaterThan(0);
    expect((decode - prefill) / extra).toBeCloseTo(1, 9);
  });
});

// The KV cache a die holds (inference-bench memory.ts) from the model constants, by hand: bytes per token
// per layer × layers × tokens the die's sequences hold × the share of each token one rank keeps.
describe("HBM per die holds the KV cache of the sequences its attention replica serves", () => {
  // DeepSeek-R1 (hardware.md §7): MLA caches kv_lora 512 + qk_rope 64 = 576 elements per token per layer,
  // 1,152 B in BF16; 61 layers, and 1 MTP layer with its own cache when MTP runs (speculative decoding).
  // W8A8 weights, so that the TP1 deployments fit a 64 GiB die; the cache stays BF16.
  const R1_LAYER = 576 * 2;
  const decode = ["precision=w8a8", "workload.phase=decode", "workload.kv_len=4096", "workload.batch_per_npu=96"];

  it("DeepSeek-R1 decode at attention TP1 with one MTP layer: 71,424 B per token (62 layers × 1,152 B) × 48 sequences × (4,096 cached + 2 query tokens)", () => {
    // 96 sequences per NPU × 16 NPUs over 32 attention replicas (one per die) = 48 sequences per die; a
    // decode step with one MTP layer verifies 1 + 1 tokens per sequence
    // 576 × 2 B × (61 + 1) layers = 71,424 B per token
    const h = hbmPerDie(phase([...decode, "deployment.attention.dp=32", "deployment.attention.tp=1", "workload.mtp.layers=1"]));
    expect(h.kv_cache).toBe(71_424 * 48 * (4096 + 2)); // 14,049,386,496 B of the 64 GiB die
    expect(h.total).toBe(h.weights + h.kv_cache + h.buffers);
  });

  it("DeepSeek-R1 decode without MTP: 61 layers × 1,152 B = 70,272 B per token × 48 sequences × (4,096 + 1)", () => {
    const h = hbmPerDie(phase([...decode, "deployment.attention.dp=32", "deployment.attention.tp=1"]));
    expect(h.kv_cache).toBe(R1_LAYER * 61 * 48 * (4096 + 1));
  });

  it("MLA under attention TP: every rank of the replica keeps the whole latent of the replica's sequences (it is not split by head)", () => {
    // dp 8 × tp 4, 24 sequences per NPU: 24 × 16 / 8 = 48 sequences per replica, each of its 4 ranks
    // holds all of their latents
    const h = hbmPerDie(phase([...decode, "workload.batch_per_npu=24", "deployment.attention.dp=8", "deployment.attention.tp=4", "workload.mtp.layers=1"]));
    expect(h.kv_cache).toBe(71_424 * 48 * (4096 + 2));
  });

  it("DeepSeek-R1 prefill: the prompts of one batch, 8,192 / 1,024 = 8 prompts × 1,024 tokens × 70,272 B (workload.kv_len is a decode setting)", () => {
    const h = hbmPerDie(phase(["precision=w8a8", "deployment.attention.dp=32", "deployment.attention.tp=1", "workload.kv_len=4096"]));
    expect(h.kv_cache).toBe(R1_LAYER * 61 * 8 * 1024);
  });

  it("GQA splits the KV heads over attention TP: Pangu Pro MoE at TP4 keeps 2 of 8 KV heads, 48 layers × 2 × 2 × 128 × 2 B = 49,152 B per token", () => {
    // hardware.md §7: 48 layers, 8 KV heads of 128; K and V in BF16. configs/pangu-pro-moe-800i-a2.yaml
    // (8 × 910B, attention dp 2 × tp 4): 64 sequences per NPU × 8 NPUs / 2 replicas = 256 per replica,
    // KV 2,048 + 1 query token
    const text = readFileSync(new URL("../../configs/pangu-pro-moe-800i-a2.yaml", import.meta.url), "utf8");
    const h = hbmPerDie(phaseModelOf("pangu-pro-moe-800i-a2.yaml", text, ["workload.phase=decode", "workload.batch_per_npu=64", "workload.kv_len=2048", "deployment.attention.dp=2", "deployment.attention.tp=4"]));
    expect(h.kv_cache).toBe(48 * 2 * 2 * 128 * 2 * 256 * (2048 + 1));
  });

  it("GQA with attention TP above the KV heads: Llama-3-70B at TP16 (8 KV heads) keeps one whole KV head per rank, not half of one", () => {
    // Llama-3-70B config.json: 80 layers, 8 KV heads of 128. dp 2 × tp 16 on 32 dies: 8 × 16 / 2 = 64
    // sequences per replica, KV 1,024 + 1 query token; 80 × 2 (K, V) × 1 head × 128 × 2 B = 40,960 B per token
    const llama = BASE.replace("model: deepseek-r1", "model: llama-3-70b");
    const h = hbmPerDie(phase(["workload.phase=decode", "deployment.attention.dp=2", "deployment.attention.tp=16"], llama));
    expect(h.kv_cache).toBe(80 * 2 * 1 * 128 * 2 * 64 * (1024 + 1));
  });
});
