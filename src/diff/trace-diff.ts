import { parseTraceJsonl } from "../trace/read-jsonl.js";
import type { Span } from "../trace/span.js";

/** A class of events for the per-kind totals: the kind and `what` with digit runs replaced by `#`. */
export function whatClass(s: Span): string {
  return `${s.kind}: ${s.what.replace(/\d+/g, "#")}`;
}

/** Count and total duration (ns) of a class of events in each trace. */
export interface ClassDelta {
  readonly cls: string;
  readonly countA: number;
  readonly countB: number;
  /** Total duration, ns. */
  readonly durA: number;
  readonly durB: number;
}

/** The result of comparing two traces. */
export interface TraceDiff {
  readonly identical: boolean;
  readonly linesA: number;
  readonly linesB: number;
  /** The first event (1-based; the line of a trace as written, blank lines aside) where the traces differ, with the event on each side (undefined past the end). */
  readonly first?: { readonly line: number; readonly a?: Span; readonly b?: Span; readonly textA?: string; readonly textB?: string };
  /** Lines around the divergence: [line number, text A, text B]. */
  readonly context: readonly (readonly [number, string | undefined, string | undefined])[];
  /** Classes whose count or total duration differ, sorted by |Δ duration| then name. */
  readonly classes: readonly ClassDelta[];
}

/** The non-blank lines, CRLF or LF terminated alike (a trace checked out with CRLF equals its LF original). */
function nonEmptyLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== "");
}

function totals(spans: readonly Span[]): Map<string, { n: number; dur: number }> {
  const m = new Map<string, { n: number; dur: number }>();
  for (const s of spans) {
    const c = whatClass(s);
    const e = m.get(c) ?? { n: 0, dur: 0 };
    e.n++;
    e.dur += s.dur;
    m.set(c, e);
  }
  return m;
}

/**
 * Compares two JSONL traces line by line (the canonical format makes equal runs byte-identical):
 * whether they are identical, the first divergent event with `contextLines` of context, and per
 * event class the count and total-time deltas.
 */
export function diffTraces(textA: string, textB: string, names: [string, string] = ["a", "b"], contextLines = 2): TraceDiff {
  const a = nonEmptyLines(textA);
  const b = nonEmptyLines(textB);
  const spansA = parseTraceJsonl(textA, names[0]);
  const spansB = parseTraceJsonl(textB, names[1]);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const identical = i === a.length && i === b.length;
  const ta = totals(spansA);
  const tb = totals(spansB);
  const classes: ClassDelta[] = [];
  for (const cls of [...new Set([...ta.keys(), ...tb.keys()])]) {
    const x = ta.get(cls) ?? { n: 0, dur: 0 };
    const y = tb.get(cls) ?? { n: 0, dur: 0 };
    if (x.n !== y.n || x.dur !== y.dur) classes.push({ cls, countA: x.n, countB: y.n, durA: x.dur, durB: y.dur });
  }
  classes.sort((p, q) => Math.abs(q.durB - q.durA) - Math.abs(p.durB - p.durA) || (p.cls < q.cls ? -1 : p.cls > q.cls ? 1 : 0));
  if (identical) return { identical, linesA: a.length, linesB: b.length, context: [], classes };
  const context: [number, string | undefined, string | undefined][] = [];
  for (let k = Math.max(0, i - contextLines); k <= i + contextLines && (k < a.length || k < b.length); k++) context.push([k + 1, a[k], b[k]]);
  return {
    identical,
    linesA: a.length,
    linesB: b.length,
    first: {
      line: i + 1,
      ...(spansA[i] ? { a: spansA[i], textA: a[i] } : {}),
      ...(spansB[i] ? { b: spansB[i], textB: b[i] } : {}),
    },
    context,
    classes,
  };
}
