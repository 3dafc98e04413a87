import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { jsonOutputText } from "../../../src/report/json-output.js";
import { runScenario, type RunResult } from "../../../src/run.js";
import type { JsonValue } from "../../../src/workload/workload.js";

/** A real run's result with `metrics` replaced. */
function withMetrics(metrics: Record<string, JsonValue>): RunResult {
  const r = runScenario(loadScenario("configs/hccs-allreduce.yaml", { sets: ["workload.sizes.to=4KiB"] }));
  return { ...r, metrics };
}

describe("--json text", () => {
  it("prints -0 as 0 and floats in shortest round-trip form", () => {
    const text = jsonOutputText(withMetrics({ z: -0, big: 1e21, small: 1e-7, sum: 0.1 + 0.2, none: null }));
    expect(text).toContain('"metrics": {\n    "z": 0,\n    "big": 1e+21,\n    "small": 1e-7,\n    "sum": 0.30000000000000004,\n    "none": null\n  }');
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("refuses NaN and ±Infinity, naming where, rather than writing them as null (a documented 'no value')", () => {
    expect(() => jsonOutputText(withMetrics({ ttft_ms: { p50: NaN, slo_attainment: null } }))).toThrow(/metrics\.ttft_ms\.p50 = NaN/);
    expect(() => jsonOutputText(withMetrics({ ops: [{ gb_per_s: 1 }, { gb_per_s: Infinity }] }))).toThrow(/metrics\.ops\[1\]\.gb_per_s = Infinity/);
    expect(() => jsonOutputText(withMetrics({ x: -Infinity }))).toThrow(RangeError);
  });
});
