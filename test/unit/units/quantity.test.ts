import { describe, expect, it } from "vitest";
import { describe as describeValue, escapeInvisible, parseQuantity, q, quoted } from "../../../src/units/quantity.js";

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

// Error messages quote what the user typed; characters a terminal shows as nothing (or as a plain space)
// are written as escapes, so `unknown key "ra\u0085nks"` does not read like the valid key "ranks".
describe("quoting user-supplied names and values in messages", () => {
  it.each([
    ["ra\u0085nks", '"ra\\u0085nks"'], // C1 control NEL
    ["a\u200bb", '"a\\u200bb"'], // zero-width space
    ["a\u202eb", '"a\\u202eb"'], // right-to-left override
    ["a\u00a0b", '"a\\u00a0b"'], // no-break space
    ["a\u3000b", '"a\\u3000b"'], // ideographic space
    ["a\ufe0fb", '"a\\ufe0fb"'], // variation selector
    ["a\u{e0041}b", '"a\\u{e0041}b"'], // tag character, outside the BMP
    ["a\u007fb", '"a\\u007fb"'], // DEL
    ["a\tb\n", '"a\\tb\\n"'],
    ['say "hi"', '"say \\"hi\\""'],
  ])("%j → %s", (raw, shown) => {
    expect(quoted(raw)).toBe(shown);
    expect(describeValue(raw)).toBe(shown);
  });

  it("leaves visible text as typed, spaces included", () => {
    expect(quoted("µs, 910B3 ≥ 56 GB/s — rängs, 数据")).toBe('"µs, 910B3 ≥ 56 GB/s — rängs, 数据"');
    expect(escapeInvisible("workload.ranks")).toBe("workload.ranks");
  });

  it("applies to quantities the parser rejects", () => {
    expect(parseQuantity("bytes", "1\u200bGiB")).toMatchObject({ ok: false, message: expect.stringContaining('got "1\\u200bGiB"') });
  });
});
