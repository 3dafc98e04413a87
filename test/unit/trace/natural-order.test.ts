import { afterEach, describe, expect, it } from "vitest";
import { runReportHtml } from "../../../src/report/run-report.js";
import { chromeTraceText } from "../../../src/trace/chrome-trace.js";
import { naturalCompare } from "../../../src/trace/natural-order.js";
import type { Span } from "../../../src/trace/span.js";
import type { RunResult } from "../../../src/run.js";

const original = String.prototype.localeCompare;
afterEach(() => {
  String.prototype.localeCompare = original;
});

/** What localeCompare does in a Node built without Intl (V8 without ICU): code units, locale and options ignored. */
function withoutIcu(): void {
  String.prototype.localeCompare = function (this: string, that: string): number {
    return this < that ? -1 : this > that ? 1 : 0;
  };
}

const span = (where: string, start: number): Span => ({ start, dur: 5, kind: "op", where, what: `x@${where}` });
const SPANS = ["die10/compute", "die2/compute", "die1/comm", "Decode0", "decode1", "prefill_0", "prefill0", "die2/comm #2"].map((w, i) => span(w, i * 10));

describe("naturalCompare", () => {
  it("orders digit runs by value and letters case-folded, and is a total order", () => {
    const names = ["die10", "die2", "Die3", "die02", "die1x", "die", "b", "A", "a", "die2/comm", "die2/Comm"];
    expect([...names].sort(naturalCompare)).toEqual(["A", "a", "b", "die", "die1x", "die02", "die2", "die2/Comm", "die2/comm", "Die3", "die10"]);
    for (const a of names) for (const b of names) expect(Math.sign(naturalCompare(a, b))).toBe(-Math.sign(naturalCompare(b, a)) || 0);
  });

  it("gives the same Chrome trace bytes whatever the collator (a Node without ICU put die10 before die2)", () => {
    const withIcu = chromeTraceText(SPANS, "t");
    withoutIcu();
    expect(chromeTraceText(SPANS, "t")).toBe(withIcu);
    const procs = (JSON.parse(withIcu) as { traceEvents: { name: string; args?: { name?: string } }[] }).traceEvents.filter((e) => e.name === "process_name").map((e) => e.args!.name);
    expect(procs.indexOf("die2")).toBeLessThan(procs.indexOf("die10"));
  });

  it("gives the same report timeline whatever the collator", () => {
    const result = { scenario: { name: "t", seed: 1, workload: { def: { kind: "op-bench" } }, env: {} }, metrics: {}, tables: [], notes: [], eventsProcessed: 0, simulatedNs: 0 } as unknown as RunResult;
    const withIcu = runReportHtml(result, SPANS);
    withoutIcu();
    expect(runReportHtml(result, SPANS)).toBe(withIcu);
  });
});
