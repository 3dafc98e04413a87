// The trace reader drops rows past the `duration_s` cut as it reads them instead of holding the whole file
// until the end; what it returns, and its errors and counts, are those of reading everything and cutting.
import { describe, expect, it } from "vitest";
import { readTrace, type TraceOptions } from "../../../src/workload/serving/trace-reader.js";

const MOONCAKE = "test/fixtures/traces/cut.jsonl";
const AZURE = "test/fixtures/traces/cut.csv";
const opts = (shownPath: string, o: Partial<TraceOptions> = {}): TraceOptions => ({ shownPath, rateScale: 1, limit: null, skip: false, untilNs: null, ...o });
const ms = (t: number): number => t * 1e6;

describe("trace reader: rows past the duration cut", () => {
  // cut.jsonl: lines at 0, 1,500, 400, 2,500 (malformed: input_length 0), 900 and 3,000 ms
  it("Mooncake: only the rows before the cut are held (0, 400, 900 ms of a 1 s cut), in time order", () => {
    const t = readTrace(MOONCAKE, opts("cut.jsonl", { skip: true, untilNs: 1e9 }));
    expect(t.arrivals.map((a) => [a.atNs, a.input, a.output])).toEqual([
      [ms(0), 100, 5],
      [ms(400), 300, 1], // output 0 is served as 1
      [ms(900), 400, 7],
    ]);
    expect(t.held).toBe(3);
    // the malformed line past the cut is still skipped and counted
    expect(t.skipped).toBe(1);
    // without a cut every well-formed row is held
    expect(readTrace(MOONCAKE, opts("cut.jsonl", { skip: true })).held).toBe(5);
  });

  it("a malformed line past the cut is still an error naming its file and line (the file's errors do not depend on duration_s)", () => {
    expect(() => readTrace(MOONCAKE, opts("cut.jsonl", { untilNs: 1e9 }))).toThrow(/^cut\.jsonl:4:1: expected timestamp .*, found input_length 0$/);
  });

  it("limit counts the rows read, past the cut or not: the first 3 (0, 1,500, 400 ms) leave 2 before 1 s", () => {
    const t = readTrace(MOONCAKE, opts("cut.jsonl", { limit: 3, untilNs: 1e9 }));
    expect(t.arrivals.map((a) => a.atNs)).toEqual([ms(0), ms(400)]);
    expect(t.held).toBe(2);
  });

  it("Azure: the cut counts from the earliest row, even one that comes later in the file", () => {
    // rows at 18:00:01.0, :03.0, :00.5, :01.2, :09.0 → from the first: 0, 2, −0.5, 0.2, 8 s. Read in order with
    // a 1 s cut: 0 kept (origin 0), 2 s dropped, −0.5 s kept (origin −0.5 s), 0.2 s kept (0.7 s from it), 8 s dropped
    const t = readTrace(AZURE, opts("cut.csv", { untilNs: 1e9 }));
    expect(t.held).toBe(3);
    expect(t.arrivals.map((a) => [a.atNs, a.input])).toEqual([
      [0, 1100],
      [ms(500), 600],
      [ms(700), 800],
    ]);
    // private block ids are numbered in file order, dropped rows included: 600 tokens → −1, −2; 700 → −3, −4;
    // 1,100 → −5, −6, −7; 800 → −8, −9
    expect(t.arrivals.map((a) => a.hashIds)).toEqual([[-5, -6, -7], [-1, -2], [-8, -9]]);
  });

  it("every arrival past the cut is still the duration_s error naming the first arrival", () => {
    expect(() => readTrace(MOONCAKE, opts("cut.jsonl", { skip: true, untilNs: 0 }))).toThrow(
      /^cut\.jsonl workload\.duration_s: expected trace arrivals before duration_s = 0 s, got none: the first is at 0 s \(after rate_scale 1\); raise duration_s or rate_scale$/,
    );
  });
});
