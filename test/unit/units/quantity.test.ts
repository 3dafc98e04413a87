import { describe, expect, it } from "vitest";
import { parseQuantity, q } from "../../../src/units/quantity.js";

describe("unit parsing", () => {
  it.each([
    ["bandwidth", "196GB/s", 196e9],
    ["bandwidth", "200Gb/s", 25e9],
    ["bandwidth", "200Gbps", 25e9],
    ["bandwidth", "1.6TB/s", 1.6e12],
    ["bandwidth", "1GiB/s", 1024 ** 3],
    ["time", "1.2us", 1200],
    ["time", "200ns", 200],
    ["time", "0.6ms", 600_000],
    ["time", "2s", 2e9],
    ["bytes", "64GiB", 64 * 1024 ** 3],
    ["bytes", "64GB", 64e9],
    ["bytes", "512KiB", 512 * 1024],
    ["bytes", "1e3B", 1000],
    ["flops", "376TFLOPS", 376e12],
    ["flops", "512TOPS", 512e12],
    ["frequency", "1.8GHz", 1.8e9],
  ] as const)("%s %s = %d in internal units", (kind, text, value) => {
    expect(q(kind, text)).toBeCloseTo(value, 6);
  });

  it("rejects bare numbers with a hint to add a unit", () => {
    const r = parseQuantity("bandwidth", 196);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('expected a bandwidth with a unit like "196GB/s", got the bare number 196 (add a unit)');
  });

  it("rejects a unit of the wrong kind and unknown units", () => {
    const r = parseQuantity("time", "5GB");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('unknown duration unit "GB" in "5GB" (write it like "1.2us")');
    expect(parseQuantity("bytes", "5 parsecs").ok).toBe(false);
    expect(parseQuantity("bytes", "GB").ok).toBe(false);
  });
});
