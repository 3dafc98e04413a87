import { describe, expect, it } from "vitest";
import { MODELS } from "../../../src/model/presets.js";
import { expertA2aBytesPerToken } from "../../../src/workload/elastic/elastic.js";

const arch = (name: string) => MODELS[name]!.arch;

describe("elastic: the expert all-to-all a step puts on the network", () => {
  it("is every MoE layer's dispatch and combine of a BF16 hidden vector to top-k experts (Qwen3-30B-A3B: 48 layers × 2 × 8 × 2048 × 2 B)", () => {
    // Qwen3-30B-A3B config.json: 48 layers, all MoE, hidden 2048, top-8
    expect(expertA2aBytesPerToken(arch("qwen3-30b-a3b"), false)).toBe(48 * 2 * 8 * 2048 * 2);
  });
  it("counts only MoE layers (DeepSeek-V2-Lite: 27 layers, the first dense) and the MTP layer's MoE when MTP is on (DeepSeek-V3: 58 + 1)", () => {
    expect(expertA2aBytesPerToken(arch("deepseek-v2-lite"), false)).toBe(26 * 2 * 6 * 2048 * 2);
    expect(expertA2aBytesPerToken(arch("deepseek-v3"), false)).toBe(58 * 2 * 8 * 7168 * 2);
    expect(expertA2aBytesPerToken(arch("deepseek-v3"), true)).toBe(59 * 2 * 8 * 7168 * 2);
  });
});
