/**
 * `run --trace` and `--chrome-trace` stream the trace to disk while the run goes (TraceFiles): the files
 * hold the bytes the in-memory path gives (RunResult.trace, chromeTraceText of it read back), memory holds
 * at most one write chunk of the JSONL trace, and a failed run leaves neither an output nor a temporary
 * file. Sizes are made tiny here (a chunk of 1,000 characters, sort runs of 7 spans) so that every path —
 * several chunks, several sort runs merged — is taken by small configs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AtomicOutputs, type OutputTarget } from "../../../src/cli/output-file.js";
import { TraceFiles } from "../../../src/cli/trace-files.js";
import { loadScenario } from "../../../src/config/scenario.js";
import { runReportHtml, TimelineSample } from "../../../src/report/run-report.js";
import { runScenario } from "../../../src/run.js";
import { chromeTraceText } from "../../../src/trace/chrome-trace.js";
import { ChunkedWriter } from "../../../src/trace/chunked-writer.js";
import { ExternalSorter } from "../../../src/trace/external-sort.js";
import { spanToJsonLine } from "../../../src/trace/jsonl.js";
import { parseTraceJsonl } from "../../../src/trace/read-jsonl.js";
import type { Span } from "../../../src/trace/span.js";

const CHUNK = 1000; // characters
const SORT_RUN = 7; // spans

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));
function freshDir(): string {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-stream-"));
  return dir;
}

const targets = (d: string): { trace: OutputTarget; chromeTrace: OutputTarget } => ({
  trace: { path: join(d, "t.jsonl"), what: "trace" },
  chromeTrace: { path: join(d, "c.json"), what: "Chrome trace" },
});

/** Spans through TraceFiles into `d` (committed); the number of chars ever buffered at most. */
function streamSpans(d: string, spans: Iterable<Span>, scenario?: string): number {
  const outputs = new AtomicOutputs();
  const files = new TraceFiles(outputs, { ...targets(d), ...(scenario !== undefined ? { scenario } : {}), chunkChars: CHUNK, maxInMemory: SORT_RUN });
  let most = 0;
  for (const s of spans) {
    files.add(s);
    most = Math.max(most, files.bufferedChars);
  }
  files.finish();
  outputs.commit();
  return most;
}

/** A deterministic pseudo-random integer in [0, n) (a linear congruential generator; tests only). */
function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * n); // the high bits: the low ones of this generator cycle
  };
}

describe("streamed trace files", () => {
  for (const [config, sets] of [
    ["configs/hccs-allreduce.yaml", []],
    ["configs/pd-serve-roce.yaml", ["workload.duration_s=2"]],
  ] as const) {
    it(`are the in-memory trace and its Chrome trace byte for byte: ${config} ${sets.join(" ")}`, () => {
      const d = freshDir();
      const scenario = loadScenario(config, { sets: [...sets] });
      const memory = runScenario(scenario, { trace: true }).trace!;
      const outputs = new AtomicOutputs();
      const files = new TraceFiles(outputs, { ...targets(d), scenario: scenario.name, chunkChars: CHUNK, maxInMemory: SORT_RUN });
      runScenario(loadScenario(config, { sets: [...sets] }), { onSpan: (s) => files.add(s) });
      files.finish();
      outputs.commit();
      expect(memory.length).toBeGreaterThan(2 * CHUNK); // several chunks written
      expect(readFileSync(join(d, "t.jsonl"), "utf8")).toBe(memory);
      expect(readFileSync(join(d, "c.json"), "utf8")).toBe(chromeTraceText(parseTraceJsonl(memory), scenario.name));
      expect(readdirSync(d).sort()).toEqual(["c.json", "t.jsonl"]); // the sort runs are gone
    });
  }

  it("give chromeTraceText's bytes for overlapping lanes, flows, equal starts, zero and fractional times, odd attributes", () => {
    const next = lcg(7);
    const spans: Span[] = [];
    for (let i = 0; i < 300; i++) {
      const start = next(50) * 10 + (i % 11 === 0 ? 0.4 : 0); // ns; a few fractional
      spans.push({
        start,
        dur: next(4) === 0 ? 0 : next(200), // ns
        kind: i % 3 === 0 ? "op" : "xfer",
        where: ["die10/compute", "die2/compute", "die2", "link0", "Die1/x"][next(5)]!,
        what: `s${i} "q"`,
        ...(i % 4 === 0 ? { attrs: { flow_id: next(6), b: true, "10": "ten", "9": 9, z: undefined as unknown as number } } : {}),
      });
    }
    const d = freshDir();
    const most = streamSpans(d, spans, "synthetic");
    const jsonl = spans.map((s) => spanToJsonLine(s) + "\n").join("");
    expect(readFileSync(join(d, "t.jsonl"), "utf8")).toBe(jsonl);
    const expected = chromeTraceText(parseTraceJsonl(jsonl), "synthetic");
    expect(expected).toContain('"ph":"f"'); // flows are exercised
    expect(expected).toContain("#2"); // so are extra lanes
    expect(readFileSync(join(d, "c.json"), "utf8")).toBe(expected);
    expect(most).toBeLessThan(CHUNK);
  });

  it("give an empty trace for a run without spans", () => {
    const d = freshDir();
    streamSpans(d, []);
    expect(readFileSync(join(d, "t.jsonl"), "utf8")).toBe("");
    expect(readFileSync(join(d, "c.json"), "utf8")).toBe(chromeTraceText([]));
  });

  it("leave no output and no temporary file when the run fails midway", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    const files = new TraceFiles(outputs, { ...targets(d), chunkChars: CHUNK, maxInMemory: SORT_RUN });
    let n = 0;
    const run = () =>
      runScenario(loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.duration_s=2"] }), {
        onSpan: (s) => {
          files.add(s);
          if (++n === 100) throw new Error("injected failure");
        },
      });
    try {
      expect(run).toThrow("injected failure");
      // by then a chunk of the trace and sort runs of the Chrome trace are on disk, as temporary files
      expect(readdirSync(d).length).toBeGreaterThan(2);
      expect(readdirSync(d).every((f) => f.startsWith("."))).toBe(true);
    } finally {
      outputs.discard();
    }
    expect(readdirSync(d)).toEqual([]);
  });

  it("leave no output when a span cannot be written (a negative duration)", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    const files = new TraceFiles(outputs, { ...targets(d), chunkChars: CHUNK, maxInMemory: SORT_RUN });
    for (let i = 0; i < 50; i++) files.add({ start: i, dur: 1, kind: "k", where: "w", what: "x".repeat(40) });
    expect(() => files.add({ start: 0, dur: -1, kind: "k", where: "w", what: "bad" })).toThrow(RangeError);
    outputs.discard();
    expect(readdirSync(d)).toEqual([]);
  });
});

