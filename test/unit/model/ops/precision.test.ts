import { describe, expect, it } from "vitest";
import { MODEL_NAMES, weightBytes, type WeightPrecision } from "../../../../src/model/index.js";
import { balancedExpertLoad, decoderLayerItems, forwardPass, passWeightBytes, type LayerItem } from "../../../../src/model/ops/index.js";
import { arch, byLabel, computes, input } from "./helpers.js";

const decode = { phase: "decode" as const, sequences: 48, queryTokens: 2, kvLen: 4096 };
const prefill = { phase: "prefill" as const, sequences: 2, queryTokens: 1024 };

function gemmDtypes(items: readonly LayerItem[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of computes(items)) if (i.op.op === "gemm" || i.op.op === "grouped_gemm") out.set(i.label, i.op.dtype);
  return out;
}

/**
 * Every INT8 GEMM's input is INT8: quantised just before it, shared with the INT8 GEMM before it, or (the
 * routed experts' gate/up) quantised by dispatch or the EP = 1 expert-input quantisation earlier on.
 */
function int8InputsAreQuantised(items: readonly LayerItem[]): void {
  items.forEach((it, idx) => {
    if (it.kind !== "compute" || (it.op.op !== "gemm" && it.op.op !== "grouped_gemm") || it.op.dtype !== "int8") return;
    const prev = items[idx - 1];
    const k = it.op.k;
    const expertInput = it.op.op === "grouped_gemm" && it.label.endsWith("gate_up_proj");
    const ok =
      (prev?.kind === "compute" && prev.op.op === "quantize" && prev.op.hidden === k) ||
      (prev?.kind === "compute" && prev.op.op === "gemm" && prev.op.dtype === "int8" && prev.op.k === k && prev.op.m === it.op.m) ||
      (expertInput && items.slice(0, idx).some((p) => (p.kind === "comm" && p.comm === "dispatch") || p.label === "expert input quantize"));
    expect(ok, `${it.label} follows ${prev?.label}`).toBe(true);
  });
}

describe("W8A8: INT8 GEMMs behind a quantisation, BF16 where CM384 keeps it", () => {
  it.each(MODEL_NAMES)("%s: quantised linear layers are int8 and get INT8 inputs; router, LM head and absorbed BMMs stay bf16", (name) => {
    const inp = input(name, decode, "w8a8", arch(name).moe === undefined ? {} : { experts: { ep: 8 } });
    for (const seg of forwardPass(inp)) {
      int8InputsAreQuantised(seg.items);
      for (const [label, dtype] of gemmDtypes(seg.items)) {
        const bf16 = label === "router" || label === "lm_head" || label.includes("absorb");
        expect(dtype, label).toBe(bf16 ? "bf16" : "int8");
      }
    }
  });

  it("DeepSeek-V3 decode with EP: quantize before q_a/kv_a, q_b, o_proj and the expert down-projection; dispatch quantises the expert input", () => {
    const inp = input("deepseek-v3", decode, "w8a8", { experts: { ep: 32 } });
    const items = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    expect(computes(items).filter((i) => i.op.op === "quantize").map((i) => i.label)).toEqual([
      "q_a_proj + kv_a_proj_with_mqa input quantize",
      "q_b_proj input quantize",
      "o_proj input quantize",
      "shared_experts gate_up_proj input quantize",
      "shared_experts down_proj input quantize",
      "routed experts down_proj input quantize",
    ]);
  });

  it("BF16 has no quantize ops", () => {
    for (const seg of forwardPass(input("deepseek-v3", decode, "bf16", { experts: { ep: 8 } }))) {
      expect(computes(seg.items).some((i) => i.op.op === "quantize")).toBe(false);
    }
  });
});

describe("W4A16: INT4-weight GEMMs, no activation quantisation", () => {
  it("every quantised linear layer is a w4a16 GEMM and nothing is quantised at run time", () => {
    const items = decoderLayerItems(input("qwen3-30b-a3b", prefill, "w4a16"), "moe", balancedExpertLoad(input("qwen3-30b-a3b", prefill, "w4a16")));
    expect(byLabel(items, "qkv_proj").op).toMatchObject({ dtype: "w4a16" });
    expect(byLabel(items, "routed experts gate_up_proj").op).toMatchObject({ dtype: "w4a16" });
    expect(byLabel(items, "router").op).toMatchObject({ dtype: "bf16" });
    expect(computes(items).some((i) => i.op.op === "quantize")).toBe(false);
  });
});

describe("the weights the operators read are the model's weights (TP = EP = 1, prefill, every expert busy)", () => {
  const precisions: WeightPrecision[] = ["bf16", "w8a8", "w4a16"];
  it.each(MODEL_NAMES.flatMap((n) => precisions.map((p) => [n, p] as const)))("%s %s: weight-bytes.ts total less the embedding table and router bias", (name, precision) => {
    const a = arch(name);
    // 1,024 tokens route evenly over every preset's experts (1,024·top_k / experts ≥ 1)
    const read = passWeightBytes(forwardPass(input(name, { phase: "prefill", sequences: 1, queryTokens: 1024 }, precision)));
    const routerBias = a.moe?.router_bias === true ? (a.layers - (a.first_dense_layers === "all" ? a.layers : a.first_dense_layers)) * a.moe.routed_experts * 2 : 0;
    const stored = weightBytes(a, precision) - a.vocab_size * a.hidden_size * 2 - routerBias;
    // Several shared experts run fused (one down_proj of shared_experts × size inputs), which keeps one
    // set of quantisation scales where weight-bytes.ts stores one per expert: ≤ 1e-4 of the total.
    expect(Math.abs(read / stored - 1)).toBeLessThan(precision === "bf16" ? 1e-12 : 1e-4);
  });
});
