import { describe, expect, test } from "vitest";
import { cubePeakFlops } from "../../src/hw/chip-spec.js";
import { chipByName } from "../../src/hw/chips.js";
import { mlaDecodeCost } from "../../src/hw/ops/attention.js";
import { gemmCost, gemmPeakFlops } from "../../src/hw/ops/gemm.js";

/*
 * hardware.md §6 (CM384 = arXiv:2506.12708, [M]) kernel efficiencies on one 910C die, reproduced by
 * the cost model without per-point constants. The paper's exact benchmark shapes are not in
 * hardware.md; the shapes below are chosen and documented here:
 *  - MLA: from memory of the FlashMLA benchmark configurations CM384 compares against (b=?, s_q 1/2,
 *    h_q 16/128, KV 4096), unverified: compute-bound = 128 heads × 2 query tokens (MTP), memory-bound
 *    = 16 heads × 1 query token; batch 48 sequences per die (the T1 decode batch), KV length 4,096.
 *  - INT8 GEMM: DeepSeek-R1 expert (hidden 7168, expert FFN 2048, gate+up fused to 4096) in EP320
 *    decode: ~864 tokens per expert die per step (96 tokens/die × 9 experts per token / 1 expert per
 *    die), half of it (432) per micro-batch; from memory of CM384 §5, unverified.
 */

const die = chipByName("910C").die;
const TOL = 0.1;

/** Relative error of `sim` against `target`. */
const err = (sim: number, target: number) => (sim - target) / target;

describe("CM384 §6 kernel efficiencies on a 910C die", () => {
  test("CM384 §6: MLA compute-bound reaches 65.4 % of peak (±10 %)", () => {
    const c = mlaDecodeCost(die, { batch: 48, kvLen: 4096, heads: 128, qTokens: 2 });
    // the shape is above the HBM ridge point: FLOP per HBM byte exceeds peak FLOP/s per HBM byte/s
    expect(c.flops / c.bytes).toBeGreaterThan(cubePeakFlops(die, "bf16") / die.hbmBandwidth);
    const eff = c.flops / (c.ns * 1e-9) / cubePeakFlops(die, "bf16");
    expect(Math.abs(err(eff, 0.654))).toBeLessThanOrEqual(TOL);
  });

  test("CM384 §6: MLA memory-bound reaches 84.1 % of HBM bandwidth (±10 %)", () => {
    const c = mlaDecodeCost(die, { batch: 48, kvLen: 4096, heads: 16, qTokens: 1 });
    expect(c.bound).toBe("memory");
    const frac = c.bytes / (c.ns * 1e-9) / die.hbmBandwidth;
    expect(Math.abs(err(frac, 0.841))).toBeLessThanOrEqual(TOL);
  });

  const int8Peak = gemmPeakFlops(die, "int8");
  const inRange = (eff: number) => {
    // within ±10 % of the measured 77.4–82.7 % range
    expect(eff).toBeGreaterThanOrEqual(0.774 * (1 - TOL));
    expect(eff).toBeLessThanOrEqual(0.827 * (1 + TOL));
  };
  test.each([
    ["gate+up", 432, 4096, 7168],
    ["down", 432, 7168, 2048],
    ["gate+up, whole step", 864, 4096, 7168],
    ["down, whole step", 864, 7168, 2048],
  ])("CM384 §6: INT8 GEMM for the decode expert %s (m=%i n=%i k=%i) reaches 77.4–82.7 % of INT8 peak (±10 %)", (_name, m, n, k) => {
    const c = gemmCost(die, { m, n, k, dtype: "int8" });
    expect(c.bound).toBe("compute");
    inRange(c.flops / (c.ns * 1e-9) / int8Peak);
  });
});
