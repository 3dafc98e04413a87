import { describe, expect, it } from "vitest";
import { diffTraces } from "../../../src/diff/trace-diff.js";
import { spanToJsonLine } from "../../../src/trace/jsonl.js";
import { parseTraceJsonl } from "../../../src/trace/read-jsonl.js";
import type { Span } from "../../../src/trace/span.js";

const span = (over: Partial<Span>): Span => ({ start: 10, dur: 5, kind: "op", where: "die0/compute", what: "x", ...over });

describe("trace JSONL line", () => {
  it("prints -0 as 0 and floats in shortest round-trip form, and reads back to the same values", () => {
    const line = spanToJsonLine(span({ start: -0, attrs: { z: -0, big: 1e21, small: 1e-7, sum: 0.1 + 0.2 } }));
    expect(line).toBe('{"t":0,"dur":5,"kind":"op","where":"die0/compute","what":"x","big":1e+21,"small":1e-7,"sum":0.30000000000000004,"z":0}');
    expect(parseTraceJsonl(line)[0]!.attrs).toEqual({ big: 1e21, small: 1e-7, sum: 0.1 + 0.2, z: 0 });
  });

  it("refuses a non-finite time or duration rather than writing a line that is not JSON", () => {
    expect(() => spanToJsonLine(span({ start: NaN }))).toThrow(RangeError);
    expect(() => spanToJsonLine(span({ dur: Infinity }))).toThrow(RangeError);
  });

  it("refuses a non-finite number attribute rather than writing it as null (which reads back as missing)", () => {
    expect(() => spanToJsonLine(span({ attrs: { bytes: NaN } }))).toThrow(RangeError);
    expect(() => spanToJsonLine(span({ attrs: { bytes: -Infinity } }))).toThrow(RangeError);
  });

  it("refuses an attribute named like a fixed key, which would duplicate the key and change t or kind on reading", () => {
    expect(() => spanToJsonLine(span({ attrs: { t: 99 } }))).toThrow(RangeError);
    expect(() => spanToJsonLine(span({ attrs: { kind: "other" } }))).toThrow(RangeError);
  });

  it("leaves out an attribute whose value is undefined, so the line stays valid JSON", () => {
    const attrs = { a: 1, b: undefined } as unknown as Record<string, number>;
    const line = spanToJsonLine(span({ attrs }));
    expect(line).toBe('{"t":10,"dur":5,"kind":"op","where":"die0/compute","what":"x","a":1}');
    expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe("trace diff and line endings", () => {
  it("finds a trace identical to its CRLF copy (a checkout with autocrlf)", () => {
    const lf = [spanToJsonLine(span({})), spanToJsonLine(span({ start: 15, what: "y" }))].join("\n") + "\n";
    const crlf = lf.replace(/\n/g, "\r\n");
    expect(diffTraces(lf, crlf)).toMatchObject({ identical: true, linesA: 2, linesB: 2, classes: [] });
  });
});

describe("trace JSONL line: durations", () => {
  it("refuses a negative duration (no Chrome trace event may have dur < 0) and prints -0 as 0", () => {
    expect(() => spanToJsonLine(span({ dur: -1 }))).toThrow(/dur = -1 ns must be ≥ 0/);
    expect(spanToJsonLine(span({ dur: -0 }))).toBe('{"t":10,"dur":0,"kind":"op","where":"die0/compute","what":"x"}');
  });
});
