import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { diffJsonOutputs } from "../../../src/diff/metrics-diff.js";
import { parseThreshold } from "../../../src/diff/threshold.js";
import { diffTraces, whatClass } from "../../../src/diff/trace-diff.js";
import { jsonOutput } from "../../../src/report/json-output.js";
import { runScenario } from "../../../src/run.js";

const line = (t: number, dur: number, what: string, where = "die0/compute") => JSON.stringify({ t, dur, kind: "op", where, what });

describe("diff of traces", () => {
  it("says identical for identical traces", () => {
    const t = [line(0, 5, "a"), line(5, 5, "b")].join("\n") + "\n";
    expect(diffTraces(t, t)).toMatchObject({ identical: true, linesA: 2, linesB: 2, classes: [] });
  });

  it("finds the first divergent event with context, and per-class count and time deltas", () => {
    const a = [line(0, 5, "layer0 attn"), line(5, 5, "layer1 attn"), line(10, 7, "layer1 moe"), line(17, 1, "end")].join("\n") + "\n";
    const b = [line(0, 5, "layer0 attn"), line(5, 5, "layer1 attn"), line(10, 9, "layer1 moe"), line(19, 1, "end"), line(20, 3, "extra")].join("\n") + "\n";
    const d = diffTraces(a, b, ["a", "b"], 1);
    expect(d.identical).toBe(false);
    expect(d.first!.line).toBe(3);
    expect(d.first!.a).toMatchObject({ start: 10, dur: 7, what: "layer1 moe" });
    expect(d.first!.b).toMatchObject({ start: 10, dur: 9 });
    expect(d.context.map((c) => c[0])).toEqual([2, 3, 4]);
    expect(d.classes).toEqual([
      { cls: "op: extra", countA: 0, countB: 1, durA: 0, durB: 3 },
      { cls: "op: layer# moe", countA: 1, countB: 1, durA: 7, durB: 9 },
    ]);
  });

  it("reports a trace that ends early", () => {
    const a = line(0, 1, "x") + "\n";
    const d = diffTraces(a, a + line(1, 1, "y") + "\n");
    expect(d.first).toMatchObject({ line: 2, b: { what: "y" } });
    expect(d.first!.a).toBeUndefined();
  });

  it("numbers events, not file lines: a blank line in one trace shifts nothing", () => {
    const a = [line(0, 1, "x"), line(1, 1, "y"), line(2, 1, "z")].join("\n") + "\n";
    const b = [line(0, 1, "x"), "", line(1, 1, "y"), line(2, 2, "z")].join("\n") + "\n";
    const d = diffTraces(a, b);
    expect(d.first).toMatchObject({ line: 3, a: { what: "z", dur: 1 }, b: { what: "z", dur: 2 } });
  });

  it("classes digits as #", () => {
    expect(whatClass({ start: 0, dur: 0, kind: "collective", where: "", what: "dispatch ep256 fused" })).toBe("collective: dispatch ep# fused");
  });
});

describe("diff of --json outputs", () => {
  const out = (sets: string[]) => jsonOutput(runScenario(loadScenario("configs/hccs-allreduce.yaml", { sets })));

  it("is empty for equal outputs", () => {
    const a = out([]);
    const d = diffJsonOutputs(a, a);
    expect(d.changed).toBe(0);
    expect(d.config).toEqual([]);
    expect(d.metrics.length).toBeGreaterThan(100);
  });

  it("lists config differences and counts only metrics beyond the threshold", () => {
    const a = out([]);
    const b = out(["cluster.hccs_link_bandwidth=50GB/s"]);
    const exact = diffJsonOutputs(a, b, 0);
    expect(exact.config.map((c) => [c.name, c.a, c.b])).toEqual([["cluster.hccs_link_bandwidth", "56000000000 B/s", "50000000000 B/s"]]);
    const big = exact.metrics.find((m) => m.name === "results[algorithm=ring][size_bytes=1073741824].busbw_gb_per_s")!;
    expect(big.rel).toBeCloseTo(50 / 56 - 1, 2);
    expect(big.abs).toBeCloseTo(big.b as number - (big.a as number), 12);
    const loose = diffJsonOutputs(a, b, 0.05);
    expect(loose.changed).toBeGreaterThan(0);
    expect(loose.changed).toBeLessThan(exact.changed);
    expect(loose.metrics.filter((m) => m.changed).every((m) => Math.abs(m.rel!) > 0.05)).toBe(true);
    expect(diffJsonOutputs(a, b, 0.5).changed).toBe(0);
  });

  it("treats a metric missing on one side as changed, and a = 0 ≠ b as an infinite change", () => {
    const d = diffJsonOutputs({ metrics: { x: 0, y: 1 } }, { metrics: { x: 1 } }, 0.5);
    expect(d.metrics).toEqual([
      { name: "x", a: 0, b: 1, abs: 1, rel: Infinity, changed: true },
      { name: "y", a: 1, b: undefined, changed: true },
    ]);
  });

  it("parses thresholds as percent or fraction", () => {
    expect(parseThreshold("2%")).toBe(0.02);
    expect(parseThreshold("0.5")).toBe(0.5);
    expect(() => parseThreshold("two")).toThrow(/--threshold expects/);
  });
});
