import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { runScenario } from "../../../src/run.js";
import { chromeTraceEvents, chromeTraceText, type ChromeTraceEvent } from "../../../src/trace/chrome-trace.js";
import { parseTraceJsonl } from "../../../src/trace/read-jsonl.js";
import type { Span } from "../../../src/trace/span.js";

/**
 * Checks a trace against the Chrome trace-event format (the JSON Object Format of the Trace Event
 * Format document): required fields per phase, µs timestamps, names for every process and thread,
 * timestamps non-decreasing per track, X events on one thread disjoint or properly nested, flows
 * that start before they finish. Returns the problems found.
 */
const EPS_US = 1e-6;

function validateTraceEvents(doc: unknown): string[] {
  const problems: string[] = [];
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { traceEvents?: unknown }).traceEvents)) return ["no traceEvents array"];
  const events = (doc as { traceEvents: Record<string, unknown>[] }).traceEvents;
  const named = new Set<string>();
  const used = new Set<string>();
  const lastTs = new Map<string, number>();
  const open = new Map<string, number[]>();
  const flows = new Map<string, string[]>();
  events.forEach((e, i) => {
    const at = `event ${i} (${JSON.stringify(e).slice(0, 80)})`;
    if (typeof e.ph !== "string" || typeof e.name !== "string" || !Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`${at}: needs ph, name, pid, tid`);
    const track = `${e.pid}/${e.tid}`;
    if (e.ph === "M") {
      if (!["process_name", "thread_name", "process_sort_index", "thread_sort_index"].includes(e.name as string)) problems.push(`${at}: unknown metadata`);
      if (typeof e.args !== "object" || e.args === null) problems.push(`${at}: metadata needs args`);
      if (e.name === "process_name") named.add(`${e.pid}`);
      if (e.name === "thread_name") named.add(track);
      return;
    }
    if (typeof e.ts !== "number" || !Number.isFinite(e.ts) || e.ts < 0) problems.push(`${at}: ts must be a non-negative number (µs)`);
    used.add(`${e.pid}`);
    used.add(track);
    const ts = e.ts as number;
    if (ts < (lastTs.get(track) ?? -Infinity)) problems.push(`${at}: ts goes back in time on track ${track}`);
    lastTs.set(track, ts);
    if (e.ph === "X") {
      if (typeof e.dur !== "number" || e.dur < 0) problems.push(`${at}: X needs dur ≥ 0`);
      const end = ts + (e.dur as number);
      const stack = open.get(track) ?? [];
      // µs are ns / 1000 in binary floating point: compare with a tolerance far below 1 ns
      while (stack.length > 0 && stack[stack.length - 1]! <= ts + EPS_US) stack.pop();
      if (stack.length > 0 && end > stack[stack.length - 1]! + EPS_US) problems.push(`${at}: overlaps its enclosing X event without nesting`);
      stack.push(end);
      open.set(track, stack);
    } else if (e.ph === "s" || e.ph === "t" || e.ph === "f") {
      if (typeof e.id !== "string" && typeof e.id !== "number") problems.push(`${at}: flow needs id`);
      const k = String(e.id);
      flows.set(k, [...(flows.get(k) ?? []), e.ph]);
    } else problems.push(`${at}: unexpected phase ${String(e.ph)}`);
  });
  for (const u of used) if (!named.has(u)) problems.push(`track ${u} has no name metadata`);
  for (const [id, phases] of flows) if (phases[0] !== "s" || phases[phases.length - 1] !== "f" || phases.length < 2) problems.push(`flow ${id}: expected s … f, got ${phases.join(" ")}`);
  return problems;
}

const span = (start: number, dur: number, where: string, what: string, attrs?: Span["attrs"]): Span => ({ start, dur, kind: "op", where, what, ...(attrs ? { attrs } : {}) });

