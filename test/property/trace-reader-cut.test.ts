/**
 * The trace reader drops rows past the `duration_s` cut as it reads them (so a long trace is not held
 * whole). Its result must be that of reading everything and cutting afterwards: the same arrivals before
 * the cut, the same skipped count, the same error for a malformed line anywhere in the file — for any
 * file, any cut, any limit. Random Mooncake and Azure traces, some lines malformed, check it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readTrace, type TraceOptions, type TraceRead } from "../../src/workload/serving/trace-reader.js";

const dir = mkdtempSync(join(tmpdir(), "ascend-trace-cut-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RUNS = { seed: 7, numRuns: 200 } as const;

/** The reader's outcome: what it returned, or the message it failed with. */
function outcome(file: string, o: TraceOptions): TraceRead | string {
  try {
    return readTrace(file, o);
  } catch (e) {
    return (e as Error).message;
  }
}

/** A Mooncake line: well formed (timestamp ms, lengths, hash ids) or one of a few malformations. */
const mooncakeLine = fc.oneof(
  { weight: 9, arbitrary: fc.record({ t: fc.integer({ min: 0, max: 5_000 }), i: fc.integer({ min: 1, max: 2_000 }), o: fc.integer({ min: 0, max: 50 }), h: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 }) }).map((r) => JSON.stringify({ timestamp: r.t, input_length: r.i, output_length: r.o, hash_ids: r.h })) },
  { weight: 1, arbitrary: fc.constantFrom('{"timestamp": 5, "input_length": 0, "output_length": 2}', '{"timestamp": -1, "input_length": 3, "output_length": 2}', "not json", '{"input_length": 3}') },
);

/** An Azure CSV row: a time on one day, context and generated tokens; or a malformed row. */
const azureRow = fc.oneof(
  { weight: 9, arbitrary: fc.record({ s: fc.integer({ min: 0, max: 59 }), f: fc.integer({ min: 0, max: 9_999_999 }), c: fc.integer({ min: 1, max: 2_000 }), g: fc.integer({ min: 0, max: 50 }) }).map((r) => `2023-11-16 18:00:${String(r.s).padStart(2, "0")}.${String(r.f).padStart(7, "0")},${r.c},${r.g}`) },
  { weight: 1, arbitrary: fc.constantFrom("2023-11-16 18:00:01.0000000,0,3", "yesterday,5,5", "2023-11-16 18:00:01.0000000,5") },
);

const options = fc.record({
  cutMs: fc.integer({ min: 1, max: 6_000 }),
  limit: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
  skip: fc.boolean(),
});

/** Cut reading against full reading then cutting: same rows before the cut (Azure block ids are numbered per kept row, so only times and lengths), same skipped count, same error. */
function checkCut(file: string, shown: string, o: { cutMs: number; limit: number | null; skip: boolean }, withIds: boolean): void {
  const base: TraceOptions = { shownPath: shown, rateScale: 1, limit: o.limit, skip: o.skip, untilNs: null };
  const whole = outcome(file, base);
  const cut = outcome(file, { ...base, untilNs: o.cutMs * 1e6 });
  if (typeof whole === "string") {
    expect(cut).toBe(whole);
    return;
  }
  const before = whole.arrivals.filter((a) => a.atNs < o.cutMs * 1e6);
  // a cut that leaves nothing is an input error at duration_s, with or without cutting while reading
  if (before.length === 0) {
    expect(cut).toMatch(/workload\.duration_s: expected trace arrivals before duration_s/);
    return;
  }
  expect(typeof cut).toBe("object");
  const c = cut as TraceRead;
  const view = (a: TraceRead["arrivals"][number]) => (withIds ? a : { atNs: a.atNs, input: a.input, output: a.output });
  expect(c.arrivals.map(view)).toEqual(before.map(view));
  expect(c.skipped).toBe(whole.skipped);
  expect(c.held).toBeLessThanOrEqual(whole.held);
}

describe("trace reader: cutting while reading = reading everything, then cutting", () => {
  it("Mooncake JSONL", () => {
    fc.assert(
      fc.property(fc.array(mooncakeLine, { minLength: 1, maxLength: 30 }), options, (lines, o) => {
        const file = join(dir, "t.jsonl");
        writeFileSync(file, lines.join("\n") + "\n");
        checkCut(file, "t.jsonl", o, true);
      }),
      RUNS,
    );
  });

  it("Azure CSV (the cut counts from the earliest row, wherever it is in the file)", () => {
    fc.assert(
      fc.property(fc.array(azureRow, { minLength: 1, maxLength: 30 }), options, (rows, o) => {
        const file = join(dir, "t.csv");
        writeFileSync(file, ["TIMESTAMP,ContextTokens,GeneratedTokens", ...rows].join("\n") + "\n");
        checkCut(file, "t.csv", o, false);
      }),
      RUNS,
    );
  });
});