describe("ChunkedWriter", () => {
  it("holds less than one chunk after every write and writes everything at the flush", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    const target = { path: join(d, "f.txt"), what: "test" };
    const w = new ChunkedWriter(outputs.open(target), 100);
    let text = "";
    for (let i = 0; i < 500; i++) {
      const piece = `line ${i} é\n`; // a non-ASCII character: bytes ≠ characters
      w.write(piece);
      text += piece;
      expect(w.bufferedChars).toBeLessThan(100);
    }
    w.flush();
    expect(w.bufferedChars).toBe(0);
    outputs.commit();
    expect(readFileSync(target.path, "utf8")).toBe(text);
  });
});

describe("AtomicOutputs.writeLines (run --requests)", () => {
  const target = (d: string): OutputTarget => ({ path: join(d, "r.jsonl"), what: "request records" });
  /** Bytes in the files of `d` (the output's temporary file while it is written). */
  const bytesIn = (d: string): number => readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);

  it("puts the lines on disk while later ones are still produced (never one string of them all), then in place", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    const all = Array.from({ length: 200 }, (_, i) => `{"id":${i},"state":"done"}\n`);
    let produced = 0; // characters
    let behind = 0; // characters produced but not yet on disk, at most
    function* lines(): Generator<string> {
      for (const line of all) {
        behind = Math.max(behind, produced - bytesIn(d));
        produced += line.length;
        yield line;
      }
    }
    outputs.writeLines(target(d), lines(), 100);
    expect(behind).toBeLessThan(100); // one chunk (characters; ASCII, so bytes)
    outputs.commit();
    expect(readFileSync(join(d, "r.jsonl"), "utf8")).toBe(all.join(""));
  });

  it("leaves no file when a line cannot be produced (a record JSON cannot hold)", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    function* lines(): Generator<string> {
      for (let i = 0; i < 100; i++) yield `{"id":${i}}\n`;
      throw new RangeError("request record 100 cannot hold .ttft_ms = NaN");
    }
    expect(() => outputs.allOrNothing(() => outputs.writeLines(target(d), lines(), 50))).toThrow(RangeError);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe("ExternalSorter", () => {
  it("merges sorted runs written to disk into one order and removes them", () => {
    const d = freshDir();
    const outputs = new AtomicOutputs();
    const target = { path: join(d, "x"), what: "test" };
    let runs = 0;
    const sorter = new ExternalSorter(() => outputs.scratch(target, `r${runs++}`), (p) => outputs.dropScratch(p), 10);
    const next = lcg(3);
    const keys: number[][] = [];
    for (let i = 0; i < 95; i++) keys.push([next(5), next(1000) / 7, i]);
    for (const k of keys) sorter.add(k, `rec ${k.join(" ")} ü`);
    expect(sorter.runCount).toBe(9);
    const out = [...sorter.sorted()];
    const expected = [...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
    expect(out.map((r) => r.key)).toEqual(expected);
    expect(out.map((r) => r.text)).toEqual(expected.map((k) => `rec ${k.join(" ")} ü`));
    expect(readdirSync(d)).toEqual([]);
  });
});

describe("the report timeline from a TimelineSample", () => {
  it("is the one drawn from all spans, keeping the earliest 4,000 of 10,000 shuffled spans", () => {
    const next = lcg(11);
    const spans: Span[] = [];
    for (let i = 0; i < 10_000; i++) spans.push({ start: next(5000), dur: next(30), kind: "k", where: `lane${next(60)}`, what: `s${i}` });
    const r = runScenario(loadScenario("configs/hccs-allreduce.yaml"));
    const sample = new TimelineSample();
    for (const s of spans) sample.add(s);
    // the oracle holds every span: sorted by start, longest first, then emission order (a stable sort)
    const earliest = [...spans].sort((a, b) => a.start - b.start || b.dur - a.dur).slice(0, 4000);
    expect(sample.earliest()).toEqual(earliest);
    expect(sample.count).toBe(10_000);
    expect(sample.laneCount).toBe(new Set(spans.map((s) => s.where)).size);
    const html = runReportHtml(r, sample);
    expect(html).toBe(runReportHtml(r, spans));
    expect(html).toContain("6000 later spans");
  });
});
