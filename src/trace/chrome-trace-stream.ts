import { TOOL, VERSION } from "../version.js";
import { ChunkedWriter } from "./chunked-writer.js";
import { ExternalSorter } from "./external-sort.js";
import { spanToJsonLine } from "./jsonl.js";
import { naturalCompare } from "./natural-order.js";
import { parseTraceJsonl } from "./read-jsonl.js";
import type { Span } from "./span.js";
import { traceMicros } from "./trace-micros.js";

/** Where pid and tid go in an event's JSON: written with these placeholders, split there, joined with the real ids. */
const PID_TID = `,"pid":0,"tid":0,`;

/** An event's JSON (with pid 0, tid 0) as `head \0 tail`; \0 is escaped inside JSON strings, so it never occurs in them. */
function splitEvent(json: string): string {
  // inside a JSON string every quote is escaped, so the first unescaped `,"pid":0,"tid":0,` is the key's
  const i = json.indexOf(PID_TID);
  return `${json.slice(0, i)}\0${json.slice(i + PID_TID.length)}`;
}

function joinEvent(text: string, pid: number, tid: number): string {
  const i = text.indexOf("\0");
  return `${text.slice(0, i)},"pid":${pid},"tid":${tid},${text.slice(i + 1)}`;
}

/** A span with a flow_id, kept in memory to chain its flow arrows (no built-in workload sets flow_id). */
interface FlowSpan {
  readonly seq: number;
  readonly start: number;
  readonly dur: number;
  readonly id: string;
}

/** Files for the sorts' runs: `newRunFile` creates an empty one and returns its path, `doneWithRunFile` removes one. */
export interface SortFiles {
  readonly newRunFile: () => string;
  readonly doneWithRunFile: (path: string) => void;
}

/**
 * The Chrome trace of `chromeTraceText`, byte for byte, built from spans as they are emitted without
 * holding them: spans go through two external sorts (by thread and start, to assign lanes as
 * chromeTraceEvents does; then by pid, tid and time, the file's order), so memory is bounded by the
 * sorts' buffers (`maxInMemory` records each), the distinct threads and lanes, and the spans carrying a
 * flow_id. Each span is taken as `run --trace` writes it and reads it back (spanToJsonLine, then
 * parseTraceJsonl), so the events are those of the in-memory path.
 */
export class ChromeTraceStream {
  /** Thread key (`proc/thread`) → index of first appearance. */
  private readonly threads = new Map<string, number>();
  private readonly flowSpans: FlowSpan[] = [];
  private seq = 0;
  private readonly byThread: ExternalSorter;

  constructor(
    private readonly files: SortFiles,
    private readonly maxInMemory = 200_000,
  ) {
    this.byThread = new ExternalSorter(files.newRunFile, files.doneWithRunFile, maxInMemory);
  }

  /** Adds one span; `line` is its JSONL line when the caller already has it. */
  add(span: Span, line = spanToJsonLine(span)): void {
    const s = parseTraceJsonl(line)[0]!;
    const key = s.where.includes("/") ? s.where : `${s.where}/main`;
    let t = this.threads.get(key);
    if (t === undefined) {
      t = this.threads.size;
      this.threads.set(key, t);
    }
    const seq = this.seq++;
    const flowId = s.attrs?.flow_id;
    if (flowId !== undefined) this.flowSpans.push({ seq, start: s.start, dur: s.dur, id: String(flowId) });
    const event = { name: s.what, cat: s.kind, ph: "X", pid: 0, tid: 0, ts: traceMicros(s.start), dur: traceMicros(s.dur), ...(s.attrs ? { args: s.attrs } : {}) };
    this.byThread.add([t, s.start, -s.dur, seq], splitEvent(JSON.stringify(event)));
  }

