import { describe, expect, it } from "vitest";
import { traceMicros } from "../../../src/trace/trace-micros.js";

/** How Perfetto's JSON importer reads a fractional µs `ts` or `dur`: int64(µs × 1000.0), truncating, ns. */
const perfettoNs = (us: number): number => Math.trunc(us * 1000);

describe("traceMicros (ns → the µs of a Chrome trace)", () => {
  it("reads back as the exact ns when truncated, as Perfetto reads it (1001 ns was 1.001 µs → 1000 ns)", () => {
    expect(perfettoNs(1001 / 1000)).toBe(1000); // the float noise this guards against
    const wrong: number[] = [];
    for (let ns = 0; ns <= 200_000; ns++) if (perfettoNs(traceMicros(ns)) !== ns) wrong.push(ns);
    expect(wrong).toEqual([]);
  });

  it("reads back as the exact ns when rounded, and stays within one ulp of ns / 1000", () => {
    for (const ns of [0, 1, 999, 1001, 4_056_048, 540_311, 86_400e9 + 1, 2 ** 51 - 1]) {
      const us = traceMicros(ns);
      expect(Math.round(us * 1000)).toBe(ns);
      expect(perfettoNs(us)).toBe(ns);
      expect(Math.abs(us - ns / 1000)).toBeLessThanOrEqual(Number.EPSILON * Math.max(1, ns / 1000));
    }
  });

  it("prints whole and short values as before (0, 1.5, 2.001)", () => {
    expect([0, 1500, 2001, 10].map((ns) => JSON.stringify(traceMicros(ns)))).toEqual(["0", "1.5", "2.001", "0.01"]);
  });

  it("is monotone: a later ns never gets a smaller µs", () => {
    const backwards: number[] = [];
    for (let ns = 1; ns <= 200_000; ns++) if (!(traceMicros(ns) > traceMicros(ns - 1))) backwards.push(ns);
    expect(backwards).toEqual([]);
  });
});
