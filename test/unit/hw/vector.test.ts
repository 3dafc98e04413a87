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

  test("fewer vector cores slow a large vector op once their own data paths bind", () => {
    // SwiGLU is HBM-bound on the whole die and still on 16 AIV (their GM paths carry ~1 TB/s of the
    // 4 B/element it reads); on 4 AIV their own paths bind and it takes several times as long
    const s = { tokens: 16384, ffn: 2048 };
    const whole = swigluCost(die, s).ns;
    expect(swigluCost(die, s, { aiv: 16 }).ns).toBe(whole);
    expect(swigluCost(die, s, { aiv: 4 }).ns).toBeGreaterThan(3 * whole);
  });

  test("half the vector cores are bound by their own GM paths, not by half of the die's HBM", () => {
    // a residual add streams 6 B per element; 24 AIV × (32 B/cycle read, 64 B/cycle write) still reach
    // about the die's HBM rate, so halving the cores costs far less than halving the bandwidth would
    const s = { elements: 64 * 1024 * 1024 };
    const whole = addCost(die, s).ns;
    const half = addCost(die, s, { aiv: 24 }).ns;
    expect(half).toBeGreaterThanOrEqual(whole);
    expect(half).toBeLessThan(1.5 * whole);
  });

  test("quantization writes one byte per element plus a scale per token", () => {
    const c = quantizeCost(die, { tokens: 100, hidden: 7168 });
    expect(c.bytes).toBe(100 * 7168 * 2 + 100 * 7168 + 100 * 4);
  });

  test("gating over more experts costs more", () => {
    expect(gatingTopKCost(die, { tokens: 4096, experts: 256, k: 8 }).ns).toBeGreaterThan(gatingTopKCost(die, { tokens: 4096, experts: 64, k: 8 }).ns);
  });
});
