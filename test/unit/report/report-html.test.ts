import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { metricCharts } from "../../../src/report/metric-charts.js";
import { runReportHtml } from "../../../src/report/run-report.js";
import { sweepReportHtml } from "../../../src/report/sweep-report.js";
import { runScenario } from "../../../src/run.js";
import type { SweepRecord } from "../../../src/sweep/records.js";
import { parseTraceJsonl } from "../../../src/trace/read-jsonl.js";

/** No fetch of anything: no external URLs in src/href, no external scripts or styles. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
  expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).toContain("Content-Security-Policy");
}

describe("HTML reports", () => {
  it("a run report has the summary, charts from the metrics' shape and the trace timeline; byte-identical when repeated", () => {
    const make = () => {
      const r = runScenario(loadScenario("configs/hccs-allreduce.yaml"), { trace: true });
      return runReportHtml(r, parseTraceJsonl(r.trace ?? ""));
    };
    const html = make();
    expectSelfContained(html);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("busbw (GB/s)");
    expect(html).toContain('data-kind="timeline"');
    expect(html).toContain("busbw_gb_per_s vs size_bytes");
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(5);
    expect(make()).toBe(html);
  });

  it("finds breakdowns, memory, timelines, distributions and percentiles by shape", () => {
    const charts = metricCharts({
      breakdown_us: { attention: 10, moe: 20, comm: 5 },
      memory_gib_per_npu: { weights: 30, kv_cache: 12, activations: 4, total: 46 },
      timeline: [
        { t_s: 0, queue: 1, tokens_per_s: 100 },
        { t_s: 1, queue: 3, tokens_per_s: 120 },
      ],
      ttft_ms_samples: [5, 1, 3, 2, 4],
      tpot_p50_ms: 20,
      tpot_p99_ms: 45,
      ops: [
        { label: "gemm", time_us: 10, tflops: 200 },
        { label: "attn", time_us: 30, tflops: 150 },
      ],
    }).map((c) => c.title);
    expect(charts).toEqual([
      "tpot_ms: CDF from percentiles",
      "breakdown_us",
      "memory_gib_per_npu: memory breakdown",
      "timeline: queue over time",
      "timeline: tokens_per_s over time",
      "ttft_ms_samples: CDF",
      "ops: time_us breakdown",
      "ops: time_us",
      "ops: tflops",
    ]);
  });

  it("a sweep report plots each varying metric against each knob, with error bars from .ci95", () => {
    const rec = (i: number, a: string, b: string, y: number): SweepRecord => ({ index: i, of: 4, sweep: "x", point: { "workload.ranks": a, "network.model": b }, seeds: [1, 2], status: "ok", metrics: { y, "y.ci95": 0.5, constant: 1 } });
    const html = sweepReportHtml([rec(0, "2", "analytical", 1), rec(1, "2", "flow", 2), rec(2, "4", "analytical", 3), rec(3, "4", "flow", 5)], "test sweep");
    expectSelfContained(html);
    expect(html).toContain("y vs workload.ranks");
    expect(html).toContain("y vs network.model");
    expect(html).not.toContain("constant vs");
    expect(html).toContain('class="err"');
  });
});
