import { describe, expect, it } from "vitest";
import {
  activeParams,
  attentionFlopsPerToken,
  causalAttentionFlops,
  forwardFlopsPerToken,
  matmulFlopsPerToken,
  MODELS,
  paramBreakdown,
  type ModelArchitecture,
} from "../../../src/model/index.js";

function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

describe("forward FLOPs per token", () => {
  it("with no context, forward FLOPs are 2 × the active parameters less the norm vectors (every model)", () => {
    for (const [name, p] of Object.entries(MODELS)) {
      const a = p.arch;
      // Active parameters exclude the embedding lookup; the norm weights are the only non-matmul ones left
      // (plus DeepSeek-V3's router correction bias).
      expect(forwardFlopsPerToken(a, 0), name).toBeLessThanOrEqual(2 * activeParams(a));
      expect(forwardFlopsPerToken(a, 0) / (2 * activeParams(a)), name).toBeGreaterThan(0.9999);
    }
  });

  it("DeepSeek-V3 does ≈ 2 × 37B = 74 GFLOP of weight matmuls per token (hardware.md §7)", () => {
    expect(matmulFlopsPerToken(arch("deepseek-v3")) / 74e9).toBeCloseTo(1, 1);
  });

  it("the embedding lookup costs nothing but the LM head does: 2 × vocab × hidden (Llama-3-70B)", () => {
    const a = arch("llama-3-70b");
    const b = paramBreakdown(a);
    expect(matmulFlopsPerToken(a)).toBe(2 * (b.attention + b.denseFfn + b.lmHead));
  });

  it("DeepSeek-V3 attention at 4,096 keys: 61 layers × 2 × 128 heads × (192 + 128) × 4,096 FLOP", () => {
    const a = arch("deepseek-v3");
    expect(attentionFlopsPerToken(a, 4096)).toBe(61 * 2 * 128 * (192 + 128) * 4096);
    expect(forwardFlopsPerToken(a, 4096) - forwardFlopsPerToken(a, 0)).toBe(attentionFlopsPerToken(a, 4096));
  });

  it("the attention term grows linearly with context", () => {
    const a = arch("llama-3-70b");
    expect(attentionFlopsPerToken(a, 8192)).toBe(2 * attentionFlopsPerToken(a, 4096));
    expect(forwardFlopsPerToken(a, 8192)).toBeGreaterThan(forwardFlopsPerToken(a, 4096));
  });

  it("GQA attention costs 2 × heads × 2 × head_dim per key per layer, whatever kv_heads is (Llama-3-70B: 80 × 32,768)", () => {
    expect(attentionFlopsPerToken(arch("llama-3-70b"), 1)).toBe(80 * 2 * 64 * 2 * 128);
  });

  it("absorbed MLA attends in the latent space: 2 × 128 × (576 + 512) per key per layer (DeepSeek-R1 decode)", () => {
    expect(attentionFlopsPerToken(arch("deepseek-r1"), 1, { mlaAbsorbed: true })).toBe(61 * 2 * 128 * (576 + 512));
  });

  it("a causal prefill of S tokens attends to S(S+1)/2 keys in total", () => {
    const a = arch("qwen3-30b-a3b");
    let keys = 0;
    for (let i = 1; i <= 100; i++) keys += attentionFlopsPerToken(a, i);
    expect(causalAttentionFlops(a, 100)).toBe(keys);
  });

  it("MTP adds its layer's matmuls and the shared head again (DeepSeek-V3)", () => {
    const a = arch("deepseek-v3");
    const extra = matmulFlopsPerToken(a, { includeMtp: true }) - matmulFlopsPerToken(a);
    const mtpActiveMatmul = activeParams(a, { includeMtp: true }) - activeParams(a) - 3 * 7168 - (2 * 7168 + 512 + 1536) - 256;
    expect(extra).toBe(2 * (mtpActiveMatmul + 129280 * 7168));
  });
});
