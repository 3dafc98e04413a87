import { describe, expect, test } from "vitest";
import { cubePeakFlops } from "../../../src/hw/chip-spec.js";
import { CHIPS, chipByName } from "../../../src/hw/chips.js";

describe("chip presets", () => {
  test("every preset named in DESIGN.md exists, with a description", () => {
    for (const name of ["910B1", "910B2", "910B3", "910B4", "910C", "310P"]) {
      expect(CHIPS[name]?.name).toBe(name);
      expect(CHIPS[name]?.description.length).toBeGreaterThan(10);
    }
  });

  test("910B FP16 peaks match hardware.md §1 (AIC·16·16·16·2·f) to 0.1 TFLOPS", () => {
    const expected: Record<string, number> = { "910B1": 363.7, "910B2": 353.9, "910B3": 294.9, "910B4": 245.8 };
    for (const [name, tflops] of Object.entries(expected)) {
      expect(cubePeakFlops(chipByName(name).die, "fp16") / 1e12).toBeCloseTo(tflops, 1);
    }
  });

  test("a 910C is two dies whose peaks and HBM add up to the package (hardware.md §2)", () => {
    const c = chipByName("910C");
    expect(c.package.dies).toBe(2);
    expect(2 * cubePeakFlops(c.die, "bf16")).toBeCloseTo(c.package.peakFp16Flops, -9);
    expect(2 * c.die.hbmBytes).toBe(c.package.hbmBytes);
    expect(2 * c.die.hbmBandwidth).toBe(c.package.hbmBandwidth);
    expect(c.die.aic).toBe(24);
    expect(c.die.aiv).toBe(48);
  });

  test("INT8 doubles and INT4 quadruples the FP16 MAC rate of the cube", () => {
    const die = chipByName("910B3").die;
    expect(cubePeakFlops(die, "int8")).toBe(2 * cubePeakFlops(die, "fp16"));
    expect(cubePeakFlops(die, "int4")).toBe(4 * cubePeakFlops(die, "fp16"));
  });

  test("a 310P card is two chips whose peaks make the card's 140 TFLOPS FP16 within 2 %", () => {
    const c = chipByName("310P");
    expect(Math.abs((2 * cubePeakFlops(c.die, "fp16")) / c.package.peakFp16Flops - 1)).toBeLessThan(0.02);
  });

  test("an unknown name lists the valid ones", () => {
    expect(() => chipByName("910X")).toThrow(/Valid values are: 910B1, 910B2/);
  });
});