  /** Writes the whole Chrome trace text (as chromeTraceText(spans, scenario)) to `out`. Call once. */
  writeTo(out: ChunkedWriter, scenario?: string): void {
    const keys = [...this.threads.keys()].sort(naturalCompare);
    const procOf = (key: string) => key.slice(0, key.indexOf("/"));
    const procs = [...new Set(keys.map(procOf))].sort(naturalCompare);
    const pidOf = new Map(procs.map((p, i) => [p, i + 1]));
    const rankOf: number[] = []; // thread index → rank in natural order
    keys.forEach((k, r) => (rankOf[this.threads.get(k)!] = r));
    const pidOfThread: number[] = [];
    for (const [k, t] of this.threads) pidOfThread[t] = pidOf.get(procOf(k))!;

    // flow arrows as chromeTraceEvents chains them: by id in natural order, each chain by start, longest first
    const flows = new Map<string, FlowSpan[]>();
    for (const f of this.flowSpans) {
      if (!flows.has(f.id)) flows.set(f.id, []);
      flows.get(f.id)!.push(f);
    }
    const flowOf = new Map<number, { ordinal: number; text: string; ts: number }>();
    for (const id of [...flows.keys()].sort(naturalCompare)) {
      const chain = [...flows.get(id)!].sort((a, b) => a.start - b.start || b.dur - a.dur);
      if (chain.length < 2) continue;
      chain.forEach((f, i) => {
        const ph = i === 0 ? "s" : i === chain.length - 1 ? "f" : "t";
        const ts = traceMicros(f.start);
        const json = JSON.stringify({ name: "flow", cat: "flow", ph, id, pid: 0, tid: 0, ts, ...(ph === "f" ? { bp: "e" } : {}) });
        flowOf.set(f.seq, { ordinal: flowOf.size, text: splitEvent(json), ts });
      });
    }

    // lanes per thread (spans by start, longest first: assignLanes of chromeTraceEvents), then every event
    // keyed by the file's order: pid, tid (thread rank, lane), ts, longer first, spans before flows, push order
    const byFile = new ExternalSorter(this.files.newRunFile, this.files.doneWithRunFile, this.maxInMemory);
    const laneCount: number[] = [];
    let thread = -1;
    let stacks: number[][] = [];
    let order = 0;
    for (const r of this.byThread.sorted()) {
      const [t, start, negDur, seq] = r.key as [number, number, number, number];
      if (t !== thread) {
        thread = t;
        stacks = [];
      }
      const end = start - negDur;
      let lane = 0;
      for (; ; lane++) {
        const stack = (stacks[lane] ??= []);
        while (stack.length > 0 && stack[stack.length - 1]! <= start) stack.pop();
        const parentEnd = stack[stack.length - 1];
        if (parentEnd === undefined || end <= parentEnd) {
          stack.push(end);
          break;
        }
      }
      laneCount[t] = Math.max(laneCount[t] ?? 0, lane + 1);
      const pid = pidOfThread[t]!;
      byFile.add([pid, rankOf[t]!, lane, traceMicros(start), -traceMicros(-negDur), 0, order++], r.text);
      const flow = flowOf.get(seq);
      if (flow !== undefined) byFile.add([pid, rankOf[t]!, lane, flow.ts, 0, 1, flow.ordinal], flow.text);
    }

    const other = { tool: TOOL, version: VERSION, ...(scenario !== undefined ? { scenario } : {}) };
    out.write(`{"displayTimeUnit":"ns","otherData":${JSON.stringify(other)},"traceEvents":[\n`);
    let first = true;
    const emit = (json: string) => {
      out.write(first ? json : `,\n${json}`);
      first = false;
    };
    procs.forEach((p, i) => {
      emit(JSON.stringify({ name: "process_name", ph: "M", pid: i + 1, tid: 0, args: { name: p } }));
      emit(JSON.stringify({ name: "process_sort_index", ph: "M", pid: i + 1, tid: 0, args: { sort_index: i } }));
    });
    const tidBase: number[] = []; // thread rank → tid of its first lane − 1
    const nextTid = new Map<number, number>();
    keys.forEach((k, rank) => {
      const t = this.threads.get(k)!;
      const pid = pidOfThread[t]!;
      const threadName = k.slice(k.indexOf("/") + 1);
      tidBase[rank] = nextTid.get(pid) ?? 0;
      for (let l = 0; l < laneCount[t]!; l++) {
        const tid = tidBase[rank]! + l + 1;
        emit(JSON.stringify({ name: "thread_name", ph: "M", pid, tid, args: { name: l === 0 ? threadName : `${threadName} #${l + 1}` } }));
        emit(JSON.stringify({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: tid } }));
      }
      nextTid.set(pid, tidBase[rank]! + laneCount[t]!);
    });
    for (const r of byFile.sorted()) emit(joinEvent(r.text, r.key[0]!, tidBase[r.key[1]!]! + r.key[2]! + 1));
    out.write("\n]}\n");
  }
}
