import { describe, expect, test } from "vitest";
import { chipByName } from "../../../src/hw/chips.js";
import { gemmCost, gemmTiling, groupedGemmCost, type GemmDtype } from "../../../src/hw/ops/gemm.js";

const die = chipByName("910C").die;

describe("GEMM tiling", () => {
  test.each([
    [96, 2048, 7168, "int8"],
    [4096, 4096, 4096, "bf16"],
    [7, 100, 3000, "fp16"],
    [96, 2048, 7168, "w4a16"],
  ] as [number, number, number, GemmDtype][])("tiles of %i×%i×%i %s fit L0A/L0B double-buffered and L0C", (m, n, k, dtype) => {
    const t = gemmTiling(die, { m, n, k, dtype });
    const e = dtype === "int8" ? 1 : 2;
    expect(2 * t.baseM * t.baseK * e).toBeLessThanOrEqual(die.buffers.l0a);
    expect(2 * t.baseK * t.baseN * e).toBeLessThanOrEqual(die.buffers.l0b);
    expect(t.baseM * t.baseN * 4 * (t.l0cDoubleBuffer ? 2 : 1)).toBeLessThanOrEqual(die.buffers.l0c);
    expect(t.baseM % 16).toBe(0);
    expect(t.tilesM * t.baseM).toBeGreaterThanOrEqual(m);
    expect(t.tilesN * t.baseN).toBeGreaterThanOrEqual(n);
  });

  test("waves = ⌈tiles / cube cores⌉", () => {
    for (const aic of [24, 16, 8]) {
      const t = gemmTiling(die, { m: 4096, n: 4096, k: 4096, dtype: "bf16" }, { aic });
      expect(t.waves).toBe(Math.ceil((t.tilesM * t.tilesN) / aic));
    }
  });
});

