import { describe, expect, it } from "vitest";
import { metricCharts } from "../../../src/report/metric-charts.js";
import { lineChart, shortNum } from "../../../src/report/svg-charts.js";
import { chromeTraceEvents } from "../../../src/trace/chrome-trace.js";
import type { Span } from "../../../src/trace/span.js";

/** More values than a call can take as spread arguments (V8 overflows the stack at about 10⁵). */
const N = 300_000;

describe("reports and Chrome traces of large runs", () => {
  it("converts a thread with hundreds of thousands of spans to Chrome trace events", () => {
    const spans: Span[] = Array.from({ length: N }, (_, i) => ({ start: i * 10, dur: 5, kind: "request", where: "router/requests", what: `req ${i}` }));
    const events = chromeTraceEvents(spans);
    expect(events.filter((e) => e.ph === "X").length).toBe(N);
  });

  it("draws the CDF of a metric list with hundreds of thousands of values", () => {
    const charts = metricCharts({ latency_ms: Array.from({ length: N }, (_, i) => i % 1000) });
    expect(charts.map((c) => c.title)).toEqual(["latency_ms: CDF"]);
    expect(charts[0]!.svg).toContain('data-kind="step"');
  });

  it("draws a line chart of hundreds of thousands of points", () => {
    const points = Array.from({ length: N }, (_, i) => [i, i * 2] as const);
    expect(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "", points }] })).toContain("<path");
  });
});

describe("shortNum", () => {
  it("rounds before choosing the suffix: 999.7 is 1k and 999 600 is 1M, never an exponent with a suffix", () => {
    expect(shortNum(999.4)).toBe("999");
    expect(shortNum(999.7)).toBe("1k");
    expect(shortNum(-999.7)).toBe("-1k");
    expect(shortNum(999_600)).toBe("1M");
    expect(shortNum(999_960_000)).toBe("1G");
    expect(shortNum(12_345)).toBe("12.3k");
    expect(shortNum(0.0123)).toBe("0.0123");
    expect(shortNum(0)).toBe("0");
  });
});
