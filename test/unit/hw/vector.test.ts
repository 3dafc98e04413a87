import { describe, expect, test } from "vitest";
import { chipByName } from "../../../src/hw/chips.js";
import { addCost, gatingTopKCost, quantizeCost, rmsNormCost, swigluCost } from "../../../src/hw/ops/vector.js";

const die = chipByName("910C").die;

describe("vector operators", () => {
  test("a large residual add is HBM-bound: 3 × 2 bytes per element at most at HBM bandwidth", () => {
    const n = 64 * 1024 * 1024;
    const c = addCost(die, { elements: n });
    expect(c.bytes).toBe(3 * 2 * n);
    expect(c.bound).toBe("memory");
    expect(c.ns).toBeGreaterThan((c.bytes / die.hbmBandwidth) * 1e9);
  });

  test("a decode-sized RMSNorm is launch-latency bound", () => {
    expect(rmsNormCost(die, { tokens: 96, hidden: 7168 }).bound).toBe("latency");
  });

  test("fewer vector cores slow a large vector op", () => {
    const s = { tokens: 16384, ffn: 2048 };
    expect(swigluCost(die, s, { aiv: 16 }).ns).toBeGreaterThan(1.5 * swigluCost(die, s).ns);
  });

  test("quantization writes one byte per element plus a scale per token", () => {
    const c = quantizeCost(die, { tokens: 100, hidden: 7168 });
    expect(c.bytes).toBe(100 * 7168 * 2 + 100 * 7168 + 100 * 4);
  });

  test("gating over more experts costs more", () => {
    expect(gatingTopKCost(die, { tokens: 4096, experts: 256, k: 8 }).ns).toBeGreaterThan(gatingTopKCost(die, { tokens: 4096, experts: 64, k: 8 }).ns);
  });
});