describe("GEMM cost", () => {
  test("bigger shapes take longer", () => {
    const a = gemmCost(die, { m: 1024, n: 4096, k: 4096, dtype: "bf16" });
    const b = gemmCost(die, { m: 2048, n: 4096, k: 4096, dtype: "bf16" });
    const c = gemmCost(die, { m: 2048, n: 4096, k: 8192, dtype: "bf16" });
    expect(b.ns).toBeGreaterThan(a.ns);
    expect(c.ns).toBeGreaterThan(b.ns);
  });

  test("a large GEMM is compute-bound and INT8 runs it faster than BF16", () => {
    const bf = gemmCost(die, { m: 8192, n: 7168, k: 7168, dtype: "bf16" });
    const i8 = gemmCost(die, { m: 8192, n: 7168, k: 7168, dtype: "int8" });
    expect(i8.bound).toBe("compute");
    expect(i8.ns).toBeLessThan(0.7 * bf.ns);
  });

  test("a decode GEMM (96 tokens) is memory-bound and reads its weights once", () => {
    const c = gemmCost(die, { m: 96, n: 2048, k: 7168, dtype: "int8" });
    expect(c.bound).toBe("memory");
    expect(c.bytes).toBeGreaterThanOrEqual(2048 * 7168);
    expect(c.bytes).toBeLessThan(1.1 * (2048 * 7168 + 96 * 7168 + 96 * 2048 * 2));
    // it cannot beat HBM: time ≥ bytes / bandwidth
    expect(c.ns).toBeGreaterThan((c.bytes / die.hbmBandwidth) * 1e9);
  });

  test("W4A16 reads about a quarter of the BF16 weight bytes and is faster on a decode GEMM", () => {
    const bf = gemmCost(die, { m: 16, n: 4096, k: 7168, dtype: "bf16" });
    const w4 = gemmCost(die, { m: 16, n: 4096, k: 7168, dtype: "w4a16" });
    expect(w4.bytes).toBeLessThan(0.3 * bf.bytes);
    expect(w4.ns).toBeLessThan(bf.ns);
  });

  test("a core subset slows a compute-bound GEMM roughly in proportion to the cores taken away", () => {
    const all = gemmCost(die, { m: 4096, n: 4096, k: 7168, dtype: "int8" });
    const part = gemmCost(die, { m: 4096, n: 4096, k: 7168, dtype: "int8" }, { aic: 16, aiv: 32 });
    expect(part.ns / all.ns).toBeGreaterThan(1.3);
    expect(part.ns / all.ns).toBeLessThan(1.7);
  });

  test("a grouped GEMM of g experts costs at least one expert and reads g weight sets", () => {
    const one = gemmCost(die, { m: 128, n: 4096, k: 7168, dtype: "int8" });
    const eight = groupedGemmCost(die, { groups: 8, m: 128, n: 4096, k: 7168, dtype: "int8" });
    expect(eight.ns).toBeGreaterThan(one.ns);
    expect(eight.flops).toBe(8 * one.flops);
    expect(eight.bytes).toBeGreaterThanOrEqual(8 * 4096 * 7168);
  });

  test("more tokens never make a GEMM faster beyond tiling granularity (≤ 5 %), over 1–256 tokens on DeepSeek-R1 decode shapes", () => {
    // weight-bound shapes with few tokens: a tiling with fewer tiles than cube cores splits K over the idle
    // cores (without split-K, 16 tokens of the 4096 × 7168 gate/up took 9 % longer than 48)
    for (const dtype of ["int8", "bf16"] as const) {
      for (const [n, k] of [[4096, 7168], [7168, 2048], [7168, 16384], [576, 7168], [2048, 7168]]) {
        let slowest = 0;
        for (let m = 1; m <= 256; m++) {
          const ns = gemmCost(die, { m, n: n!, k: k!, dtype }).ns;
          expect(ns, `${dtype} ${m}×${n}×${k}`).toBeGreaterThan(0.95 * slowest);
          slowest = Math.max(slowest, ns);
        }
      }
    }
  });

  test("with fewer tiles than cube cores, K is split so that every core works", () => {
    const t = gemmTiling(die, { m: 16, n: 4096, k: 7168, dtype: "int8" });
    expect(t.splitK).toBeGreaterThan(1);
    expect((t.tilesM * t.tilesN * t.splitK) / t.waves).toBe(die.aic);
    // every K slice holds some K (fractal-aligned slices of 980 over 24 would leave three empty)
    const w = gemmTiling(die, { m: 73, n: 86, k: 980, dtype: "w4a16" });
    expect(Math.ceil(980 / Math.ceil(980 / w.splitK / 16) / 16)).toBe(w.splitK);
    // many tiles: no split
    expect(gemmTiling(die, { m: 4096, n: 4096, k: 7168, dtype: "int8" }).splitK).toBe(1);
  });

  test("a tiny GEMM is dominated by launch latency", () => {
    expect(gemmCost(die, { m: 1, n: 16, k: 16, dtype: "bf16" }).bound).toBe("latency");
  });

  test("an unaligned GEMM counts 2·m·n·k FLOP (the padding to 16-element fractals is not useful work), moves A, B and C through HBM once (they fit the L2) and runs no faster than the die's FP16 peak", () => {
    const c = gemmCost(die, { m: 333, n: 1234, k: 777, dtype: "fp16" });
    // 2 × 333 × 1,234 × 777 = 638,572,788 FLOP
    expect(c.flops).toBe(638_572_788);
    // FP16 A (333 × 777) and B (777 × 1,234) read, C (333 × 1,234) written: 2 B × 1,628,481 = 3,256,962 B
    expect(c.bytes).toBe(2 * (333 * 777 + 777 * 1234 + 333 * 1234));
    // hardware.md §2: ~376 TFLOPS FP16 per 910C die, so ≥ 638,572,788 / 376e12 s ≈ 1.70 µs
    expect(c.ns).toBeGreaterThan((638_572_788 / 376e12) * 1e9);
  });

  test("invalid shapes and core counts are rejected", () => {
    expect(() => gemmCost(die, { m: 0, n: 1, k: 1, dtype: "bf16" })).toThrow(RangeError);
    expect(() => gemmCost(die, { m: 1, n: 1, k: 1, dtype: "bf16" }, { aic: 25 })).toThrow(RangeError);
  });
});