describe("Chrome trace export", () => {
  it("maps where = process/thread, ns to µs, attrs to args, and names processes and threads", () => {
    const events = chromeTraceEvents([span(1500, 2001, "die12/attention", "mla", { bytes: 7 }), span(0, 10, "die3", "x")]);
    const x = events.filter((e) => e.ph === "X");
    expect(x).toEqual([
      { name: "x", cat: "op", ph: "X", pid: 1, tid: 1, ts: 0, dur: 0.01 },
      { name: "mla", cat: "op", ph: "X", pid: 2, tid: 1, ts: 1.5, dur: 2.001, args: { bytes: 7 } },
    ]);
    const names = events.filter((e) => e.ph === "M" && e.name.endsWith("_name")).map((e) => `${e.name} ${e.pid}/${e.tid} ${e.args!.name}`);
    expect(names).toEqual(["process_name 1/0 die3", "process_name 2/0 die12", "thread_name 1/1 main", "thread_name 2/1 attention"]);
  });

  it("moves partially overlapping spans of one thread to extra lanes, keeps nested ones together, links flows", () => {
    const spans = [
      span(0, 100, "die0/comm", "outer", { flow_id: 1 }),
      span(10, 20, "die0/comm", "inner"),
      span(50, 100, "die0/comm", "straddles"),
      span(300, 10, "die1/compute", "consumer", { flow_id: 1 }),
    ];
    const text = chromeTraceText(spans, "t");
    const doc = JSON.parse(text) as { traceEvents: ChromeTraceEvent[] };
    expect(validateTraceEvents(doc)).toEqual([]);
    const lane = (what: string) => doc.traceEvents.find((e) => e.name === what)!.tid;
    expect(lane("inner")).toBe(lane("outer"));
    expect(lane("straddles")).not.toBe(lane("outer"));
    expect(doc.traceEvents.filter((e) => e.ph === "s" || e.ph === "f").map((e) => `${e.ph} ${e.pid}`)).toEqual(["s 1", "f 2"]);
    expect(chromeTraceText([...spans].reverse(), "t")).toBe(text);
  });

  it.each(["configs/hccs-allreduce.yaml", "configs/op-bench-dsr1-decode-910c.yaml", "configs/flows-simgrid-example.yaml", "configs/cm384-dispatch-combine.yaml"])(
    "the trace of %s is valid trace-event JSON and deterministic",
    (config) => {
      const r = runScenario(loadScenario(config), { trace: true });
      const spans = parseTraceJsonl(r.trace ?? "");
      const text = chromeTraceText(spans, r.scenario.name);
      const doc = JSON.parse(text) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string };
      expect(validateTraceEvents(doc)).toEqual([]);
      expect(doc.traceEvents.filter((e) => e.ph === "X")).toHaveLength(spans.length);
      expect(chromeTraceText(parseTraceJsonl(runScenario(loadScenario(config), { trace: true }).trace ?? ""), r.scenario.name)).toBe(text);
    },
  );
});

/**
 * The X events of a Chrome trace as Perfetto's JSON importer sees them: ts and dur in ns as
 * int64(µs × 1000.0) (truncated), end = ts + dur. Returns the events whose ns differ from their span's
 * (matched by name: the names must be unique) and those that overlap an earlier one on their thread
 * without nesting in it, which Perfetto drops.
 */
function perfettoImport(doc: { traceEvents: ChromeTraceEvent[] }, spans: readonly Span[]): { wrongNs: string[]; dropped: string[] } {
  const exact = new Map(spans.map((s) => [s.what, s]));
  const wrongNs: string[] = [];
  const tracks = new Map<string, { name: string; start: number; end: number }[]>();
  for (const e of doc.traceEvents) {
    if (e.ph !== "X") continue;
    const start = Math.trunc(e.ts! * 1000);
    const end = start + Math.trunc(e.dur! * 1000);
    const s = exact.get(e.name);
    if (s !== undefined && (start !== s.start || end !== s.start + s.dur)) wrongNs.push(`${e.name}: [${start}, ${end}) ns, expected [${s.start}, ${s.start + s.dur})`);
    const k = `${e.pid}/${e.tid}`;
    tracks.set(k, [...(tracks.get(k) ?? []), { name: e.name, start, end }]);
  }
  const dropped: string[] = [];
  for (const list of tracks.values()) {
    const open: number[] = [];
    for (const x of [...list].sort((a, b) => a.start - b.start || b.end - a.end)) {
      while (open.length > 0 && open[open.length - 1]! <= x.start) open.pop();
      if (open.length > 0 && x.end > open[open.length - 1]!) dropped.push(x.name);
      else open.push(x.end);
    }
  }
  return { wrongNs, dropped };
}

describe("Chrome trace as Perfetto imports it (µs × 1000, truncated to ns)", () => {
  it("gives back each span's exact ns, so back-to-back spans stay disjoint (1001 ns was read as 1000 ns)", () => {
    const spans = [span(1000, 1, "die0/compute", "a"), span(1001, 5, "die0/compute", "b"), span(0, 3003, "die0/compute", "parent"), span(2002, 1001, "die0/compute", "child")];
    const doc = JSON.parse(chromeTraceText(spans, "t")) as { traceEvents: ChromeTraceEvent[] };
    expect(perfettoImport(doc, spans)).toEqual({ wrongNs: [], dropped: [] });
  });

  it("drops no span of a real run (configs/pangu-pro-moe-300i-duo.yaml had two overlapping)", () => {
    const r = runScenario(loadScenario("configs/pangu-pro-moe-300i-duo.yaml"), { trace: true });
    const spans = parseTraceJsonl(r.trace ?? "").map((s, i) => ({ ...s, what: `${i} ${s.what}` }));
    const doc = JSON.parse(chromeTraceText(spans, r.scenario.name)) as { traceEvents: ChromeTraceEvent[] };
    const { wrongNs, dropped } = perfettoImport(doc, spans);
    expect(wrongNs).toEqual([]);
    expect(dropped).toEqual([]);
  });
});
