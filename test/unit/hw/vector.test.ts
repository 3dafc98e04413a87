import { describe, expect, test } from "vitest";
import { chipByName } from "../../../src/hw/chips.js";
import { addCost, gatingTopKCost, quantizeCost, rmsNormCost, softmaxCost, swigluCost } from "../../../src/hw/ops/vector.js";

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

  test("hand-computed: RMSNorm 4096 × 7168 on the die is HBM-bound; softmax 4096 × 4096 on 8 AIV is vector-bound", () => {
    // RMSNorm: in 4096·7168·2 + 7168·2 = 58,734,592 B, out 58,720,256 B; 48 AIV: in 58,734,592/48/32 = 38,239 cycles,
    // 6 FP32 passes 29,360,128·4·6/48/256 = 57,344 cycles = 29,985 ns < HBM 117,454,848 B / 1.44 TB/s = 81,565.9 ns.
    const r = rmsNormCost(die, { tokens: 4096, hidden: 7168 });
    expect(r.ns).toBeCloseTo(117_454_848 / 1.44e3 + 2000, 1);
    expect(r.bound).toBe("memory");
    // softmax on 8 AIV: 16,777,216 elements · 4 B · 7 passes / 8 / 256 B/cycle = 229,376 cycles (in 33,554,432/8/32 =
    // 131,072; out /64 = 65,536) = 119,939.2 ns at 1.912435 GHz > HBM 67,108,864 B / 1.44 TB/s = 46,603.4 ns.
    const s = softmaxCost(die, { rows: 4096, cols: 4096 }, { aiv: 8 });
    expect(s.ns).toBeCloseTo(229_376 / 1.912435 + 2000, 0);
    expect(s.bound).toBe("compute");
  });

  test("quantization writes one byte per element plus a scale per token", () => {
    const c = quantizeCost(die, { tokens: 100, hidden: 7168 });
    expect(c.bytes).toBe(100 * 7168 * 2 + 100 * 7168 + 100 * 4);
  });

  test("gating over more experts costs more", () => {
    expect(gatingTopKCost(die, { tokens: 4096, experts: 256, k: 8 }).ns).toBeGreaterThan(gatingTopKCost(die, { tokens: 4096, experts: 64, k: 8 }).ns);
  });
});
