import { TOOL, VERSION } from "../version.js";
import { naturalCompare } from "./natural-order.js";
import type { Span } from "./span.js";
import { traceMicros } from "./trace-micros.js";

/** One event of the Chrome trace-event format (the subset we write). */
export interface ChromeTraceEvent {
  readonly name: string;
  /** Phase: X complete, M metadata, s/t/f flow start/step/finish. */
  readonly ph: "X" | "M" | "s" | "t" | "f";
  readonly pid: number;
  readonly tid: number;
  /** Timestamp, µs (fractional: ns precision, see traceMicros). */
  readonly ts?: number;
  /** Duration, µs (X events; see traceMicros). */
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: string;
  readonly bp?: "e";
  readonly args?: Readonly<Record<string, number | string | boolean>>;
}

/** Splits a span's `where` into process (first path segment) and thread (the rest, or "main"). */
export function processAndThread(where: string): [string, string] {
  const i = where.indexOf("/");
  return i < 0 ? [where, "main"] : [where.slice(0, i), where.slice(i + 1)];
}

/**
 * Assigns each span of one thread to a lane so that spans in a lane are disjoint or properly nested
 * (what trace viewers require of X events on one thread). Spans must be sorted by start, then longest
 * first. Partially overlapping spans (concurrent transfers on one link) go to the next lane that fits.
 */
function assignLanes(spans: readonly Span[]): number[] {
  const stacks: number[][] = []; // per lane: stack of end times of open enclosing spans
  return spans.map((s) => {
    const end = s.start + s.dur;
    for (let lane = 0; ; lane++) {
      const stack = (stacks[lane] ??= []);
      while (stack.length > 0 && stack[stack.length - 1]! <= s.start) stack.pop();
      const parentEnd = stack[stack.length - 1];
      if (parentEnd === undefined || end <= parentEnd) {
        stack.push(end);
        return lane;
      }
    }
  });
}

/**
 * Spans → Chrome trace events (Perfetto, chrome://tracing): one process per first segment of `where`
 * (`die12/attention` → process `die12`, thread `attention`), X events with ts/dur in µs and the span's
 * attributes as args, flow arrows (s/t/f) linking spans that share a `flow_id` attribute, and metadata
 * naming processes and threads. Deterministic: ids follow sorted names, events are sorted.
 */
export function chromeTraceEvents(spans: readonly Span[]): ChromeTraceEvent[] {
  const procs = [...new Set(spans.map((s) => processAndThread(s.where)[0]))].sort(naturalCompare);
  const pidOf = new Map(procs.map((p, i) => [p, i + 1]));
  const byThread = new Map<string, Span[]>();
  for (const s of spans) {
    const key = s.where.includes("/") ? s.where : `${s.where}/main`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key)!.push(s);
  }
  const meta: ChromeTraceEvent[] = [];
  const body: ChromeTraceEvent[] = [];
  const placed = new Map<Span, { pid: number; tid: number }>();
  procs.forEach((p, i) => {
    meta.push({ name: "process_name", ph: "M", pid: i + 1, tid: 0, args: { name: p } });
    meta.push({ name: "process_sort_index", ph: "M", pid: i + 1, tid: 0, args: { sort_index: i } });
  });
  const nextTid = new Map<number, number>();
  for (const key of [...byThread.keys()].sort(naturalCompare)) {
    const [proc, thread] = processAndThread(key);
    const pid = pidOf.get(proc)!;
    const list = [...byThread.get(key)!].sort((a, b) => a.start - b.start || b.dur - a.dur);
    const lanes = assignLanes(list);
    const laneTid: number[] = [];
    let nLanes = 0; // no spread: a thread may hold more spans than a call has room for arguments
    for (const l of lanes) if (l + 1 > nLanes) nLanes = l + 1;
    for (let l = 0; l < nLanes; l++) {
      const tid = (nextTid.get(pid) ?? 0) + 1;
      nextTid.set(pid, tid);
      laneTid.push(tid);
      const name = l === 0 ? thread : `${thread} #${l + 1}`;
      meta.push({ name: "thread_name", ph: "M", pid, tid, args: { name } });
      meta.push({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: tid } });
    }
    list.forEach((s, i) => {
      const tid = laneTid[lanes[i]!]!;
      placed.set(s, { pid, tid });
      body.push({ name: s.what, cat: s.kind, ph: "X", pid, tid, ts: traceMicros(s.start), dur: traceMicros(s.dur), ...(s.attrs ? { args: s.attrs } : {}) });
    });
  }
  const flows = new Map<string, Span[]>();
  for (const s of spans) {
    const id = s.attrs?.flow_id;
    if (id === undefined) continue;
    const k = String(id);
    if (!flows.has(k)) flows.set(k, []);
    flows.get(k)!.push(s);
  }
  for (const k of [...flows.keys()].sort(naturalCompare)) {
    const chain = [...flows.get(k)!].sort((a, b) => a.start - b.start || b.dur - a.dur);
    if (chain.length < 2) continue;
    chain.forEach((s, i) => {
      const at = placed.get(s)!;
      const ph = i === 0 ? "s" : i === chain.length - 1 ? "f" : "t";
      // every flow event sits at its span's start, so the viewer binds it to that span (its enclosing slice)
      body.push({ name: "flow", cat: "flow", ph, id: k, pid: at.pid, tid: at.tid, ts: traceMicros(s.start), ...(ph === "f" ? { bp: "e" as const } : {}) });
    });
  }
  return [...meta, ...body.sort((a, b) => a.pid - b.pid || a.tid - b.tid || a.ts! - b.ts! || (b.dur ?? 0) - (a.dur ?? 0))];
}

/** The whole Chrome trace JSON text: `{traceEvents, displayTimeUnit, otherData}`, one event per line. */
export function chromeTraceText(spans: readonly Span[], scenario?: string): string {
  const events = chromeTraceEvents(spans);
  const other = { tool: TOOL, version: VERSION, ...(scenario !== undefined ? { scenario } : {}) };
  return `{"displayTimeUnit":"ns","otherData":${JSON.stringify(other)},"traceEvents":[\n${events.map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`;
}
