/**
 * The JSON outputs of sweep and search give each knob value the type `--set` gives it (YAML scalar or
 * flow collection), while the value text stays what CSV shows and what `sweep merge` reads back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSetArgument } from "../../../src/config/document.js";
import { mergeShards } from "../../../src/sweep/merge.js";
import { pointValue, typedPoint } from "../../../src/sweep/point-values.js";
import { parseRecordLine, recordsToCsv, recordsToJsonl, type SweepRecord } from "../../../src/sweep/records.js";

describe("pointValue", () => {
  it.each([
    ["32", 32],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["true", true],
    ["false", false],
    ["null", null],
    ["400Gb/s", "400Gb/s"],
    ["selective", "selective"],
    ["'32'", "32"],
    ["[1,2]", [1, 2]],
    ["[ring]", ["ring"]],
    ["{a: 1}", { a: 1 }],
  ] as const)("%s → %j, the value --set gives it", (text, value) => {
    expect(pointValue(text)).toEqual(value);
    expect(pointValue(text)).toEqual(parseSetArgument(`k=${text}`).value);
  });

  it("keeps the text of a value JSON cannot hold (.inf, .nan) or that is not YAML", () => {
    expect(pointValue(".inf")).toBe(".inf");
    expect(pointValue("[.nan]")).toBe("[.nan]");
    expect(pointValue("[1,")).toBe("[1,");
  });

  it("types every knob of a point, in the point's order", () => {
    expect(Object.entries(typedPoint({ "workload.ranks": "32", "cluster.nic_bandwidth": "400Gb/s" }))).toEqual([
      ["workload.ranks", 32],
      ["cluster.nic_bandwidth", "400Gb/s"],
    ]);
  });
});

const record = (index: number, point: Record<string, string>): SweepRecord => ({ index, of: 2, sweep: "f00d", point, seeds: [1], status: "ok", metrics: { x: index } });

describe("sweep JSONL records", () => {
  const records = [record(0, { "workload.ranks": "32", "workload.quantize": "true", bw: "400Gb/s" }), record(1, { "workload.ranks": "1.0", "workload.quantize": "false", bw: "0x10" })];

  it("hold the typed values in `point` and the text as written in `point_text`", () => {
    const line = JSON.parse(recordsToJsonl(records).split("\n")[1]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(["index", "of", "sweep", "point", "point_text", "seeds", "status", "metrics"]);
    expect(line.point).toEqual({ "workload.ranks": 1, "workload.quantize": false, bw: 16 });
    expect(line.point_text).toEqual({ "workload.ranks": "1.0", "workload.quantize": "false", bw: "0x10" });
  });

  it("read back to the same records: CSV shows the text, not the typed value", () => {
    const back = recordsToJsonl(records)
      .trimEnd()
      .split("\n")
      .map((l, i) => parseRecordLine(l, `s.jsonl:${i + 1}`));
    expect(back.map((r) => r.point)).toEqual(records.map((r) => r.point));
    expect(recordsToCsv(back)).toBe(recordsToCsv(records));
    expect(recordsToCsv(back)).toContain("1,ok,,1.0,false,0x10,1,1\n");
  });

  it("refuse a line whose knob values are neither in point_text nor text in point, naming the line", () => {
    const typedOnly = JSON.stringify({ index: 0, of: 1, sweep: "f", point: { a: 32 }, seeds: [], status: "ok", metrics: {} });
    expect(() => parseRecordLine(typedOnly, "s.jsonl:3")).toThrow(/s\.jsonl:3: not a sweep record: `point_text` is missing and `point` does not hold text values/);
    const badText = JSON.stringify({ index: 0, of: 1, sweep: "f", point: { a: 32 }, point_text: { a: 32 }, seeds: [], status: "ok", metrics: {} });
    expect(() => parseRecordLine(badText, "s.jsonl:4")).toThrow(/s\.jsonl:4: not a sweep record: `point_text` is not a mapping of knob → value text/);
  });
});

describe("sweep merge of shards written before point values were typed", () => {
  const dir = mkdtempSync(join(tmpdir(), "ascend-sim-typed-point-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const [a, b] = [record(0, { "workload.ranks": "2" }), record(1, { "workload.ranks": "4" })];

  it("accepts them (text in `point`, no `point_text`), alone or beside new shards, with the same output", () => {
    const oldLine = (r: SweepRecord) => JSON.stringify({ index: r.index, of: r.of, sweep: r.sweep, point: r.point, seeds: r.seeds, status: r.status, metrics: r.metrics }) + "\n";
    writeFileSync(join(dir, "old-0.jsonl"), oldLine(a));
    writeFileSync(join(dir, "old-1.jsonl"), oldLine(b));
    writeFileSync(join(dir, "new-1.jsonl"), recordsToJsonl([b]));
    const expected = recordsToJsonl([a, b]);
    expect(recordsToJsonl(mergeShards([join(dir, "old-0.jsonl"), join(dir, "old-1.jsonl")]))).toBe(expected);
    expect(recordsToJsonl(mergeShards([join(dir, "old-0.jsonl"), join(dir, "new-1.jsonl")]))).toBe(expected);
    expect(expected).toContain('"point":{"workload.ranks":4},"point_text":{"workload.ranks":"4"}');
  });
});
