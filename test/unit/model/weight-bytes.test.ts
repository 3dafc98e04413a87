import { describe, expect, it } from "vitest";
import { MODELS, paramBreakdown, routedExpertBytes, totalParams, weightBytes, weightBytesByComponent, type ModelArchitecture } from "../../../src/model/index.js";

function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

// Output channels (rows) of the linear layers of one Llama-3-70B layer: q, k, v, o, gate, up, down.
const LLAMA_ROWS_PER_LAYER = 8192 + 1024 + 1024 + 8192 + 28672 + 28672 + 8192;

describe("weight bytes by precision", () => {
  it("BF16 stores 2 B per parameter (every model)", () => {
    for (const [name, p] of Object.entries(MODELS)) expect(weightBytes(p.arch, "bf16"), name).toBe(2 * totalParams(p.arch));
  });

  it("W8A8 stores linear weights in 1 B plus a 4 B scale per output channel, and keeps embedding, head and norms in BF16 (Llama-3-70B)", () => {
    const a = arch("llama-3-70b");
    const b = paramBreakdown(a);
    const linear = b.attention + b.denseFfn;
    expect(weightBytes(a, "w8a8")).toBe(linear + 80 * LLAMA_ROWS_PER_LAYER * 4 + 2 * (b.embedding + b.lmHead + b.norms));
  });

  it("W4A16 stores linear weights in 0.5 B plus a BF16 scale per 128 inputs (Llama-3-70B)", () => {
    const a = arch("llama-3-70b");
    const b = paramBreakdown(a);
    const linear = b.attention + b.denseFfn;
    // Every input width of Llama-3-70B (8192, 28672) is a multiple of 128: scales = weights / 128.
    expect(weightBytes(a, "w4a16")).toBe(0.5 * linear + (linear / 128) * 2 + 2 * (b.embedding + b.lmHead + b.norms));
  });

  it("W8A8 keeps DeepSeek-R1's router in BF16 (targets.md T1: gating in BF16/FP32)", () => {
    const a = arch("deepseek-r1");
    expect(weightBytesByComponent(a, "w8a8").router).toBe(2 * paramBreakdown(a).router);
  });

  it("DeepSeek-R1 in W8A8 needs about 1 B per parameter: between 671 and 700 GB", () => {
    const gb = weightBytes(arch("deepseek-r1"), "w8a8") / 1e9;
    expect(gb).toBeGreaterThan(671);
    expect(gb).toBeLessThan(700);
  });

  it("one DeepSeek-R1 routed expert of one layer is 3 × 7168 × 2048 B in W8A8 plus scales for 2 × 2048 + 7168 rows", () => {
    expect(routedExpertBytes(arch("deepseek-r1"), "w8a8")).toBe(3 * 7168 * 2048 + 4 * (2 * 2048 + 7168));
  });

  it("a dense model has no routed-expert bytes", () => {
    expect(routedExpertBytes(arch("llama-3-70b"), "bf16")).toBe(0);
  });
});
