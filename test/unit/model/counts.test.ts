import { describe, expect, it } from "vitest";
import { architectureSchema, activeParams, attentionParamsPerLayer, expertSplit, MODELS, paramBreakdown, totalParams, type ModelArchitecture } from "../../../src/model/index.js";

function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

describe("parameters by component", () => {
  it("one DeepSeek-V3 MLA layer has 187,105,280 projection parameters (hand count from hardware.md §7 shapes)", () => {
    const h = 7168;
    const qA = h * 1536;
    const qB = 1536 * 128 * (128 + 64);
    const kvA = h * (512 + 64);
    const kvB = 512 * 128 * (128 + 128);
    const o = 128 * 128 * h;
    expect(qA + qB + kvA + kvB + o).toBe(187_105_280);
    expect(attentionParamsPerLayer(arch("deepseek-v3"))).toBe(187_105_280);
  });

  it("one Llama-3-70B GQA layer has q, o = 8192² and k, v = 8192 × 1024", () => {
    expect(attentionParamsPerLayer(arch("llama-3-70b"))).toBe(2 * 8192 * 8192 + 2 * 8192 * 1024);
  });

  it("the components add up to the total", () => {
    for (const [name, p] of Object.entries(MODELS)) {
      const b = paramBreakdown(p.arch);
      const main = b.embedding + b.attention + b.denseFfn + b.routedExperts + b.sharedExperts + b.router + b.norms + b.lmHead;
      expect(main, name).toBe(totalParams(p.arch));
      expect(main + b.mtp, name).toBe(totalParams(p.arch, { includeMtp: true }));
    }
  });

  it("DeepSeek-V3 routed experts are 58 layers × 256 × 3 × 7168 × 2048", () => {
    expect(paramBreakdown(arch("deepseek-v3")).routedExperts).toBe(58 * 256 * 3 * 7168 * 2048);
  });

  it("DeepSeek-V3's router holds 256 × 7168 weights and 256 correction biases per MoE layer", () => {
    expect(paramBreakdown(arch("deepseek-v3")).router).toBe(58 * (256 * 7168 + 256));
  });

  it("a tied head stores nothing but still counts as active (the table, once)", () => {
    const untied = arch("qwen3-30b-a3b");
    const tied = architectureSchema.parse({ ...untied, tie_embeddings: true });
    const table = 151936 * 2048;
    expect(totalParams(untied) - totalParams(tied)).toBe(table);
    expect(paramBreakdown(tied).lmHead).toBe(0);
    expect(activeParams(tied)).toBe(activeParams(untied));
    expect(activeParams(tied, { includeEmbedding: true })).toBe(activeParams(untied));
  });

  it("the MTP module adds its decoder layer once to the active count but not the shared head again (DeepSeek-V3)", () => {
    const a = arch("deepseek-v3");
    const b = paramBreakdown(a);
    const h = 7168;
    const moeLayerActive = attentionParamsPerLayer(a) + 9 * 3 * h * 2048 + 256 * h + 256 + 2 * h + 512 + 1536;
    const mtpOwn = 2 * h * h + 3 * h + moeLayerActive; // eh_proj, enorm, hnorm, shared_head.norm, one MoE layer
    expect(activeParams(a, { includeMtp: true }) - activeParams(a)).toBe(mtpOwn);
    expect(b.mtp).toBe(2 * h * h + 3 * h + attentionParamsPerLayer(a) + 257 * 3 * h * 2048 + 256 * h + 256 + 2 * h + 512 + 1536);
  });

  it("sandwich norm adds two hidden-size norms per layer (Pangu Ultra MoE)", () => {
    const a = arch("pangu-ultra-moe");
    const plain = architectureSchema.parse({ ...a, sandwich_norm: false });
    expect(totalParams(a) - totalParams(plain)).toBe(61 * 2 * 7680);
  });
});

describe("expert vs dense split for expert-parallel placement", () => {
  it("DeepSeek-V3: one routed expert is 3 × 7168 × 2048 parameters in each of 58 MoE layers", () => {
    const s = expertSplit(arch("deepseek-v3"));
    expect(s.perRoutedExpert).toBe(3 * 7168 * 2048);
    expect(s.perSharedExpert).toBe(3 * 7168 * 2048);
    expect(s.moeLayers).toBe(58);
    expect(s.routedExperts).toBe(58 * 256 * s.perRoutedExpert);
    expect(s.routedExperts + s.sharedExperts + s.dense).toBe(totalParams(arch("deepseek-v3")));
  });

  it("DeepSeek-V3 with MTP places the MTP layer's experts too (59 expert layers)", () => {
    const s = expertSplit(arch("deepseek-v3"), { includeMtp: true });
    expect(s.moeLayers).toBe(59);
    expect(s.routedExperts).toBe(59 * 256 * 3 * 7168 * 2048);
  });

  it("most of a large MoE sits in routed experts: 97.4 % for DeepSeek-V3", () => {
    const s = expertSplit(arch("deepseek-v3"));
    expect(s.routedExperts / totalParams(arch("deepseek-v3"))).toBeCloseTo(0.9745, 3);
  });

  it("a dense model has no experts (Llama-3-70B)", () => {
    const s = expertSplit(arch("llama-3-70b"));
    expect(s).toMatchObject({ perRoutedExpert: 0, perSharedExpert: 0, moeLayers: 0, routedExperts: 0, sharedExperts: 0 });
    expect(s.dense).toBe(totalParams(arch("llama-3-70b")));
  });

  it("Pangu Pro MoE: 4 shared experts of 3 × 5120 × 1344 in each of 48 layers", () => {
    const s = expertSplit(arch("pangu-pro-moe"));
    expect(s.perSharedExpert).toBe(3 * 5120 * 1344);
    expect(s.sharedExperts).toBe(48 * 4 * 3 * 5120 * 1344);
  });
});
