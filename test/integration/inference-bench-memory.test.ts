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
