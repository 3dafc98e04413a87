/**
 * `sweep merge` reads files a scheduler, a script or a person may have touched: a record that cannot belong
 * to the sweep it claims is an input error naming the file, line and field — never an extra row in the
 * merged output, a count to 10¹², or a crash of the process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errnoText } from "../../../src/config/errno-text.js";
import { MAX_SPACE_POINTS } from "../../../src/search/space.js";
import { mergeShards } from "../../../src/sweep/merge.js";
import { MAX_RECORD_POINTS, recordsToJsonl, type SweepRecord } from "../../../src/sweep/records.js";
import { MAX_SWEEP_RUNS } from "../../../src/sweep/sweep.js";
import { inputErrorOf } from "../../helpers/input-error.js";

const dir = mkdtempSync(join(tmpdir(), "ascend-sim-merge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (index: number, of = 2): SweepRecord => ({ index, of, sweep: "f00d", point: { "workload.ranks": String(2 << index) }, seeds: [1], status: "ok", metrics: { ranks: 2 << index } });

/** A shard file holding these JSONL lines (records or edited objects). */
function shard(name: string, lines: readonly object[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return file;
}

const good = (name: string) => {
  const file = join(dir, name);
  writeFileSync(file, recordsToJsonl([record(0), record(1)]));
  return file;
};

describe("sweep merge refuses records that cannot belong to their sweep", () => {
  it("a point index outside 0 … of−1 (an extra row would be merged silently)", () => {
    const edited = shard("beyond.jsonl", [{ ...JSON.parse(recordsToJsonl([record(1)])), index: 7 }]);
    expect(inputErrorOf(() => mergeShards([good("a.jsonl"), edited]))).toBe(`${edited}:1 index: expected a point index from 0 to 1 (the sweep has 2 points), got 7`);
    const negative = shard("negative.jsonl", [{ ...JSON.parse(recordsToJsonl([record(1)])), index: -1 }]);
    expect(inputErrorOf(() => mergeShards([negative]))).toMatch(/negative\.jsonl:1 index: expected a point index from 0 to 1 .*got -1$/);
  });

  it("a point count of 0 or beyond any sweep — 10¹² used to crash the process counting the missing points", () => {
    for (const of of [0, 1e12]) {
      const file = shard(`of-${of}.jsonl`, [{ ...JSON.parse(recordsToJsonl([record(0)])), of }]);
      expect(inputErrorOf(() => mergeShards([file]))).toBe(`${file}:1 of: expected the number of points of the sweep, from 1 to 100,000 (the most a sweep or search space has), got ${of}`);
    }
  });

  it("bounds `of` by the largest sweep and search space, so every real shard passes", () => {
    expect(MAX_RECORD_POINTS).toBeGreaterThanOrEqual(MAX_SWEEP_RUNS);
    expect(MAX_RECORD_POINTS).toBeGreaterThanOrEqual(MAX_SPACE_POINTS);
  });

  it("seeds that are not integers, an error message that is not text", () => {
    const seeds = shard("seeds.jsonl", [{ ...JSON.parse(recordsToJsonl([record(0)])), seeds: ["x"] }]);
    expect(inputErrorOf(() => mergeShards([seeds]))).toBe(`${seeds}:1 seeds: expected a list of integer seeds, got ["x"]`);
    const error = shard("error.jsonl", [{ ...JSON.parse(recordsToJsonl([record(0)])), status: "failed", error: 5 }]);
    expect(inputErrorOf(() => mergeShards([error]))).toBe(`${error}:1 error: expected the error message as text, got 5`);
  });

  it("an unreadable shard is named with the reason in words", () => {
    const folder = join(dir, "folder.jsonl");
    mkdirSync(folder);
    expect(inputErrorOf(() => mergeShards([folder]))).toBe(`${folder}: cannot read the shard file: it is a folder`);
    expect(inputErrorOf(() => mergeShards([join(dir, "missing.jsonl")]))).toMatch(/missing\.jsonl: cannot read the shard file: no such file or folder$/);
  });
});

describe("errnoText", () => {
  it("says in words that a file is too large to read as text (V8's string limit), not ERR_STRING_TOO_LONG", () => {
    expect(errnoText({ code: "ERR_STRING_TOO_LONG" })).toBe("the file is too large to read as text (more than 512 MiB)");
  });
});
