import { describe, expect, it } from "vitest";
import { selectMetric, selectMetricValues } from "../../../src/validate/metric-selector.js";
import { targetError, withinTolerance } from "../../../src/validate/run-targets.js";
import type { Target } from "../../../src/validate/targets.js";

const metrics = {
  total_us: 12.5,
  moe_results: [
    { op: "dispatch", ep: 8, latency_us: 1 },
    { op: "combine", ep: 8, latency_us: 2 },
    { op: "combine", ep: 256, latency_us: 3 },
  ],
  ops: [{ label: "MLA compute-bound", peak_fraction: 0.7 }],
};

describe("every value a selector reaches (search refuses a selector that reaches several)", () => {
  it("one value for a selector whose filters leave one row, or a plain key", () => {
    expect(selectMetricValues(metrics, "moe_results[op=combine][ep=256].latency_us")).toEqual([3]);
    expect(selectMetricValues(metrics, "total_us")).toEqual([12.5]);
  });
  it("one value per row left where selectMetric reads the first", () => {
    expect(selectMetricValues(metrics, "moe_results[op=combine].latency_us")).toEqual([2, 3]);
    expect(selectMetricValues(metrics, "moe_results.latency_us")).toEqual([1, 2, 3]);
    expect(selectMetricValues({ ttft_ms: [4, 5] }, "ttft_ms")).toEqual([4, 5]);
  });
  it("nothing for a path that leads nowhere", () => {
    expect(selectMetricValues(metrics, "moe_results[op=allreduce].latency_us")).toEqual([]);
    expect(selectMetricValues(metrics, "constructor.length")).toEqual([]);
  });
});

describe("metric selector", () => {
  it("reads dotted keys", () => {
    expect(selectMetric(metrics, "total_us")).toBe(12.5);
  });
  it("narrows a list with several [key=value] filters before reading a key", () => {
    expect(selectMetric(metrics, "moe_results[op=combine][ep=256].latency_us")).toBe(3);
    expect(selectMetric(metrics, "moe_results[op=combine].latency_us")).toBe(2);
  });
  it("matches filter values with spaces", () => {
    expect(selectMetric(metrics, "ops[label=MLA compute-bound].peak_fraction")).toBe(0.7);
  });
  it("returns undefined for a path that leads nowhere or to a non-number", () => {
    expect(selectMetric(metrics, "moe_results[op=allreduce].latency_us")).toBeUndefined();
    expect(selectMetric(metrics, "nothing.here")).toBeUndefined();
    expect(selectMetric(metrics, "moe_results")).toBeUndefined();
  });
  it("reads only the metrics' own keys, not members every JavaScript object has", () => {
    expect(selectMetric(metrics, "constructor.length")).toBeUndefined();
    expect(selectMetric(metrics, "moe_results[constructor=function Object() { [native code] }].latency_us")).toBeUndefined();
  });
});

describe("target scoring", () => {
  const base = { id: "x", description: "", source: "", config: "", metric: "", unit: "µs" };
  it("scores a value by relative error against its tolerance", () => {
    const t: Target = { ...base, target: 100, tolerance: { relative: 0.1 } };
    expect(targetError(t, 110)).toBeCloseTo(0.1, 12);
    expect(withinTolerance(t, targetError(t, 110))).toBe(true);
    expect(withinTolerance(t, targetError(t, 110.5))).toBe(false);
    expect(targetError(t, 95)).toBeCloseTo(-0.05, 12);
  });
  it("scores a range by the distance to its nearest bound (0 inside)", () => {
    const t: Target = { ...base, target: [0.774, 0.827], tolerance: { relative: 0.1 } };
    expect(targetError(t, 0.8)).toBe(0);
    expect(targetError(t, 0.9)).toBeCloseTo(0.9 / 0.827 - 1, 12);
    expect(targetError(t, 0.7)).toBeCloseTo(0.7 / 0.774 - 1, 12);
  });
  it("scores absolute tolerances in the target's unit (MFU points)", () => {
    const t: Target = { ...base, target: 30, unit: "%", tolerance: { absolute: 3 } };
    expect(targetError(t, 27.5)).toBeCloseTo(-2.5, 12);
    expect(withinTolerance(t, -2.5)).toBe(true);
    expect(withinTolerance(t, targetError(t, 33.2))).toBe(false);
  });
});
