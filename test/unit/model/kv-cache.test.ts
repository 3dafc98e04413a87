import { describe, expect, it } from "vitest";
import { kvCacheBytesPerToken, kvCacheBytesPerTokenPerLayer, kvCacheElementsPerTokenPerLayer, MODELS, type ModelArchitecture } from "../../../src/model/index.js";

function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

describe("KV cache per token", () => {
  it("DeepSeek-R1 caches a 576-element MLA latent per token per layer, 1,152 B in BF16 (hardware.md §7)", () => {
    const a = arch("deepseek-r1");
    expect(kvCacheElementsPerTokenPerLayer(a)).toBe(576);
    expect(kvCacheBytesPerTokenPerLayer(a, "bf16")).toBe(1152);
  });

  it("DeepSeek-R1 caches 61 × 1,152 = 70,272 B per token over its main layers, plus 1,152 B with the MTP layer", () => {
    const a = arch("deepseek-r1");
    expect(kvCacheBytesPerToken(a, "bf16")).toBe(70_272);
    expect(kvCacheBytesPerToken(a, "bf16", { includeMtp: true })).toBe(71_424);
  });

  it("an INT8 cache halves the bytes (DeepSeek-R1: 576 B per token per layer)", () => {
    expect(kvCacheBytesPerTokenPerLayer(arch("deepseek-r1"), "int8")).toBe(576);
  });

  it("GQA caches K and V per KV head: Llama-3-70B 2 × 8 × 128 elements, 320 KiB per token in BF16 over 80 layers", () => {
    const a = arch("llama-3-70b");
    expect(kvCacheElementsPerTokenPerLayer(a)).toBe(2048);
    expect(kvCacheBytesPerToken(a, "bf16")).toBe(320 * 1024);
  });

  it("Pangu Pro MoE caches 2 × 8 × 128 elements per layer (GQA 40/8, hardware.md §7)", () => {
    expect(kvCacheBytesPerTokenPerLayer(arch("pangu-pro-moe"), "bf16")).toBe(4096);
  });
});
